/// One convolution applied to several feature maps with the same weights — the RetinaNet head
/// convs on P3–P7. With the Winograd path the maps are tiled together and run as one pipeline
/// (one set of GEMMs for all levels instead of five small ones); otherwise each level runs its own
/// `Conv2d` application. `levels[l]` holds level l's activation caches and output / input-gradient
/// tensors either way; `levels[0]` owns the parameters.
public final class LevelConv2d {
    /// Per-level applications (level 0 owns `weight` / `bias`, the others share them).
    public let levels: [Conv2d]
    var plan: WinogradPlan?
    var usedWinograd = false

    public init(_ base: Conv2d, levels count: Int) {
        levels = [base] + (1..<max(count, 1)).map { _ in Conv2d(sharing: base) }
    }

    public var parameters: [Parameter] { levels[0].parameters }
    var base: Conv2d { levels[0] }

    /// outputs[l] = conv(xs[l]) for every level.
    public func forward(_ xs: [Tensor]) throws -> [Tensor] {
        precondition(xs.count == levels.count, "LevelConv2d: \(xs.count) inputs for \(levels.count) levels")
        usedWinograd = false
        let n = xs[0].n
        let sizes = xs.map { (h: $0.h, w: $0.w) }
        guard xs.allSatisfy({ $0.n == n && $0.c == base.inChannels }), base.usesWinograd(batch: n, sizes: sizes) else {
            return try zip(levels, xs).map { try $0.forward($1) }
        }
        for (conv, x) in zip(levels, xs) {
            conv.geometry = ConvGeometry(n: n, c: x.c, h: x.h, w: x.w, kh: 3, kw: 3, stride: 1, pad: 1)
            conv.input = x
            conv.usedWinograd = false
            conv.output.resize(n: n, c: conv.outChannels, h: x.h, w: x.w)
        }
        let p: WinogradPlan
        if let q = plan, q.matches(batch: n, sizes: sizes) { p = q } else { p = WinogradPlan(batch: n, sizes: sizes); plan = p }
        usedWinograd = true
        base.winogradForward(xs, into: levels.map(\.output), plan: p)
        return levels.map(\.output)
    }

    /// dL/dxs from dL/doutputs (each level's `gradInput`); accumulates weight and bias gradients.
    public func backward(_ dys: [Tensor]) -> [Tensor] {
        guard usedWinograd, let p = plan else { return zip(levels, dys).map { $0.backward($1)! } }
        let masked = maskedGradientsAccumulatingBias(dys)
        for conv in levels { conv.gradInput.resize(like: conv.input!) }
        base.winogradBackward(masked, plan: p, gradInputs: base.needsInputGrad ? levels.map(\.gradInput) : nil)
        return levels.map(\.gradInput)
    }

    /// Each level's dL/d(pre-activation) (ReLU-masked when fused), with the bias gradient
    /// accumulated from it.
    func maskedGradientsAccumulatingBias(_ dys: [Tensor]) -> [UnsafePointer<Float>] {
        zip(levels, dys).map { conv, dy in
            let d = conv.maskedGradient(dy)
            conv.accumulateBiasGrad(d)
            return d
        }
    }
}
