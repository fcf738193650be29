/// Sigmoid focal loss FL(p_t) = −α_t (1 − p_t)^γ log p_t from logits (γ = 0: α-balanced CE).
///
/// Layout: `logits` and `grad` are [anchors × K] row-major (anchor-major, as RetinaNet's head
/// outputs), `labels` one `ClassLabel` per anchor. The loss is summed over all non-ignored anchors
/// and classes and divided by `normalizer` (the paper: number of anchors assigned to a GT box;
/// the caller chooses — per batch, per image, EMA…). `grad` receives dLoss/dlogit including the
/// 1/normalizer factor (set, not added). `perAnchor` (optional) receives the un-normalised loss
/// summed over K per anchor (0 for ignored), e.g. for OHEM. `ctx` splits the work over its
/// threads (same result for any thread count; see `SigmoidLossKernel`).
public enum FocalLoss {
    public static func compute(logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, anchors: Int, classes: Int,
                               alpha: Float, gamma: Float, normalizer: Float,
                               grad: UnsafeMutablePointer<Float>?, perAnchor: UnsafeMutablePointer<Float>? = nil,
                               ctx: ComputeContext? = nil) -> LossValue {
        typealias V = SIMD16<Float>
        return SigmoidLossKernel.run(logits: logits, labels: labels, anchors: anchors, classes: classes,
                                     normalizer: normalizer, grad: grad, perAnchor: perAnchor, ctx: ctx) { x, ys, valid in
            // z = y±·x, p_t = σ(z); −log p_t = softplus(−z) = softplus(z) − z; log(1 − p_t) = −softplus(z)
            let z = ys * x
            let spPos = VectorMath.softplus(z)
            let spNeg = spPos - z
            let pt = VectorMath.exp(-spNeg)
            let alphaT = V(repeating: alpha).replacing(with: 1 - alpha, where: ys .< 0) * valid
            let mod = gamma == 0 ? V(repeating: 1) : VectorMath.exp(V(repeating: -gamma) * spPos)
            // dFL/dx = y± α_t (1 − p_t)^γ (γ p_t log p_t + p_t − 1)
            let d = ys * alphaT * mod * (V(repeating: gamma) * pt * (-spNeg) + pt - V(repeating: 1))
            return (alphaT * mod * spNeg, d)
        }
    }
}
