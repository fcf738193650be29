/// A ResNet residual block: out = ReLU(F(x) + shortcut(x)), with explicit backward.
public protocol ResidualBlock: AnyObject {
    var outChannels: Int { get }
    var parameters: [Parameter] { get }
    var batchNorms: [BatchNorm] { get }
    func forward(_ x: Tensor, training: Bool) throws -> Tensor
    /// dL/dx from dL/dout; accumulates parameter gradients.
    func backward(_ dy: Tensor) -> Tensor
}

/// The residual shortcut: identity, or 1×1 conv (stride s, no bias) + BN when shape changes
/// (torchvision's "downsample.0" / "downsample.1").
final class Shortcut {
    let conv: Conv2d?
    let bn: BatchNorm?
    init(name: String, inChannels: Int, outChannels: Int, stride: Int, bnMode: BatchNorm.Mode, ctx: ComputeContext) {
        if stride != 1 || inChannels != outChannels {
            conv = Conv2d(name: name + ".0", inputChannels: inChannels, outputChannels: outChannels, kernelSize: 1,
                          stride: stride, bias: false, ctx: ctx)
            bn = BatchNorm(name: name + ".1", channels: outChannels, mode: bnMode, ctx: ctx)
        } else {
            conv = nil; bn = nil
        }
    }
    var parameters: [Parameter] { (conv?.parameters ?? []) + (bn?.parameters ?? []) }
    func forward(_ x: Tensor, training: Bool) throws -> Tensor {
        guard let conv, let bn else { return x }
        return try conv.forward(x, bn: bn, training: training)
    }
    /// Adds dL/dx of the shortcut into `dx`.
    func backward(_ dy: Tensor, addInto dx: Tensor, ctx: ComputeContext) {
        if let conv, let bn, let g = conv.backward(bn.backward(dy)) {
            TensorOps.addInPlace(dx, g, ctx: ctx)
        } else if conv == nil {
            TensorOps.addInPlace(dx, dy, ctx: ctx)
        }
    }
}

/// ResNet BasicBlock: 3×3 (stride s) – BN – ReLU – 3×3 – BN, + shortcut, ReLU.
public final class BasicBlock: ResidualBlock {
    let conv1: Conv2d, bn1: BatchNorm, conv2: Conv2d, bn2: BatchNorm
    let shortcut: Shortcut
    let ctx: ComputeContext
    public let outChannels: Int
    let output = Tensor(), gradSum = Tensor()
    /// Whether the last forward ran both convs as one blocked Winograd chain (`forwardChainedFolded`).
    var chainedAtInference = false

    public init(name: String, inChannels: Int, planes: Int, stride: Int, bnMode: BatchNorm.Mode, ctx: ComputeContext) {
        self.ctx = ctx; outChannels = planes
        conv1 = Conv2d(name: name + ".conv1", inputChannels: inChannels, outputChannels: planes, kernelSize: 3,
                       stride: stride, padding: 1, bias: false, ctx: ctx)
        bn1 = BatchNorm(name: name + ".bn1", channels: planes, mode: bnMode, fusedReLU: true, ctx: ctx)
        conv2 = Conv2d(name: name + ".conv2", inputChannels: planes, outputChannels: planes, kernelSize: 3,
                       padding: 1, bias: false, ctx: ctx)
        bn2 = BatchNorm(name: name + ".bn2", channels: planes, mode: bnMode, ctx: ctx)
        shortcut = Shortcut(name: name + ".downsample", inChannels: inChannels, outChannels: planes, stride: stride,
                            bnMode: bnMode, ctx: ctx)
    }

    public var parameters: [Parameter] {
        conv1.parameters + bn1.parameters + conv2.parameters + bn2.parameters + shortcut.parameters
    }
    public var batchNorms: [BatchNorm] { [bn1, bn2] + (shortcut.bn.map { [$0] } ?? []) }
    var convs: [Conv2d] { [conv1, conv2] + (shortcut.conv.map { [$0] } ?? []) }

    /// Inference (`training: false`) folds each BN into its conv and the residual add + ReLU
    /// into conv2's output pass; the result is then `conv2.output`, bitwise the unfolded value.
    public func forward(_ x: Tensor, training: Bool) throws -> Tensor {
        chainedAtInference = false
        if !training && ctx.foldBatchNormAtInference, let y = try forwardChainedFolded(x) { return y }
        let a = try conv1.forward(x, bn: bn1, training: training)
        if !training && ctx.foldBatchNormAtInference {
            return try conv2.forwardFolded(a, bn: bn2, residual: try shortcut.forward(x, training: false), relu: true)
        }
        let b = try bn2.forward(try conv2.forward(a), training: training)
        let s = try shortcut.forward(x, training: training)
        ctx.timed("block.addReLU", flops: 0) { TensorOps.addReLU(b, s, into: output, ctx: ctx) }
        return output
    }

    public func backward(_ dy: Tensor) -> Tensor {
        TensorOps.reluMask(dy, output: output, into: gradSum, ctx: ctx)
        let d = bn1.backward(conv2.backward(bn2.backward(gradSum))!)
        let dx = conv1.backward(d)!
        shortcut.backward(gradSum, addInto: dx, ctx: ctx)
        return dx
    }
}

/// ResNet Bottleneck (v1.5, stride on the 3×3): 1×1 – BN – ReLU – 3×3/s – BN – ReLU – 1×1 (4×)
/// – BN, + shortcut, ReLU.
public final class BottleneckBlock: ResidualBlock {
    let conv1: Conv2d, bn1: BatchNorm, conv2: Conv2d, bn2: BatchNorm, conv3: Conv2d, bn3: BatchNorm
    let shortcut: Shortcut
    let ctx: ComputeContext
    public let outChannels: Int
    let output = Tensor(), gradSum = Tensor()
    public static let expansion = 4

    public init(name: String, inChannels: Int, planes: Int, stride: Int, bnMode: BatchNorm.Mode, ctx: ComputeContext) {
        self.ctx = ctx
        outChannels = planes * BottleneckBlock.expansion
        conv1 = Conv2d(name: name + ".conv1", inputChannels: inChannels, outputChannels: planes, kernelSize: 1,
                       bias: false, ctx: ctx)
        bn1 = BatchNorm(name: name + ".bn1", channels: planes, mode: bnMode, fusedReLU: true, ctx: ctx)
        conv2 = Conv2d(name: name + ".conv2", inputChannels: planes, outputChannels: planes, kernelSize: 3,
                       stride: stride, padding: 1, bias: false, ctx: ctx)
        bn2 = BatchNorm(name: name + ".bn2", channels: planes, mode: bnMode, fusedReLU: true, ctx: ctx)
        conv3 = Conv2d(name: name + ".conv3", inputChannels: planes, outputChannels: outChannels, kernelSize: 1,
                       bias: false, ctx: ctx)
        bn3 = BatchNorm(name: name + ".bn3", channels: outChannels, mode: bnMode, ctx: ctx)
        shortcut = Shortcut(name: name + ".downsample", inChannels: inChannels, outChannels: outChannels, stride: stride,
                            bnMode: bnMode, ctx: ctx)
    }

    public var parameters: [Parameter] {
        conv1.parameters + bn1.parameters + conv2.parameters + bn2.parameters + conv3.parameters + bn3.parameters
            + shortcut.parameters
    }
    public var batchNorms: [BatchNorm] { [bn1, bn2, bn3] + (shortcut.bn.map { [$0] } ?? []) }
    var convs: [Conv2d] { [conv1, conv2, conv3] + (shortcut.conv.map { [$0] } ?? []) }

    /// Inference folds every BN into its conv and the residual add + ReLU into conv3's output pass.
    public func forward(_ x: Tensor, training: Bool) throws -> Tensor {
        let a = try conv1.forward(x, bn: bn1, training: training)
        let b = try conv2.forward(a, bn: bn2, training: training)
        if !training && ctx.foldBatchNormAtInference {
            return try conv3.forwardFolded(b, bn: bn3, residual: try shortcut.forward(x, training: false), relu: true)
        }
        let c = try bn3.forward(try conv3.forward(b), training: training)
        let s = try shortcut.forward(x, training: training)
        ctx.timed("block.addReLU", flops: 0) { TensorOps.addReLU(c, s, into: output, ctx: ctx) }
        return output
    }

    public func backward(_ dy: Tensor) -> Tensor {
        TensorOps.reluMask(dy, output: output, into: gradSum, ctx: ctx)
        let d3 = conv3.backward(bn3.backward(gradSum))!
        let d2 = conv2.backward(bn2.backward(d3))!
        let dx = conv1.backward(bn1.backward(d2))!
        shortcut.backward(gradSum, addInto: dx, ctx: ctx)
        return dx
    }
}
