/// Inference through a BasicBlock's two 3×3 convolutions without leaving the Winograd blocked
/// layout: conv1's folded BatchNorm + ReLU run on its blocked result (`WinogradConv.biasReLU`
/// with a scale), which is conv2's blocked input as it stands — no unpack to CNHW and pack back
/// between them. The same float operations as the folded conv-by-conv path, so the block's output
/// is bit for bit the same.
extension BasicBlock {
    /// conv2's output (folded bn2, + shortcut, ReLU) when both convs take the Winograd path on the
    /// same positions and `ComputeContext.winogradChain` is on; nil otherwise (nothing run).
    func forwardChainedFolded(_ x: Tensor) throws -> Tensor? {
        guard ctx.winogradChain, conv1.stride == 1, bn1.fusedReLU, x.c == conv1.inChannels, outChannels % 16 == 0
        else { return nil }
        let g1 = conv1.geometry(for: x)
        let g2 = ConvGeometry(n: x.n, c: outChannels, h: g1.oh, w: g1.ow, kh: 3, kw: 3, stride: 1, pad: 1)
        guard g1.oh == x.h && g1.ow == x.w, let p1 = conv1.winogradPlan(g1), let p2 = conv2.winogradPlan(g2) else {
            return nil
        }
        let residual = try shortcut.forward(x, training: false)
        guard residual.shape == [x.n, outChannels, g1.oh, g1.ow] else {
            throw ShapeError(layer: conv2.weight.name + " (residual)", expected: "\([x.n, outChannels, g1.oh, g1.ow])",
                             got: residual.shape)
        }
        let (scale1, shift1) = bn1.inferenceAffine(), (scale2, shift2) = bn2.inferenceAffine()
        ctx.timed("conv3x3.forward(winograd)", flops: conv1.winogradFlops(p1)) {
            conv1.winogradPackInput([x], plan: p1)
            let raw = conv1.winogradConvolve(p1)
            ctx.timed("  winograd chain: BN+ReLU", flops: 0) {
                WinogradConv.biasReLU(p1, raw, channels: outChannels, scale: scale1, bias: shift1,
                                      into: p2.input.get(p2.paddedCount(channels: outChannels)), ctx: ctx)
            }
        }
        let y = conv2.output
        y.resize(n: x.n, c: outChannels, h: g1.oh, w: g1.ow)
        ctx.timed("conv3x3.forward(winograd)", flops: conv2.winogradFlops(p2)) {
            conv2.winogradUnpack(conv2.winogradConvolve(p2), plan: p2, into: [y],
                                 epilogues: [ConvEpilogue(scale: scale2, shift: shift2, residual: UnsafePointer(residual.data),
                                                          relu: true)])
        }
        // What conv-by-conv forwards would record (conv2's CNHW input never exists here).
        conv1.geometry = g1; conv1.input = x; conv1.usedWinograd = true
        conv2.geometry = g2; conv2.usedWinograd = true
        chainedAtInference = true
        return y
    }
}
