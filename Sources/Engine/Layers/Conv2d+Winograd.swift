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
        return tiles >= ctx.winogradMinTiles
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

    func forwardWinograd(_ x: Tensor, _ plan: WinogradPlan) {
        winogradForward([x], into: [output], plan: plan)
    }

    /// outputs[l] = (ReLU)(conv(xs[l]) + bias) through one Winograd pipeline (outputs already sized).
    func winogradForward(_ xs: [Tensor], into outs: [Tensor], plan: WinogradPlan) {
        let c = inChannels, o = outChannels
        let pixels = xs.reduce(0) { $0 + $1.channelStride }
        let flops = 2 * Double(o) * Double(c * 9) * Double(pixels)
        ctx.timed("conv3x3.forward(winograd)", flops: flops) {
            let u = ctx.winogradWeights.get(36 * WinogradConv.round(o, 32) * c + 64)
            let taps = ctx.winogradTaps.get(WinogradConv.round(o, 16) * c * 9 + 64)
            WinogradConv.forwardWeights(weight.value.data, outChannels: o, inChannels: c, into: u, scratch: taps, ctx: ctx)
            let xp = plan.input.get(plan.paddedCount(channels: c))
            WinogradConv.pack(plan, sources: xs.map { UnsafePointer($0.data) }, channels: c, into: xp, ctx: ctx)
            let yp = ctx.winogradOut.get(plan.paddedCount(channels: o))
            WinogradConv.convolve(plan, input: xp, cIn: c, u: u, cOut: o, output: yp, ctx: ctx)
            WinogradConv.unpack(plan, yp, channels: o, into: outs.map { $0.data }, bias: bias.map { UnsafePointer($0.value.data) },
                                relu: fusedReLU, ctx: ctx)
        }
    }

    /// Weight gradient (and input gradient when needed) from dL/dy (already ReLU-masked).
    func backwardWinograd(_ dy: UnsafePointer<Float>, _ plan: WinogradPlan) -> Tensor? {
        guard let x = input else { return nil }
        gradInput.resize(like: x)
        winogradBackward([dy], pixels: geometry.columns, plan: plan, gradInputs: needsInputGrad ? [gradInput] : nil)
        return needsInputGrad ? gradInput : nil
    }

    /// weight.grad += Σ_l dW(xs[l], dys[l]) from the blocked inputs kept by the last forward;
    /// gradInputs[l] (already sized) = dL/dxs[l] when given.
    func winogradBackward(_ dys: [UnsafePointer<Float>], pixels: Int, plan: WinogradPlan, gradInputs: [Tensor]?) {
        let c = inChannels, o = outChannels
        let flops = 2 * Double(o) * Double(c * 9) * Double(pixels)
        let gp = plan.grad.get(plan.paddedCount(channels: o))
        ctx.timed("conv3x3.weightGrad(winograd)", flops: flops) {
            WinogradConv.pack(plan, sources: dys, channels: o, into: gp, ctx: ctx)
            WinogradConv.weightGrad(plan, input: plan.input.data, cIn: c, grad: gp, cOut: o, dw: weight.grad.data, ctx: ctx)
        }
        guard let gradInputs else { return }
        ctx.timed("conv3x3.inputGrad(winograd)", flops: flops) {
            let u = ctx.winogradWeights.get(36 * WinogradConv.round(c, 32) * WinogradConv.round(o, 16) + 64)
            let taps = ctx.winogradTaps.get(o * c * 9 + 64)
            WinogradConv.inputGradWeights(weight.value.data, outChannels: o, inChannels: c, into: u, scratch: taps, ctx: ctx)
            let dxp = ctx.winogradOut.get(plan.paddedCount(channels: c))
            WinogradConv.convolve(plan, input: gp, cIn: o, u: u, cOut: c, output: dxp, ctx: ctx)
            WinogradConv.unpack(plan, dxp, channels: c, into: gradInputs.map { $0.data }, bias: nil, relu: false, ctx: ctx)
        }
    }
}
