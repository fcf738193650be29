import Engine
import Foundation

/// `ablate train`: one experiment end to end, outside any sweep or database.
enum TrainCommand: AblateCommand {
    static let name = "train"
    static let abstract = "train and evaluate one config; writes gt.json, preds.json, metrics.json, checkpoint, train log"
    static let usage = "--config FILE --out DIR [--threads N] [--backbone-cache DIR]"
    static let discussion = """
    FILE is a run config in JSON: any subset of the keys `ablate show` lists (missing keys take
    their defaults; unknown keys are an error), e.g. experiments/quick.json. Writes into DIR:
    gt.json (COCO instances of the validation split), preds.json (COCO results),
    metrics.json (the 12 COCO stats under `cocoeval --json` names, AP/<category>, inference_ms),
    checkpoint.safetensors, train_log.csv and config.json (the full canonical config).
    `cocoeval DIR/preds.json` then evaluates without --gt.
    """
    static let options: [OptionSpec] = [
        OptionSpec(name: "config", value: "FILE", help: "run config (JSON)"),
        OptionSpec(name: "out", value: "DIR", help: "output directory (created if missing)"),
        OptionSpec(name: "threads", value: "N", help: "compute threads (default: all cores)"),
        OptionSpec(name: "backbone-cache", value: "DIR", help: "shared pretrained backbones (default: runs/pretrained)"),
    ]

    static func run(_ args: Arguments) throws -> Int32 {
        guard let configPath = args.string("config") else { throw UsageError(command: name, message: "option '--config FILE' is required") }
        guard let out = args.string("out") else { throw UsageError(command: name, message: "option '--out DIR' is required") }
        let threads = try args.int("threads", min: 1) ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
        let text: String
        do { text = try String(contentsOfFile: configPath, encoding: .utf8) } catch {
            throw UsageError(command: name, message: "cannot read config '\(configPath)': \(error.localizedDescription)")
        }
        let config: RunConfig
        do { config = try RunConfig.decode(json: text) } catch {
            throw UsageError(command: name, message: "\(configPath): \(error)")
        }
        let dir = URL(fileURLWithPath: out, isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data((try config.canonicalJSON() + "\n").utf8).write(to: dir.appendingPathComponent("config.json"), options: .atomic)
        let csvURL = dir.appendingPathComponent("train_log.csv")
        var csv = RunArtifacts.trainLogHeader
        let run = ExperimentRun(config: config, directory: dir, threads: threads,
                                backboneCache: URL(fileURLWithPath: args.string("backbone-cache") ?? "runs/pretrained"))
        let result = try run.execute(progress: { print($0) }, log: { entry in
            print(TrainProgressLine.format(entry))
            csv += RunArtifacts.csvLine(TrainLogRow(entry))
            try? Data(csv.utf8).write(to: csvURL, options: .atomic)
        })
        switch result.status {
        case .diverged(let it):
            print("run diverged (non-finite loss at iteration \(it)); no predictions written")
            return 3
        case .finished:
            try RunArtifacts.writeMetrics(result.metrics, to: dir.appendingPathComponent("metrics.json"))
            if let s = result.summaryText { print(s, terminator: "") }
            return 0
        }
    }
}
