/// Architecture of a RetinaNet (backbone layout, FPN and head sizes, classes, anchors, norms).
public struct RetinaNetConfig: Sendable, Equatable {
    public var backbone: ResNetBackbone.Layout
    public var fpnChannels: Int = 64
    public var headConvs: Int = 4
    public var headChannels: Int = 64
    public var numClasses: Int
    public var anchorsPerLocation: Int = 9
    /// GroupNorm groups in the heads (nil: no normalisation in the heads, as the paper).
    public var headGroupNorm: Int? = nil
    /// Backbone BatchNorm mode (`.frozen` after pretraining, like the paper's frozen BN).
    public var bnMode: BatchNorm.Mode = .train
    /// π of the class-bias prior init b = −log((1−π)/π); nil initialises the bias to 0.
    public var priorProbability: Double? = 0.01
    /// Std of the head convs' Gaussian weight init (the paper: 0.01).
    public var headInitStd: Double = 0.01

    public init(backbone: ResNetBackbone.Layout, numClasses: Int) {
        self.backbone = backbone; self.numClasses = numClasses
    }

    /// The model of a `RunConfig` (depth, width, FPN/head sizes, anchors, prior init).
    public init(runConfig c: RunConfig, numClasses: Int) throws {
        self.init(backbone: try .resnet(depth: c.depth, width: c.width), numClasses: numClasses)
        fpnChannels = c.fpnChannels; headConvs = c.headConvs; headChannels = c.headChannels
        anchorsPerLocation = c.scalesPerOctave * c.aspectRatios.count
        priorProbability = c.priorInit ? c.priorProb : nil
        headInitStd = c.headInitStd
    }

    /// The benchmark network: ResNet-18 layout, widths 32…256, FPN 64, heads 4×64,
    /// 10 classes, 9 anchors.
    public static let benchmark = RetinaNetConfig(
        backbone: ResNetBackbone.Layout(blockType: .basic, stageBlocks: [2, 2, 2, 2], width: 32), numClasses: 10)
}

/// RetinaNet: ResNet backbone → FPN P3–P7 → class and box subnets shared over levels.
///
/// Use: `let out = try net.forward(images:…)`; compute losses from `out.classLogits` /
/// `out.boxDeltas` and write their gradients into `out.classGrad` / `out.boxGrad`; call
/// `net.backward()`; `sgd.step(lr:)`. Call `zeroGrad()` (or `SGD.zeroGrad`) before each backward.
/// `forward(training: false)` is inference: BN uses running statistics, no pooling indices kept.
public final class RetinaNet {
    public let config: RetinaNetConfig
    public let ctx: ComputeContext
    public let backbone: ResNetBackbone
    public let fpn: FPN
    let clsHead: HeadBranch
    let boxHead: HeadBranch
    public let outputs: HeadOutputs
    let input = Tensor()
    let gradCls = (0..<5).map { _ in Tensor() }
    let gradBox = (0..<5).map { _ in Tensor() }
    var levelChannelsK = 0
    /// C3–C5 and P3–P7 of the last forward pass (references, for diagnostics such as
    /// `GradientReport`; overwritten by the next forward).
    public private(set) var lastFeatures: [(name: String, tensor: Tensor)] = []

    public init(config: RetinaNetConfig, seed: UInt64, ctx: ComputeContext) throws {
        guard config.numClasses > 0, config.anchorsPerLocation > 0, config.fpnChannels > 0 else {
            throw ModelError.invalid("RetinaNet: numClasses, anchorsPerLocation and fpnChannels must be positive")
        }
        if let g = config.headGroupNorm, g <= 0 || config.headChannels % g != 0 {
            throw ModelError.invalid("RetinaNet: headChannels \(config.headChannels) not divisible by GroupNorm groups \(g)")
        }
        self.config = config; self.ctx = ctx
        backbone = ResNetBackbone(layout: config.backbone, bnMode: config.bnMode, ctx: ctx)
        let l = config.backbone
        fpn = FPN(inChannels: [l.stageChannels(1), l.stageChannels(2), l.stageChannels(3)], channels: config.fpnChannels,
                  ctx: ctx)
        let a = config.anchorsPerLocation
        clsHead = HeadBranch(name: "head.cls", finalName: "logits", inChannels: config.fpnChannels,
                              channels: config.headChannels, convs: config.headConvs, outChannels: a * config.numClasses,
                              groupNormGroups: config.headGroupNorm, ctx: ctx)
        boxHead = HeadBranch(name: "head.box", finalName: "deltas", inChannels: config.fpnChannels,
                              channels: config.headChannels, convs: config.headConvs, outChannels: a * 4,
                              groupNormGroups: config.headGroupNorm, ctx: ctx)
        outputs = HeadOutputs(levels: 5, classes: config.numClasses, anchorsPerLocation: a)
        if config.bnMode == .frozen { for bn in backbone.batchNorms { bn.weight.trainable = false; bn.bias.trainable = false } }
        var rng = SeededRandom(seed: seed)
        backbone.initialize(&rng)
        fpn.initialize(&rng)
        let prior: Float = config.priorProbability.map { Float(-_log((1 - $0) / $0)) } ?? 0
        clsHead.initialize(std: config.headInitStd, finalBias: prior, &rng)
        boxHead.initialize(std: config.headInitStd, finalBias: 0, &rng)
    }

    /// Freezes the backbone's stem and stages 1…`stage` for pretrained runs (Detectron's
    /// FREEZE_AT = 2 is `freezeBackbone(throughStage: 1)`; 0 = stem only): their parameters become
    /// non-trainable (SGD skips them) and their backward is skipped entirely.
    public func freezeBackbone(throughStage stage: Int) throws { try backbone.freeze(throughStage: stage) }

    /// Every parameter and buffer once, with checkpoint names ("backbone.…", "fpn.…", "head.…").
    public var namedParameters: [(String, Parameter)] {
        backbone.parameters.map { ("backbone." + $0.name, $0) }
            + (fpn.parameters + clsHead.parameters + boxHead.parameters).map { ($0.name, $0) }
    }

    /// Every parameter and buffer once (give to `SGD`, which skips buffers and frozen ones).
    public var parameters: [Parameter] { namedParameters.map { $0.1 } }

    /// Sets every gradient to zero.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }

    /// Forward pass on images [N, 3, H, W] (NCHW, row-major, any H×W ≥ 1); fills and returns
    /// `outputs`.
    @discardableResult
    public func forward(images: UnsafePointer<Float>, batch n: Int, height h: Int, width w: Int,
                        training: Bool) throws -> HeadOutputs {
        guard n > 0, h > 0, w > 0 else { throw ShapeError(layer: "RetinaNet.input", expected: "N, H, W > 0", got: [n, 3, h, w]) }
        ctx.inferenceForward = !training
        defer { ctx.inferenceForward = false }
        input.resize(n: n, c: 3, h: h, w: w)
        let plane = h * w
        ctx.timed("input.copy", flops: 0) {
            for c in 0..<3 { for i in 0..<n { (input.data + (c * n + i) * plane).update(from: images + (i * 3 + c) * plane, count: plane) } }
        }
        let feats = try backbone.forward(input, training: training)
        let p = try fpn.forward([feats[1], feats[2], feats[3]])
        lastFeatures = zip(["C3", "C4", "C5", "P3", "P4", "P5", "P6", "P7"], [feats[1], feats[2], feats[3]] + p)
            .map { (name: $0, tensor: $1) }
        outputs.batch = n
        outputs.sizes = p.map { (h: $0.h, w: $0.w) }
        let cls = try clsHead.forward(p), box = try boxHead.forward(p)
        ctx.timed("heads.toNHWC", flops: 0) {
            for l in 0..<5 {
                HeadOutputs.toNHWC(cls[l], outputs.classLogits[l], ctx: ctx)
                HeadOutputs.toNHWC(box[l], outputs.boxDeltas[l], ctx: ctx)
                outputs.classGrad[l].resize(like: outputs.classLogits[l])
                outputs.boxGrad[l].resize(like: outputs.boxDeltas[l])
            }
        }
        return outputs
    }

    /// Convenience overload for an `[Float]` image batch.
    @discardableResult
    public func forward(images: [Float], batch n: Int, height h: Int, width w: Int, training: Bool) throws -> HeadOutputs {
        guard images.count == n * 3 * h * w else {
            throw ShapeError(layer: "RetinaNet.input", expected: "\(n * 3 * h * w) floats", got: [images.count])
        }
        return try images.withUnsafeBufferPointer {
            try forward(images: $0.baseAddress!, batch: n, height: h, width: w, training: training)
        }
    }

    /// Backward from `outputs.classGrad` / `outputs.boxGrad`; accumulates every gradient.
    public func backward() {
        let n = outputs.batch, a = config.anchorsPerLocation
        for l in 0..<5 {
            let (h, w) = outputs.sizes[l]
            HeadOutputs.fromNHWC(outputs.classGrad[l], n: n, c: a * config.numClasses, h: h, w: w, into: gradCls[l], ctx: ctx)
            HeadOutputs.fromNHWC(outputs.boxGrad[l], n: n, c: a * 4, h: h, w: w, into: gradBox[l], ctx: ctx)
        }
        let dp = clsHead.backward(gradCls), db = boxHead.backward(gradBox)
        for l in 0..<5 { TensorOps.addInPlace(dp[l], db[l], ctx: ctx) }
        fpn.backward(dp)
        backbone.backward([nil] + fpn.featureGrads)
    }
}
