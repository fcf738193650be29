import Foundation

/// `ablate plot`: SVG figures.
enum PlotCommand: AblateCommand {
    static let name = "plot"
    static let abstract = "write an SVG: fig1 (FL vs p_t), fig4 (loss CDFs from model scores), loss RUN"
    static let usage = "fig1 | fig4 --scores FILE | loss RUN-ID  [--out FILE] [--db FILE]"
    static let discussion = """
    fig1        focal loss against p_t for γ ∈ {0, .5, 1, 2, 5} (pure math).      default out: fig1.svg
    fig4        CDFs of normalised loss for positives and negatives, γ ∈ {0, .5, 1, 2}, from a
                scores file of a converged γ = 2 model (`ablate scores RUN` writes one): one
                "label,probability" line per example (1 = positive, 0 = negative; '#' = comment).
                Writes OUT-positive.svg and OUT-negative.svg.                     default out: fig4
    loss RUN    classification and box loss against iteration from the run's train_log.
                                                                              default out: loss-RUN.svg
    """
    static let options: [OptionSpec] = [
        CommonOptions.db,
        OptionSpec(name: "out", value: "FILE", help: "output file (fig4: prefix)"),
        OptionSpec(name: "scores", value: "FILE", help: "fig4: label,probability lines of a converged model"),
    ]

    static func run(_ args: Arguments) throws -> Int32 {
        guard let figure = args.positionals.first else {
            throw UsageError(command: name, message: "missing figure: fig1, fig4 or loss RUN-ID")
        }
        switch figure {
        case "fig1":
            _ = try args.positionals(exactly: ["figure"])
            try write(FocalLossCurves.plot().render(), to: args.string("out") ?? "fig1.svg")
        case "fig4":
            _ = try args.positionals(exactly: ["figure"])
            guard let scores = args.string("scores") else {
                throw UsageError(command: name, message: "fig4 needs --scores FILE (label,probability lines from a converged γ = 2 model, written by `ablate scores RUN`)")
            }
            let sets = try ScoreFile.read(scores)
            let prefix = args.string("out") ?? "fig4"
            for (positive, values) in [(true, sets.positive), (false, sets.negative)] {
                guard !values.isEmpty else {
                    throw ScoreFile.Error(file: scores, line: 0, message: "no \(positive ? "positive (label 1)" : "negative (label 0)") lines")
                }
                let kind = positive ? "positive" : "negative"
                let curves = LossCDF.curves(probabilities: values, positive: positive)
                for c in curves {
                    // Share of the total loss carried by the hardest 10% and 1% of the examples.
                    let at = { (f: Double) in c.points.first { $0.fraction >= f - 1e-12 }?.cumulative ?? 1 }
                    print("\(kind) (n = \(values.count)), γ = \(SVGLinePlot.label(c.gamma)): "
                          + String(format: "hardest 10%% carry %.1f%% of the loss, hardest 1%% carry %.1f%%", 100 * (1 - at(0.9)), 100 * (1 - at(0.99))))
                }
                let plot = LossCDF.plot(curves,
                                        title: "Figure 4: cumulative normalized loss, \(kind) samples (n = \(values.count))")
                try write(plot.render(), to: "\(prefix)-\(kind).svg")
            }
        case "loss":
            let run = try args.positionals(exactly: ["figure", "run-id"])[1]
            let store = try RunStore(path: args.string("db") ?? CommonOptions.defaultDB, create: false)
            let record = try store.resolve(runID: run)
            let log = try store.trainLog(id: record.id)
            guard !log.isEmpty else { throw UsageError(command: name, message: "run \(record.id) has no train_log rows yet") }
            let plot = SVGLinePlot(title: "Training loss of run \(record.id) (\(record.sweep))", xLabel: "iteration", yLabel: "loss",
                                   series: [
                                       .init(name: "classification", points: log.map { (Double($0.iteration), $0.lossCls) }),
                                       .init(name: "box", points: log.map { (Double($0.iteration), $0.lossBox) }),
                                   ])
            try write(plot.render(), to: args.string("out") ?? "loss-\(record.id).svg")
        default:
            throw UsageError(command: name, message: "unknown figure '\(figure)' (fig1, fig4, loss)")
        }
        return 0
    }

    private static func write(_ svg: String, to path: String) throws {
        try Data(svg.utf8).write(to: URL(fileURLWithPath: path))
        print("wrote \(path)")
    }
}

/// The fig4 input: "label,probability" lines.
enum ScoreFile {
    struct Error: Swift.Error, CustomStringConvertible {
        var file: String
        var line: Int
        var message: String
        var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
    }

    static func read(_ file: String) throws -> (positive: [Double], negative: [Double]) {
        guard let data = FileManager.default.contents(atPath: file) else { throw Error(file: file, line: 0, message: "cannot read the file") }
        var positive: [Double] = [], negative: [Double] = []
        for (i, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: ",")
            guard parts.count == 2, let p = Double(parts[1]), p >= 0, p <= 1 else {
                throw Error(file: file, line: i + 1, message: "expected 'label,probability' with label 0 or 1 and probability in [0, 1], got '\(line.prefix(60))'")
            }
            switch parts[0] {
            case "1": positive.append(p)
            case "0": negative.append(p)
            default: throw Error(file: file, line: i + 1, message: "label must be 0 or 1, got '\(parts[0])'")
            }
        }
        return (positive, negative)
    }
}
