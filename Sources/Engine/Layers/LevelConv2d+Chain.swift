/// Chained Winograd applications: consecutive `LevelConv2d`s whose activations stay in the padded
/// 16-channel-blocked layout between them (`HeadBranch` without GroupNorm). The first conv packs
/// its CNHW inputs, each following conv's blocked input is the previous raw output with bias and
/// ReLU applied (`WinogradConv.biasReLU`), and the last conv unpacks to CNHW with its own epilogue.
/// Backward mirrors it: the last conv packs its CNHW output gradient, each earlier conv's blocked
/// output gradient is the next conv's blocked input gradient masked by the ReLU
/// (`WinogradConv.reluMask`, which also sums the bias gradient), and the first conv unpacks its
/// input gradient. Forward values and weight / input gradients are bitwise those of the unchained
/// path; bias gradients are summed in another order.
extension LevelConv2d {
    /// Sets every level's geometry and output size for maps of `sizes` and returns the plan (kept
    /// for the backward pass).
    func chainPlan(batch n: Int, sizes: [(h: Int, w: Int)]) -> WinogradPlan {
        for (conv, s) in zip(levels, sizes) {
            conv.geometry = ConvGeometry(n: n, c: base.inChannels, h: s.h, w: s.w, kh: 3, kw: 3, stride: 1, pad: 1)
            conv.usedWinograd = false
            conv.output.resize(n: n, c: base.outChannels, h: s.h, w: s.w)
        }
        let p: WinogradPlan
        if let q = plan, q.matches(batch: n, sizes: sizes) { p = q } else { p = WinogradPlan(batch: n, sizes: sizes); plan = p }
        usedWinograd = true
        return p
    }

    /// First conv of a chain: packs the CNHW maps into the plan's blocked input (and keeps them
    /// for the input-gradient shapes).
    func chainEnter(_ xs: [Tensor], plan p: WinogradPlan) {
        let ctx = base.ctx
        for (conv, x) in zip(levels, xs) { conv.input = x }
        ctx.timed("conv3x3.forward(winograd)", flops: 0) { base.winogradPackInput(xs, plan: p) }
    }

    /// conv(plan.input) without bias, blocked (valid until the next Winograd convolution).
    func chainConvolve(_ p: WinogradPlan) -> UnsafeMutablePointer<Float> {
        base.ctx.timed("conv3x3.forward(winograd)", flops: base.winogradFlops(p)) { base.winogradConvolve(p) }
    }

    /// next's blocked input = ReLU(raw + bias) of this conv's raw blocked output `raw`.
    func chainActivate(_ raw: UnsafePointer<Float>, plan p: WinogradPlan, into next: WinogradPlan) {
        let ctx = base.ctx, c = base.outChannels
        ctx.timed("conv3x3.forward(winograd)", flops: 0) {
            ctx.timed("  winograd chain: bias+ReLU", flops: 0) {
                WinogradConv.biasReLU(p, raw, channels: c, bias: base.bias.map { UnsafePointer($0.value.data) },
                                      into: next.input.get(next.paddedCount(channels: c)), ctx: ctx)
            }
        }
    }

    /// Last conv of a chain: unpacks the raw blocked output to every level's CNHW output with
    /// the layer's own epilogue.
    func chainExit(_ raw: UnsafePointer<Float>, plan p: WinogradPlan) -> [Tensor] {
        base.ctx.timed("conv3x3.forward(winograd)", flops: 0) {
            base.winogradUnpack(raw, plan: p, into: levels.map(\.output), epilogues: [base.ownEpilogue])
        }
        return levels.map(\.output)
    }

    /// Last conv of a chain, backward: packs the CNHW output gradients (masked by the fused ReLU
    /// if any; bias gradients accumulated) into the plan's blocked output gradient.
    func chainGradEnter(_ dys: [Tensor], plan p: WinogradPlan) {
        let ctx = base.ctx
        let masked = maskedGradientsAccumulatingBias(dys)
        ctx.timed("conv3x3.weightGrad(winograd)", flops: 0) { base.winogradPackGrad(masked, plan: p) }
    }

    /// This conv's blocked output gradient = `dInput` (the next conv's blocked input gradient)
    /// where the next conv's blocked input (this conv's ReLU output) is positive; bias gradient
    /// accumulated.
    func chainGradFromNext(_ dInput: UnsafePointer<Float>, next: WinogradPlan, plan p: WinogradPlan) {
        let ctx = base.ctx, c = base.outChannels
        ctx.timed("conv3x3.weightGrad(winograd)", flops: 0) {
            ctx.timed("  winograd chain: ReLU mask", flops: 0) {
                WinogradConv.reluMask(p, dInput, activation: next.input.data, channels: c,
                                      into: p.grad.get(p.paddedCount(channels: c)),
                                      biasGrad: base.bias?.grad.data, ctx: ctx)
            }
        }
    }

    /// Weight gradient from the plan's blocked input and output gradient; returns the blocked
    /// input gradient when `inputGrad` (valid until the next Winograd convolution).
    func chainBackward(_ p: WinogradPlan, inputGrad: Bool) -> UnsafeMutablePointer<Float>? {
        let ctx = base.ctx, flops = base.winogradFlops(p)
        ctx.timed("conv3x3.weightGrad(winograd)", flops: flops) { base.winogradWeightGradBlocked(p) }
        guard inputGrad else { return nil }
        return ctx.timed("conv3x3.inputGrad(winograd)", flops: flops) { base.winogradInputGradBlocked(p) }
    }

    /// First conv of a chain, backward: unpacks the blocked input gradient to every level's
    /// CNHW `gradInput`.
    func chainGradExit(_ dxp: UnsafePointer<Float>, plan p: WinogradPlan) -> [Tensor] {
        let ctx = base.ctx
        for conv in levels { conv.gradInput.resize(like: conv.input!) }
        ctx.timed("conv3x3.inputGrad(winograd)", flops: 0) {
            WinogradConv.unpack(p, dxp, channels: base.inChannels, into: levels.map { $0.gradInput.data },
                                epilogues: [.none], ctx: ctx)
        }
        return levels.map(\.gradInput)
    }
}
