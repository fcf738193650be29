import Foundation

/// The Winograd F(4×4, 3×3) path of `Conv2d` (3×3, stride 1, padding 1; see `WinogradConv`),
/// for one input or for several inputs sharing the weights (`LevelConv2d`: one pipeline over the
/// tiles of all pyramid levels). FLOPs are reported as the direct convolution's (2·O·C·9 per
/// output pixel), so the profiler's GFLOP/s are effective rates comparable with the GEMM path.
extension Conv2d {
    /// Whether inputs of these sizes (`n` images each) take the Winograd path.
    func usesWinograd(batch n: Int, sizes: [(h: Int, w: Int)]) -> Bool {
        guard ctx.winogradEnabled,
              WinogradConv.supports(kernel: kernelSize, stride: stride, padding: padding, inChannels: inChannels) else { return false }
        let tiles = sizes.reduce(0) { $0 + n * (($1.h + 3) / 4) * (($1.w + 3) / 4) }
        let cachedWeights = ctx.inferenceForward && ctx.cacheWinogradWeightsAtInference
        return tiles >= (cachedWeights ? ctx.winogradMinTilesWithCachedWeights : ctx.winogradMinTiles)
    }

    /// The plan for one geometry, or nil when the direct kernels are used.
    func winogradPlan(_ g: ConvGeometry) -> WinogradPlan? {
        let sizes = [(h: g.h, w: g.w)]
        guard usesWinograd(batch: g.n, sizes: sizes) else { return nil }
        if let p = winograd, p.matches(batch: g.n, sizes: sizes) { return p }
        let p = WinogradPlan(batch: g.n, sizes: sizes)
        winograd = p
        return p
    }

    /// outputs[l] = epilogues[l](conv(xs[l])) through one Winograd pipeline (outputs already
    /// sized); one epilogue serves every level when only one is given; default: bias (ReLU).
    func winogradForward(_ xs: [Tensor], into outs: [Tensor], plan: WinogradPlan, epilogues: [ConvEpilogue]? = nil) {
        ctx.timed("conv3x3.forward(winograd)", flops: winogradFlops(plan)) {
            winogradPackInput(xs, plan: plan)
            winogradUnpack(winogradConvolve(plan), plan: plan, into: outs, epilogues: epilogues ?? [ownEpilogue])
        }
    }

    /// outs[l] = epilogues[l](raw) for the raw blocked output of a convolution with this layer's
    /// output channels (one epilogue serves every level when only one is given).
    func winogradUnpack(_ raw: UnsafePointer<Float>, plan: WinogradPlan, into outs: [Tensor], epilogues: [ConvEpilogue]) {
        ctx.timed("  winograd fwd: unpack", flops: 0) {
            WinogradConv.unpack(plan, raw, channels: outChannels, into: outs.map { $0.data }, epilogues: epilogues, ctx: ctx)
        }
    }

    /// plan.input = the CNHW maps `xs` in the padded blocked layout (kept for the weight gradient).
    func winogradPackInput(_ xs: [Tensor], plan: WinogradPlan) {
        ctx.timed("  winograd fwd: pack", flops: 0) {
            WinogradConv.pack(plan, sources: xs.map { UnsafePointer($0.data) }, channels: inChannels,
                              into: plan.input.get(plan.paddedCount(channels: inChannels)), ctx: ctx)
        }
    }

    /// plan.grad = the CNHW output gradients `dys` (already ReLU-masked) in the padded blocked layout.
    func winogradPackGrad(_ dys: [UnsafePointer<Float>], plan: WinogradPlan) {
        WinogradConv.pack(plan, sources: dys, channels: outChannels, into: plan.grad.get(plan.paddedCount(channels: outChannels)),
                          ctx: ctx)
    }

    /// Direct-convolution FLOPs of one pass over every position of `plan`.
    func winogradFlops(_ plan: WinogradPlan) -> Double {
        2 * Double(outChannels) * Double(inChannels * 9) * Double(plan.positions)
    }

    /// conv(plan.input) without bias, as a padded blocked buffer (the context's `winogradOut`,
    /// valid until the next Winograd convolution).
    func winogradConvolve(_ plan: WinogradPlan) -> UnsafeMutablePointer<Float> {
        let c = inChannels, o = outChannels
        let u = transformedWeights()
        let yp = ctx.winogradOut.get(plan.paddedCount(channels: o))
        ctx.timed("  winograd fwd: convolve \(c)→\(o) \(plan.tiles) tiles", flops: winogradFlops(plan)) {
            WinogradConv.convolve(plan, input: plan.input.data, cIn: c, u: u, cOut: o, output: yp, ctx: ctx)
        }
        return yp
    }

    /// The forward B operand U = G w Gᵀ: recomputed into the context's scratch, or — while
    /// `ctx.inferenceForward` and `ctx.cacheWinogradWeightsAtInference` are set — kept in
    /// `winogradCache` and reused as long as the weights equal the copy taken when it was built
    /// (compared in full on every use, so weight updates or checkpoint loads are always seen).
    func transformedWeights() -> UnsafeMutablePointer<Float> {
        let c = inChannels, o = outChannels, count = WinogradConv.weightsCount(cIn: c, cOut: o)
        let w = weight.value.data, wc = weight.count
        let cached = ctx.inferenceForward && ctx.cacheWinogradWeightsAtInference
        if cached, let cache = winogradCache, cache.holds(w, count: wc) { return cache.u.data }
        let u: UnsafeMutablePointer<Float>
        if cached {
            let cache = winogradCache ?? WinogradWeightCache()
            winogradCache = cache
            cache.weights.resize(n: 1, c: wc, h: 1, w: 1)
            cache.weights.data.update(from: w, count: wc)
            u = cache.u.get(count)
        } else {
            u = ctx.winogradWeights.get(count)
        }
        let taps = ctx.winogradTaps.get(WinogradConv.weightScratchCount(cIn: c, cOut: o))
        ctx.timed("  winograd fwd: weight transform \(c)→\(o)", flops: 0) {
            WinogradConv.forwardWeights(w, outChannels: o, inChannels: c, into: u, scratch: taps, ctx: ctx)
        }
        return u
    }

    /// Weight gradient (and input gradient when needed) from dL/dy (already ReLU-masked).
    func backwardWinograd(_ dy: UnsafePointer<Float>, _ plan: WinogradPlan) -> Tensor? {
        guard let x = input else { return nil }
        gradInput.resize(like: x)
        winogradBackward([dy], plan: plan, gradInputs: needsInputGrad ? [gradInput] : nil)
        return needsInputGrad ? gradInput : nil
    }

    /// weight.grad += Σ_l dW(xs[l], dys[l]) from the blocked inputs kept by the last forward;
    /// gradInputs[l] (already sized) = dL/dxs[l] when given.
    func winogradBackward(_ dys: [UnsafePointer<Float>], plan: WinogradPlan, gradInputs: [Tensor]?) {
        let flops = winogradFlops(plan)
        ctx.timed("conv3x3.weightGrad(winograd)", flops: flops) {
            winogradPackGrad(dys, plan: plan)
            winogradWeightGradBlocked(plan)
        }
        guard let gradInputs else { return }
        ctx.timed("conv3x3.inputGrad(winograd)", flops: flops) {
            let dxp = winogradInputGradBlocked(plan)
            WinogradConv.unpack(plan, dxp, channels: inChannels, into: gradInputs.map { $0.data }, epilogues: [.none], ctx: ctx)
        }
    }

    /// weight.grad += dW from the blocked input and the blocked output gradient in `plan.grad`.
    func winogradWeightGradBlocked(_ plan: WinogradPlan) {
        WinogradConv.weightGrad(plan, input: plan.input.data, cIn: inChannels, grad: plan.grad.data, cOut: outChannels,
                                dw: weight.grad.data, ctx: ctx)
    }

    /// dL/dx as a padded blocked buffer (the context's `winogradOut`) from the blocked output
    /// gradient in `plan.grad`.
    func winogradInputGradBlocked(_ plan: WinogradPlan) -> UnsafeMutablePointer<Float> {
        let c = inChannels, o = outChannels
        let u = ctx.winogradWeights.get(WinogradConv.weightsCount(cIn: o, cOut: c))
        let taps = ctx.winogradTaps.get(WinogradConv.weightScratchCount(cIn: c, cOut: o))
        ctx.timed("  winograd igrad: weight transform \(c)→\(o)", flops: 0) {
            WinogradConv.inputGradWeights(weight.value.data, outChannels: o, inChannels: c, into: u, scratch: taps, ctx: ctx)
        }
        let dxp = ctx.winogradOut.get(plan.paddedCount(channels: c))
        WinogradConv.convolve(plan, input: plan.grad.data, cIn: o, u: u, cOut: c, output: dxp, ctx: ctx)
        return dxp
    }
}

/// Transformed forward weights of one convolution kept across inference forwards, with the raw
/// weights they were built from.
final class WinogradWeightCache {
    let u = ScratchBuffer()
    let weights = Tensor()

    /// Whether the copy holds exactly these `count` floats (bit patterns, so −0 ≠ +0).
    func holds(_ w: UnsafePointer<Float>, count: Int) -> Bool {
        weights.count == count && memcmp(weights.data, w, count * MemoryLayout<Float>.stride) == 0
    }
}
