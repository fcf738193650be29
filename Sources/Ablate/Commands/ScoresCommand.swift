import Engine
import Foundation

/// `ablate scores`: the input of `ablate plot fig4` — a trained model's probabilities on
/// positive and negative (anchor, class) examples, per the paper's Figure 4 protocol.
enum ScoresCommand: AblateCommand {
    static let name = "scores"
    static let abstract = "write a model's probabilities on positive and negative anchors (the input of plot fig4)"
    static let usage = "RUN-ID | CHECKPOINT | RUN-DIR [--out FILE] [--split val|train] [--images N] [--max-negatives M] [--db FILE] [--runs-dir DIR] [--threads N]"
    static let discussion = """
    Loads a trained RetinaNet (a run id of the database, whose checkpoint is in runs/<sweep>/<id>/,
    or a checkpoint.safetensors / a directory holding one; the checkpoint carries its run config),
    applies it to images of the split at the run's scale, matches the anchors as in training and
    writes one "label,probability" line per binary example: label 1 = a foreground anchor and its
    ground-truth class, label 0 = a background anchor and any class. Ignored anchors and the other
    classes of foreground anchors are left out. Negatives are thinned to at most M (every k-th).
    Then: ablate plot fig4 --scores FILE. The paper uses a converged γ = 2 model.
    """
    static let options: [OptionSpec] = [
        CommonOptions.db,
        OptionSpec(name: "runs-dir", value: "DIR", help: "run artifacts (default: runs/ beside the database)"),
        OptionSpec(name: "out", value: "FILE", help: "output file (default: scores-<run>.csv)"),
        OptionSpec(name: "split", value: "val|train", help: "images to score (default: val)"),
        OptionSpec(name: "images", value: "N", help: "at most N images of the split (default: all)"),
        OptionSpec(name: "max-negatives", value: "M", help: "keep at most M negatives, evenly spaced (default: 1000000; 0 = all)"),
        OptionSpec(name: "threads", value: "N", help: "compute threads (default: all cores)"),
    ]

    static func run(_ args: Arguments) throws -> Int32 {
        let target = try args.positionals(exactly: ["run"])[0]
        let checkpoint = try locateCheckpoint(target, args: args)
        let (_, metadata) = try SafeTensors.read(checkpoint)
        guard let json = metadata["config"] else {
            throw UsageError(command: name, message: "\(checkpoint.path): no run config in the checkpoint's metadata (was it written by ablate?)")
        }
        let config = try RunConfig.decode(json: json)
        let (train, val) = try DatasetFactory.datasets(for: config)
        let split = args.string("split") ?? "val"
        guard split == "val" || split == "train" else { throw UsageError(command: name, message: "--split must be val or train, got '\(split)'") }
        let dataset = split == "val" ? val : train
        let threads = try args.int("threads", min: 1) ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
        let net = try RetinaNet(config: RetinaNetConfig(runConfig: config, numClasses: dataset.categories.count), seed: config.seed,
                                ctx: ComputeContext(threads: threads))
        try net.load(from: checkpoint)
        let sampler = AnchorScoreSampler(net: net, anchorGenerator: try AnchorGenerator(runConfig: config))
        let images = try args.int("images", min: 1) ?? dataset.count
        let maxNegatives = try args.int("max-negatives", min: 0) ?? 1_000_000
        let (positive, negative) = try sampler.sample(dataset: dataset, scale: config.scale, images: images, maxNegatives: maxNegatives) { done, total in
            if done == total || done % 10 == 0 { FileHandle.standardError.write(Data("\rscored \(done)/\(total) images".utf8)) }
        }
        FileHandle.standardError.write(Data("\n".utf8))
        let out = args.string("out") ?? "scores-\(checkpoint.deletingLastPathComponent().lastPathComponent).csv"
        var text = "# ablate scores \(target): \(checkpoint.path)\n# split \(split), \(min(images, dataset.count)) images, scale \(config.scale), loss \(config.loss.rawValue) γ=\(config.gamma) α=\(config.alpha)\n"
        text += "# \(positive.count) positives, \(negative.count) negatives (max \(maxNegatives))\n# label,probability\n"
        text.reserveCapacity(text.utf8.count + 14 * (positive.count + negative.count))
        for p in positive { text += "1,\(p)\n" }
        for p in negative { text += "0,\(p)\n" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        print("wrote \(out): \(positive.count) positives, \(negative.count) negatives")
        return 0
    }

    /// A checkpoint file, a directory holding checkpoint.safetensors, or a run id of the database.
    private static func locateCheckpoint(_ target: String, args: Arguments) throws -> URL {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: target, isDirectory: &isDir) {
            let url = URL(fileURLWithPath: target)
            return isDir.boolValue ? url.appendingPathComponent("checkpoint.safetensors") : url
        }
        let db = args.string("db") ?? CommonOptions.defaultDB
        let store = try RunStore(path: db, create: false)
        let record = try store.resolve(runID: target)
        guard record.status == .finished else {
            throw UsageError(command: name, message: "run \(record.id) is \(record.status.rawValue); only finished runs have a checkpoint")
        }
        let root = args.string("runs-dir").map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: db).deletingLastPathComponent().appendingPathComponent("runs")
        let file = root.appendingPathComponent(record.sweep).appendingPathComponent(record.id).appendingPathComponent("checkpoint.safetensors")
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw UsageError(command: name, message: "run \(record.id): no checkpoint at \(file.path) (artifacts are kept where the sweep ran; pass --runs-dir or the checkpoint path)")
        }
        return file
    }
}
