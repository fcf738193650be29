/// FL*(γ, β) of the paper's appendix A: x_t = y±·x, p*_t = σ(γ x_t + β), FL* = −α_t log(p*_t)/γ,
/// dFL*/dx = α_t y± (p*_t − 1). Same layouts, labels and normalisation as `FocalLoss`; pass
/// α = 0.5 with a factor 2 in `normalizer`'s place to disable α-weighting (α_t ≡ ½ then).
public enum FocalLossStar {
    public static func compute(logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, anchors: Int, classes: Int,
                               alpha: Float, gamma: Float, beta: Float, normalizer: Float,
                               grad: UnsafeMutablePointer<Float>?, perAnchor: UnsafeMutablePointer<Float>? = nil) -> LossValue {
        typealias V = SIMD16<Float>
        let total = anchors * classes
        let inv = 1 / normalizer
        var acc = 0.0
        var counted = 0
        for a in 0..<anchors where labels[a] != ClassLabel.ignore { counted += 1 }
        var base = 0
        while base < total {
            let len = min(16, total - base)
            var x = V(), ys = V(), valid = V()
            for t in 0..<len {
                let i = base + t, a = i / classes, k = i % classes
                let lab = labels[a]
                x[t] = logits[i]
                valid[t] = lab == ClassLabel.ignore ? 0 : 1
                ys[t] = Int32(k) == lab ? 1 : -1
            }
            let u = V(repeating: gamma) * ys * x + V(repeating: beta)
            let sp = VectorMath.softplus(-u)           // −log p*
            let p = VectorMath.exp(-sp)
            let alphaT = V(repeating: alpha).replacing(with: 1 - alpha, where: ys .< 0) * valid
            let loss = alphaT * sp / V(repeating: gamma)
            if let g = grad {
                let d = alphaT * ys * (p - V(repeating: 1)) * V(repeating: inv)
                for t in 0..<len { g[base + t] = d[t] }
            }
            var partial = 0.0
            for t in 0..<len { partial += Double(loss[t]) }
            acc += partial
            if let pa = perAnchor {
                for t in 0..<len {
                    let a = (base + t) / classes
                    if (base + t) % classes == 0 { pa[a] = 0 }
                    pa[a] += loss[t]
                }
            }
            base += len
        }
        return LossValue(value: acc * Double(inv), count: counted)
    }
}
