/// Inference with a BatchNorm folded into the preceding convolution: the BN's running-statistics
/// affine (and the block's residual add and ReLU) run in the convolution's output pass instead of
/// separate passes over the activations. Training keeps the separate layers (BN's backward needs
/// the convolution's raw output).
extension Conv2d {
    /// bn(conv(x)): at inference with `foldBatchNormAtInference` one folded pass
    /// (`forwardFolded`), otherwise the convolution and then the BatchNorm layer.
    func forward(_ x: Tensor, bn: BatchNorm, training: Bool) throws -> Tensor {
        if !training && ctx.foldBatchNormAtInference { return try forwardFolded(x, bn: bn) }
        return try bn.forward(try forward(x), training: training)
    }

    /// y = (ReLU)(bn(conv(x)) (+ residual)) with `bn` in running-statistics mode; ReLU when `relu`
    /// (default: the BN's own fused ReLU). The convolution must have no bias. Writes `output`.
    func forwardFolded(_ x: Tensor, bn: BatchNorm, residual: Tensor? = nil, relu: Bool? = nil) throws -> Tensor {
        precondition(bias == nil && !fusedReLU && bn.channels == outChannels, "forwardFolded: \(weight.name)")
        if let r = residual {
            let g = geometry(for: x)
            guard r.shape == [x.n, outChannels, g.oh, g.ow] else {
                throw ShapeError(layer: weight.name + " (residual)", expected: "\([x.n, outChannels, g.oh, g.ow])", got: r.shape)
            }
        }
        let (scale, shift) = bn.inferenceAffine()
        return try forward(x, epilogue: ConvEpilogue(scale: scale, shift: shift, residual: residual.map { UnsafePointer($0.data) },
                                                     relu: relu ?? bn.fusedReLU))
    }
}
