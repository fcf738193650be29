/// FL*(γ, β) of the paper's appendix A: x_t = y±·x, p*_t = σ(γ x_t + β), FL* = −α_t log(p*_t)/γ,
/// dFL*/dx = α_t y± (p*_t − 1). Same layouts, labels and normalisation as `FocalLoss`; pass
/// α = 0.5 with a factor 2 in `normalizer`'s place to disable α-weighting (α_t ≡ ½ then).
public enum FocalLossStar {
    public static func compute(logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, anchors: Int, classes: Int,
                               alpha: Float, gamma: Float, beta: Float, normalizer: Float,
                               grad: UnsafeMutablePointer<Float>?, perAnchor: UnsafeMutablePointer<Float>? = nil,
                               ctx: ComputeContext? = nil) -> LossValue {
        typealias V = SIMD16<Float>
        return SigmoidLossKernel.run(logits: logits, labels: labels, anchors: anchors, classes: classes,
                                     normalizer: normalizer, grad: grad, perAnchor: perAnchor, ctx: ctx) { x, ys, valid in
            let u = V(repeating: gamma) * ys * x + V(repeating: beta)
            let sp = VectorMath.softplus(-u)           // −log p*
            let p = VectorMath.exp(-sp)
            let alphaT = V(repeating: alpha).replacing(with: 1 - alpha, where: ys .< 0) * valid
            return (alphaT * sp / V(repeating: gamma), alphaT * ys * (p - V(repeating: 1)))
        }
    }
}
