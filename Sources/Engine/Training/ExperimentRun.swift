import COCOKit
import Foundation

/// One experiment end to end: datasets → (pretrained backbone) → training → inference on the
/// validation split → COCO evaluation. Writes `gt.json`, `preds.json` and
/// `checkpoint.safetensors` into `directory` and returns the metrics under the names of
/// `cocoeval --json`, plus `AP/<category>` per category and `inference_ms` per image.
public struct ExperimentRun {
    public var config: RunConfig
    public var directory: URL
    public var threads: Int
    /// Where pretrained backbones are kept and shared between runs.
    public var backboneCache: URL

    public init(config: RunConfig, directory: URL, threads: Int, backboneCache: URL) {
        self.config = config; self.directory = directory; self.threads = threads; self.backboneCache = backboneCache
    }

    /// What the run produced.
    public struct Result: Sendable {
        public var status: TrainStatus
        public var metrics: [String: Double]
        /// pycocotools' 12 summary lines (nil if the run diverged).
        public var summaryText: String?
    }

    /// Runs everything; `progress` receives human-readable lines, `log` the training log rows.
    public func execute(progress: (String) -> Void, log: (TrainLogEntry) -> Void) throws -> Result {
        try config.validate()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let (train, val) = try DatasetFactory.datasets(for: config)
        var backbone: URL?
        if config.backboneInit == "pretrained" {
            guard config.dataset == "shapes" else {
                throw TrainingError.invalidConfig("backboneInit \"pretrained\" uses the built-in classification task and needs dataset \"shapes\"; use \"scratch\" for \(config.dataset)")
            }
            backbone = try PretrainedBackboneCache(directory: backboneCache)
                .backbone(for: BackbonePretrainer(runConfig: config), threads: threads, log: progress)
        }
        let trainer = try DetectorTrainer(config: config, train: train, backbone: backbone, threads: threads)
        progress("training \(config.iterations) iterations, batch \(config.batchSize), scale \(config.scale), \(config.loss.rawValue) α=\(config.alpha) γ=\(config.gamma)")
        let status = try trainer.run(log: log)
        if case .diverged(let it) = status {
            progress("diverged: non-finite loss at iteration \(it)")
            return Result(status: status, metrics: [:], summaryText: nil)
        }
        try trainer.net.save(to: directory.appendingPathComponent("checkpoint.safetensors"),
                             metadata: ["config": try config.canonicalJSON(), "protocol": String(EngineProtocol.version)])
        progress("predicting \(val.count) validation images…")
        let predictor = DetectionPredictor(net: trainer.net, anchorGenerator: trainer.anchorGenerator,
                                           categoryIds: val.categories.map(\.id))
        let (detections, ms) = try predictor.predict(dataset: val, scale: config.scale)
        let gt = val.cocoDataset()
        try COCOWriter.write(try COCOWriter.instancesJSON(gt), to: directory.appendingPathComponent("gt.json"))
        try COCOWriter.write(try COCOWriter.resultsJSON(detections), to: directory.appendingPathComponent("preds.json"))
        var metrics: [String: Double] = ["inference_ms": ms]
        var summaryText: String?
        if detections.isEmpty {
            // pycocotools' math for an empty result list: AP/AR 0 where there is GT.
            progress("no detections above the score threshold")
        }
        let summary = try COCOEvaluator(groundTruth: gt, detections: detections).run(threads: threads)
        for (k, v) in summary.statsByName { metrics[k] = v }
        for c in try summary.perCategory() { metrics["AP/\(c.name)"] = c.ap }
        summaryText = summary.summaryText
        progress(String(format: "AP %.1f  AP50 %.1f  AP75 %.1f  (inference %.1f ms/image)",
                        100 * (metrics["AP"] ?? 0), 100 * (metrics["AP50"] ?? 0), 100 * (metrics["AP75"] ?? 0), ms))
        return Result(status: .finished, metrics: metrics, summaryText: summaryText)
    }
}

/// The train and validation datasets a config names.
public enum DatasetFactory {
    /// "shapes": the built-in dataset (`trainImages` / `valImages` images). Otherwise a directory
    /// with `train/annotations.json` + `train/images/` and `val/annotations.json` + `val/images/`
    /// (the layout `ablate export-dataset` writes); all of its images are used.
    public static func datasets(for c: RunConfig) throws -> (train: any DetectionDataset, val: any DetectionDataset) {
        if c.dataset == "shapes" {
            return (ShapesDataset(runConfig: c, split: .train), ShapesDataset(runConfig: c, split: .val))
        }
        let root = URL(fileURLWithPath: c.dataset, isDirectory: true)
        func folder(_ split: String) throws -> COCOFolderDataset {
            let dir = root.appendingPathComponent(split, isDirectory: true)
            let json = dir.appendingPathComponent("annotations.json")
            guard FileManager.default.fileExists(atPath: json.path) else {
                throw TrainingError.invalidConfig("dataset \(c.dataset): missing \(json.path) (expected \(split)/annotations.json and \(split)/images/, the layout of `ablate export-dataset`)")
            }
            return try COCOFolderDataset(dataset: try COCODataset(contentsOf: json), imageDirectory: dir.appendingPathComponent("images"),
                                         source: json.path)
        }
        return (try folder("train"), try folder("val"))
    }
}
