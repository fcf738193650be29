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
            // z = y±·x, p_t = σ(z), e = e^−|z|: log(1 − p_t) = −softplus(z) = −(max(z, 0) + log(1 + e)),
            // −log p_t = softplus(z) − z; p_t and q = 1 − p_t from r = 1/(1 + e) without cancellation
            // (z ≥ 0: p_t = r, q = e·r; z < 0: p_t = e·r, q = r). One exp and one log per logit
            // (a second exp only for γ ∉ {0, 1, 2}).
            let z = ys * x
            let az = VectorMath.abs(z)
            let e = VectorMath.exp(-az)
            let onePlusE = V(repeating: 1) + e
            let r = V(repeating: 1) / onePlusE, er = e * r
            let nonNegative = z .>= 0
            let pt = er.replacing(with: r, where: nonNegative), q = r.replacing(with: er, where: nonNegative)
            let spPos = (z + az) * V(repeating: 0.5) + VectorMath.log(onePlusE)
            let spNeg = spPos - z
            let alphaT = V(repeating: alpha).replacing(with: 1 - alpha, where: ys .< 0) * valid
            let mod: V
            switch gamma {
            case 0: mod = V(repeating: 1)
            case 1: mod = q
            case 2: mod = q * q
            default: mod = VectorMath.exp(V(repeating: -gamma) * spPos)
            }
            // dFL/dx = y± α_t (1 − p_t)^γ (γ p_t log p_t + p_t − 1) = −y± α_t q^γ (γ p_t (−log p_t) + q)
            let d = -(ys * alphaT * mod * (V(repeating: gamma) * pt * spNeg + q))
            return (alphaT * mod * spNeg, d)
        }
    }
}
