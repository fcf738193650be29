/// ResNet-style backbone: stem 7×7/2 conv (no bias) + BN + ReLU + 3×3/2 max-pool, then four
/// stages of residual blocks (strides 1, 2, 2, 2; widths w, 2w, 4w, 8w × block expansion).
/// Parameter names follow torchvision's `ResNet` ("conv1.weight", "layer2.0.downsample.1.bias"…),
/// so a backbone checkpoint loads into a torchvision ResNet of the same layout.
public final class ResNetBackbone {
    /// Residual block family.
    public enum BlockType: String, Sendable, Codable { case basic, bottleneck }

    /// The layout: block type, blocks per stage, stem width.
    public struct Layout: Sendable, Equatable {
        public var blockType: BlockType
        public var stageBlocks: [Int]
        public var width: Int
        public init(blockType: BlockType, stageBlocks: [Int], width: Int) {
            self.blockType = blockType; self.stageBlocks = stageBlocks; self.width = width
        }

        /// torchvision's layouts by depth: 18/34 BasicBlock, 50/101 Bottleneck.
        public static func resnet(depth: Int, width: Int) throws -> Layout {
            switch depth {
            case 10: return Layout(blockType: .basic, stageBlocks: [1, 1, 1, 1], width: width)
            case 18: return Layout(blockType: .basic, stageBlocks: [2, 2, 2, 2], width: width)
            case 34: return Layout(blockType: .basic, stageBlocks: [3, 4, 6, 3], width: width)
            case 50: return Layout(blockType: .bottleneck, stageBlocks: [3, 4, 6, 3], width: width)
            case 101: return Layout(blockType: .bottleneck, stageBlocks: [3, 4, 23, 3], width: width)
            default: throw ModelError.unsupportedDepth(depth)
            }
        }

        /// Output channels of stage i (0-based): width·2^i·expansion.
        public func stageChannels(_ i: Int) -> Int {
            width << i * (blockType == .basic ? 1 : BottleneckBlock.expansion)
        }
    }

    public let layout: Layout
    let ctx: ComputeContext
    let conv1: Conv2d
    let bn1: BatchNorm
    let pool: MaxPool2d
    /// Stages layer1…layer4.
    let stages: [[ResidualBlock]]
    /// Stage outputs C2…C5 of the last forward.
    public private(set) var features: [Tensor] = []
    /// The stem and stages 1…k are frozen (nil: nothing is); see `freeze(throughStage:)`.
    public private(set) var frozenThroughStage: Int?

    public init(layout: Layout, bnMode: BatchNorm.Mode = .train, ctx: ComputeContext) {
        self.layout = layout; self.ctx = ctx
        conv1 = Conv2d(name: "conv1", inputChannels: 3, outputChannels: layout.width, kernelSize: 7, stride: 2,
                       padding: 3, bias: false, ctx: ctx)
        conv1.needsInputGrad = false
        bn1 = BatchNorm(name: "bn1", channels: layout.width, mode: bnMode, fusedReLU: true, ctx: ctx)
        pool = MaxPool2d(kernelSize: 3, stride: 2, padding: 1, ctx: ctx)
        var inC = layout.width
        var st: [[ResidualBlock]] = []
        for (i, count) in layout.stageBlocks.enumerated() {
            var blocks: [ResidualBlock] = []
            let planes = layout.width << i
            for b in 0..<count {
                let name = "layer\(i + 1).\(b)"
                let stride = (b == 0 && i > 0) ? 2 : 1
                let block: ResidualBlock = layout.blockType == .basic
                    ? BasicBlock(name: name, inChannels: inC, planes: planes, stride: stride, bnMode: bnMode, ctx: ctx)
                    : BottleneckBlock(name: name, inChannels: inC, planes: planes, stride: stride, bnMode: bnMode, ctx: ctx)
                inC = block.outChannels
                blocks.append(block)
            }
            st.append(blocks)
        }
        stages = st
    }

    /// All parameters and BN buffers, in torchvision order.
    public var parameters: [Parameter] {
        conv1.parameters + bn1.parameters + stages.flatMap { $0.flatMap { $0.parameters } }
    }

    /// Freezes the stem (k = 0) and stages 1…k (Detectron's FREEZE_AT = 2 is k = 1): their
    /// parameters become non-trainable and `backward` stops before them (no weight gradients, no
    /// input gradient into them). Cannot be undone; freezing fewer stages later keeps the larger k.
    public func freeze(throughStage k: Int) throws {
        guard (0...stages.count).contains(k) else {
            throw ModelError.invalid("freeze(throughStage: \(k)): expected 0…\(stages.count) (0 = stem only)")
        }
        let k = max(k, frozenThroughStage ?? 0)
        frozenThroughStage = k
        for p in conv1.parameters + bn1.parameters + stages.prefix(k).flatMap({ $0.flatMap { $0.parameters } }) {
            p.trainable = false
        }
    }

    /// Every BatchNorm layer (to switch train/frozen mode after pretraining).
    public var batchNorms: [BatchNorm] { [bn1] + stages.flatMap { $0.flatMap { $0.batchNorms } } }

    /// Kaiming-normal convs (fan_out), BN γ = 1, β = 0 (torchvision's ResNet init).
    public func initialize(_ rng: inout SeededRandom) {
        conv1.initKaiming(&rng)
        for blocks in stages {
            for block in blocks {
                let convs = (block as? BasicBlock)?.convs ?? (block as? BottleneckBlock)?.convs ?? []
                for c in convs { c.initKaiming(&rng) }
            }
        }
    }

    /// Runs the backbone on a CNHW image batch (3 channels); returns [C2, C3, C4, C5].
    @discardableResult
    public func forward(_ x: Tensor, training: Bool) throws -> [Tensor] {
        let stem = try conv1.forward(x, bn: bn1, training: training)
        var t = try ctx.timed("maxpool.forward", flops: 0) { try pool.forward(stem, training: training) }
        var feats: [Tensor] = []
        for blocks in stages {
            for b in blocks { t = try b.forward(t, training: training) }
            feats.append(t)
        }
        features = feats
        return feats
    }

    /// Backward from gradients w.r.t. stage outputs (nil = no gradient from outside for that
    /// stage; index 0…3 = C2…C5). Tensors passed in may be modified (used as accumulators).
    public func backward(_ grads: [Tensor?]) {
        var carry: Tensor? = nil
        let frozen = frozenThroughStage ?? -1
        for s in stride(from: stages.count - 1, through: 0, by: -1) {
            if s < frozen { return }  // stage s + 1 and everything below it are frozen
            var g: Tensor? = grads.count > s ? grads[s] : nil
            if let c = carry {
                if let gg = g { TensorOps.addInPlace(gg, c, ctx: ctx) } else { g = c }
            }
            guard var d = g else { carry = nil; continue }
            for b in stages[s].reversed() { d = b.backward(d) }
            carry = d
        }
        guard frozen < 0, let c = carry else { return }
        _ = conv1.backward(bn1.backward(pool.backward(c)))
    }
}

/// Invalid model configuration.
public enum ModelError: Error, CustomStringConvertible {
    case unsupportedDepth(Int)
    case invalid(String)
    public var description: String {
        switch self {
        case .unsupportedDepth(let d): return "unsupported backbone depth \(d) (supported: 10, 18, 34, 50, 101)"
        case .invalid(let s): return s
        }
    }
}
