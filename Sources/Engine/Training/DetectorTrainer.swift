import COCOKit
import Foundation

/// One row of the training log: losses averaged over the iterations since the previous row.
public struct TrainLogEntry: Sendable {
    public var iteration: Int
    public var iterations: Int
    public var lossCls: Double
    public var lossBox: Double
    public var lr: Double
    /// Seconds since training started.
    public var seconds: Double
    public var imagesPerSecond: Double
    /// Mean foreground anchors per image in the window.
    public var positivesPerImage: Double
}

/// How a training run ended.
public enum TrainStatus: Sendable, Equatable {
    case finished
    /// The loss became non-finite at `iteration` (the paper's "CE without π diverges").
    case diverged(iteration: Int)
}

/// Errors that stop a run before or during training.
public enum TrainingError: Error, CustomStringConvertible {
    case invalidConfig(String)
    case shapeMismatch(String)

    public var description: String {
        switch self {
        case .invalidConfig(let m): return "invalid run config: \(m)"
        case .shapeMismatch(let m): return "internal shape mismatch: \(m)"
        }
    }
}

/// Trains a RetinaNet on a `RunConfig`: data, anchors, matcher, loss, SGD with warm-up and step
/// decay. Deterministic for a given config and thread count (see docs/ENGINE.md).
public final class DetectorTrainer {
    public let config: RunConfig
    public let net: RetinaNet
    public let train: any DetectionDataset
    public let anchorGenerator: AnchorGenerator
    public let matcher: AnchorMatcher
    public let coder: BoxCoder
    let loss: DetectionLoss
    let sgd: SGD
    let schedule: LRSchedule
    let loader: BatchLoader
    let targets = BatchTargets()
    private var anchorCache: AnchorSetCache

    /// Builds the model (loading `backbone` weights if given) and the training pipeline.
    public init(config: RunConfig, train: any DetectionDataset, backbone: URL?, threads: Int) throws {
        try config.validate()
        self.config = config
        self.train = train
        anchorGenerator = try AnchorGenerator(runConfig: config)
        anchorCache = AnchorSetCache(generator: anchorGenerator)
        matcher = AnchorMatcher()
        coder = BoxCoder()
        var mc = try RetinaNetConfig(runConfig: config, numClasses: train.categories.count)
        mc.bnMode = backbone == nil || config.backboneBN == "train" ? .train : .frozen
        net = try RetinaNet(config: mc, seed: config.seed, ctx: ComputeContext(threads: threads))
        if let backbone { try net.loadBackbone(from: backbone) }
        if config.freezeAt > 0 {
            guard backbone != nil else { throw TrainingError.invalidConfig("freezeAt \(config.freezeAt) needs a pretrained backbone file") }
            try net.freezeBackbone(throughStage: config.freezeAt - 1)
        }
        loss = DetectionLoss(config: config, ctx: net.ctx)
        sgd = SGD(parameters: net.parameters, momentum: Float(config.momentum), weightDecay: Float(config.weightDecay),
                  ctx: net.ctx)
        schedule = LRSchedule(config: config)
        loader = BatchLoader(dataset: train, scale: config.scale, batchSize: config.batchSize,
                             flip: config.horizontalFlip, seed: config.seed, threads: threads)
    }

    /// Runs the schedule; `log` gets a row every `logEvery` iterations and at the end.
    /// Returns `.diverged` as soon as a loss is non-finite (the model is then unusable).
    public func run(logEvery: Int = 20, log: (TrainLogEntry) -> Void) throws -> TrainStatus {
        let start = Date()
        var windowCls = 0.0, windowBox = 0.0, windowPos = 0, windowIters = 0
        var lastLogTime = start
        let reportGradients = GradientReport.enabled
        for it in 0..<config.iterations {
            try loader.next()
            let h = loader.height, w = loader.width, n = loader.groundTruth.count
            let anchors = anchorCache.anchors(height: h, width: w)
            targets.build(groundTruth: loader.groundTruth, anchors: anchors, matcher: matcher, coder: coder)
            let out = try net.forward(images: loader.images, batch: n, height: h, width: w, training: true)
            for (l, level) in anchors.levels.enumerated() where out.sizes[l] != (level.rows, level.columns) {
                throw TrainingError.shapeMismatch("level P\(level.level): network \(out.sizes[l]) vs anchors \(level.rows)×\(level.columns)")
            }
            let value = loss.compute(outputs: out, targets: targets, anchors: anchors)
            guard value.total.isFinite else { return .diverged(iteration: it) }
            sgd.zeroGrad()
            net.backward()
            let lr = schedule.lr(at: it)
            if reportGradients {
                FileHandle.standardError.write(Data((GradientReport.line(iteration: it, classification: value.classification,
                                                                         box: value.box, net: net) + "\n").utf8))
            }
            if config.gradClipNorm > 0 { sgd.clipGradientNorm(Float(config.gradClipNorm)) }
            sgd.step(lr: Float(lr))
            windowCls += value.classification; windowBox += value.box
            windowPos += value.positives; windowIters += 1
            if (it + 1) % logEvery == 0 || it + 1 == config.iterations {
                let now = Date()
                let images = Double(windowIters * config.batchSize)
                log(TrainLogEntry(iteration: it + 1, iterations: config.iterations,
                                  lossCls: windowCls / Double(windowIters), lossBox: windowBox / Double(windowIters),
                                  lr: lr, seconds: now.timeIntervalSince(start),
                                  imagesPerSecond: images / max(1e-9, now.timeIntervalSince(lastLogTime)),
                                  positivesPerImage: Double(windowPos) / images))
                windowCls = 0; windowBox = 0; windowPos = 0; windowIters = 0; lastLogTime = now
            }
        }
        return .finished
    }
}
