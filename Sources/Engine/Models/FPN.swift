/// Feature pyramid P3–P7 (the paper's RetinaNet variant): lateral 1×1 convs on C3–C5, top-down
/// nearest upsampling + add, 3×3 output convs; P6 = 3×3/2 conv on C5, P7 = 3×3/2 conv on
/// ReLU(P6). All convs have biases; names "fpn.lateral3", "fpn.output3", …, "fpn.p6", "fpn.p7".
public final class FPN {
    public let channels: Int
    let ctx: ComputeContext
    let lateral: [Conv2d]   // for C3, C4, C5
    let output: [Conv2d]    // for P3, P4, P5
    let p6: Conv2d, p7: Conv2d
    let p6ReLU: ReLU
    let up: [Upsample]      // up[0]: inner4 → size of C3, up[1]: inner5 → size of C4
    let inner = [Tensor(), Tensor()]  // inner3, inner4 (lateral + upsampled)
    let innerGrad = [Tensor(), Tensor()]
    /// Gradients w.r.t. C3, C4, C5 after backward.
    public private(set) var featureGrads: [Tensor] = []

    public init(inChannels: [Int], channels: Int, ctx: ComputeContext) {
        self.channels = channels; self.ctx = ctx
        lateral = (0..<3).map { Conv2d(name: "fpn.lateral\($0 + 3)", inputChannels: inChannels[$0], outputChannels: channels,
                                       kernelSize: 1, ctx: ctx) }
        output = (0..<3).map { Conv2d(name: "fpn.output\($0 + 3)", inputChannels: channels, outputChannels: channels,
                                      kernelSize: 3, padding: 1, ctx: ctx) }
        p6 = Conv2d(name: "fpn.p6", inputChannels: inChannels[2], outputChannels: channels, kernelSize: 3, stride: 2,
                    padding: 1, ctx: ctx)
        p7 = Conv2d(name: "fpn.p7", inputChannels: channels, outputChannels: channels, kernelSize: 3, stride: 2,
                    padding: 1, ctx: ctx)
        p6ReLU = ReLU(ctx: ctx)
        up = [Upsample(ctx: ctx), Upsample(ctx: ctx)]
    }

    var convs: [Conv2d] { lateral + output + [p6, p7] }
    public var parameters: [Parameter] { convs.flatMap { $0.parameters } }

    /// Xavier-uniform weights (Detectron's FPN init), zero biases.
    public func initialize(_ rng: inout SeededRandom) {
        for c in convs {
            let k2 = c.kernelSize * c.kernelSize
            let bound = (6.0 / Double((c.inChannels + c.outChannels) * k2)).squareRoot()
            for i in 0..<c.weight.count { c.weight.value.data[i] = Float(rng.uniform(-bound, bound)) }
            c.bias?.fill(0)
        }
    }

    /// [P3, P4, P5, P6, P7] from [C3, C4, C5].
    public func forward(_ c: [Tensor]) throws -> [Tensor] {
        let l5 = try lateral[2].forward(c[2])
        let p5 = try output[2].forward(l5)
        let l4 = try lateral[1].forward(c[1])
        ctx.timed("fpn.upsample+add", flops: 0) {
            TensorOps.add(l4, up[1].forward(l5, height: l4.h, width: l4.w), into: inner[1], ctx: ctx)
        }
        let p4 = try output[1].forward(inner[1])
        let l3 = try lateral[0].forward(c[0])
        ctx.timed("fpn.upsample+add", flops: 0) {
            TensorOps.add(l3, up[0].forward(inner[1], height: l3.h, width: l3.w), into: inner[0], ctx: ctx)
        }
        let p3 = try output[0].forward(inner[0])
        let q6 = try p6.forward(c[2])
        let q7 = try p7.forward(p6ReLU.forward(q6))
        return [p3, p4, p5, q6, q7]
    }

    /// Backward from dL/dP3…dP7 (tensors may be modified); sets `featureGrads` = [dC3, dC4, dC5].
    public func backward(_ d: [Tensor]) {
        // P7 → ReLU → P6 gradient
        let dq6 = p6ReLU.backward(p7.backward(d[4])!)
        TensorOps.addInPlace(dq6, d[3], ctx: ctx)
        let dC5fromP6 = p6.backward(dq6)!
        // P3 branch
        let dInner3 = output[0].backward(d[0])!
        let dC3 = lateral[0].backward(dInner3)!
        // inner4 receives from P4 and from the upsample into inner3
        let dInner4 = output[1].backward(d[1])!
        TensorOps.addInPlace(dInner4, up[0].backward(dInner3), ctx: ctx)
        let dC4 = lateral[1].backward(dInner4)!
        let dL5 = output[2].backward(d[2])!
        TensorOps.addInPlace(dL5, up[1].backward(dInner4), ctx: ctx)
        let dC5 = lateral[2].backward(dL5)!
        TensorOps.addInPlace(dC5, dC5fromP6, ctx: ctx)
        featureGrads = [dC3, dC4, dC5]
    }
}
