import COCOKit
import Foundation

/// `cocoeval PREDS.json [--gt GT.json] …`: pycocotools' bbox evaluation of a results file.
struct CocoevalCommand {
    static let usage = """
    USAGE: cocoeval PREDS.json [--gt GT.json] [--json] [--per-class] [--pr-curves FILE.csv]
                    [--max-dets 1,10,100] [--iou-thrs LIST|LO:HI:STEP] [--area-ranges LIST]
                    [--threads N]

    Evaluates COCO bbox detections exactly as pycocotools' COCOeval does and prints its 12
    summary lines.

    ARGUMENTS:
      PREDS.json              results: a JSON list of {image_id, category_id, bbox, score}

    OPTIONS:
      --gt GT.json            COCO instances ground truth (default: gt.json beside PREDS.json,
                              which `ablate` writes there)
      --json                  print {"AP":…,"AP50":…,…,"ARl":…} at full double precision
      --per-class             also print AP, AP50, AP75, AR100 for each category (a table, or
                              with --json a "per_class" list in the same object)
      --pr-curves FILE.csv    write interpolated precision at each recall threshold (area all,
                              largest maxDets) for every category and IoU threshold
      --max-dets LIST         detections per image, e.g. 1,10,100 (at least 3 values)
      --iou-thrs SPEC         IoU thresholds: a list (0.5,0.75) or LO:HI:STEP (0.5:0.95:0.05)
      --area-ranges LIST      e.g. all=0:1e10,small=0:1024,medium=1024:9216,large=9216:1e10
                              (labels may be omitted: all, small, medium, large in order)
      --threads N             worker threads (default: the number of cores)
      -h, --help              show this help

    Exit status: 0 on success, 1 on bad input files, 2 on bad arguments.

    """

    var preds: String?
    var gt: String?
    var json = false
    var perClass = false
    var prCurves: String?
    var threads = ProcessInfo.processInfo.activeProcessorCount
    var parameters = COCOEvalParameters()
    var help = false

    /// A usage error: exit status 2, message names the argument.
    struct UsageError: Error, CustomStringConvertible { var description: String }

    /// Parses the arguments (without the program name).
    static func parse(_ args: [String]) throws -> CocoevalCommand {
        var c = CocoevalCommand()
        var i = 0
        func value(_ name: String) throws -> String {
            i += 1
            guard i < args.count else { throw UsageError(description: "\(name) needs a value") }
            return args[i]
        }
        while i < args.count {
            let a = args[i]
            switch a {
            case "-h", "--help": c.help = true
            case "--gt": c.gt = try value(a)
            case "--json": c.json = true
            case "--per-class": c.perClass = true
            case "--pr-curves": c.prCurves = try value(a)
            case "--threads":
                let v = try value(a)
                guard let n = Int(v), n >= 1 else { throw UsageError(description: "--threads: expected a positive integer, got '\(v)'") }
                c.threads = n
            case "--max-dets":
                let v = try value(a)
                let parts = v.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! >= 0 }) else {
                    throw UsageError(description: "--max-dets: expected non-negative integers separated by commas, got '\(v)'")
                }
                c.parameters.maxDetections = parts.map { $0! }
            case "--iou-thrs": c.parameters.iouThresholds = try parseThresholds(try value(a))
            case "--area-ranges": c.parameters.areaRanges = try parseAreaRanges(try value(a))
            default:
                if a.hasPrefix("-") && a != "-" { throw UsageError(description: "unknown option '\(a)' (see --help)") }
                guard c.preds == nil else { throw UsageError(description: "unexpected argument '\(a)': give one PREDS.json") }
                c.preds = a
            }
            i += 1
        }
        if !c.help && c.preds == nil { throw UsageError(description: "missing PREDS.json (see --help)") }
        do { try c.parameters.validate() } catch let e as COCOError { throw UsageError(description: "invalid evaluation parameters: " + e.message) }
        return c
    }

    static func parseThresholds(_ v: String) throws -> [Double] {
        let bad = UsageError(description: "--iou-thrs: expected numbers in [0, 1] as a list (0.5,0.75) or LO:HI:STEP (0.5:0.95:0.05), got '\(v)'")
        if v.contains(":") {
            let p = v.split(separator: ":").map { Double($0) }
            guard p.count == 3, let lo = p[0], let hi = p[1], let step = p[2], step > 0, lo <= hi else { throw bad }
            // pycocotools' Params: np.linspace(lo, hi, int(np.round((hi - lo) / step)) + 1)
            let n = Int(((hi - lo) / step).rounded(.toNearestOrEven)) + 1
            return COCOEvalParameters.linspace(lo, hi, n)
        }
        let p = v.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !p.isEmpty, p.allSatisfy({ $0 != nil && $0! >= 0 && $0! <= 1 }) else { throw bad }
        return p.map { $0! }
    }

    static func parseAreaRanges(_ v: String) throws -> [COCOEvalParameters.AreaRange] {
        let labels = ["all", "small", "medium", "large"]
        var out: [COCOEvalParameters.AreaRange] = []
        for (i, item) in v.split(separator: ",").enumerated() {
            var label = i < labels.count ? labels[i] : "range\(i)"
            var spec = Substring(item)
            if let eq = item.firstIndex(of: "=") { label = String(item[..<eq]); spec = item[item.index(after: eq)...] }
            let p = spec.split(separator: ":").map { Double($0) }
            guard p.count == 2, let lo = p[0], let hi = p[1], lo <= hi, !label.isEmpty else {
                throw UsageError(description: "--area-ranges: expected [LABEL=]MIN:MAX items separated by commas, got '\(item)'")
            }
            out.append(.init(label: label, min: lo, max: hi))
        }
        if out.isEmpty { throw UsageError(description: "--area-ranges: give at least one range") }
        return out
    }

    /// The ground-truth path: `--gt`, else `gt.json` beside the predictions.
    func groundTruthURL(predictions: URL) throws -> URL {
        if let gt { return URL(fileURLWithPath: gt) }
        let beside = predictions.deletingLastPathComponent().appendingPathComponent("gt.json")
        guard FileManager.default.fileExists(atPath: beside.path) else {
            throw COCOError(.io, file: predictions.path,
                            "no ground truth given and no gt.json beside the predictions (\(beside.path)); pass --gt GT.json")
        }
        return beside
    }

    /// Runs the evaluation; writes results to `out` and warnings to `err`.
    func run(out: (String) -> Void, err: (String) -> Void) throws {
        guard let preds else { return }
        let predsURL = URL(fileURLWithPath: preds)
        let gtURL = try groundTruthURL(predictions: predsURL)
        // Read both files at once: they are independent.
        let start = Date()
        nonisolated(unsafe) var gtResult: Result<(dataset: COCODataset, warnings: [String]), Error>?
        nonisolated(unsafe) var dtResult: Result<[COCODetection], Error>?
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            if i == 0 { gtResult = Result { try COCODataset.load(contentsOf: gtURL) } }
            else { dtResult = Result { try COCOResults.load(contentsOf: predsURL, threads: threads) } }
        }
        let timing = ProcessInfo.processInfo.environment["COCOEVAL_TIMING"] != nil
        var clock = start
        func lap(_ what: String) {
            if timing { err(String(format: "cocoeval: timing: %@ %.3f s\n", what, Date().timeIntervalSince(clock))); clock = Date() }
        }
        lap("read files")
        let (dataset, gtWarnings) = try gtResult!.get()
        // The evaluator keeps its own compact copy: drop the parsed detections as soon as it exists.
        let evaluator = try { () throws -> COCOEvaluator in
            let detections = try dtResult!.get()
            dtResult = nil
            do {
                return try COCOEvaluator(groundTruth: dataset, detections: detections, parameters: parameters)
            } catch var e as COCOError where e.file.isEmpty {
                e.file = predsURL.path  // ids that do not match: name the predictions file
                throw e
            }
        }()
        lap("index")
        for w in gtWarnings + evaluator.warnings { err("cocoeval: warning: \(w)\n") }
        let summary = try evaluator.run(threads: threads)
        lap("evaluate")
        switch (json, perClass) {
        case (true, false): out(summary.jsonText)
        case (true, true): out(try summary.jsonTextWithPerCategory())
        case (false, false): out(summary.summaryText)
        case (false, true): out(summary.summaryText + (try summary.perCategoryTable()))
        }
        if let prCurves {
            do {
                try Data(summary.precisionRecallCSV().utf8).write(to: URL(fileURLWithPath: prCurves), options: .atomic)
            } catch {
                throw COCOError(.io, file: prCurves, "cannot write the PR curves: \(error.localizedDescription)")
            }
        }
    }
}
