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
        var a = 0, k = 0  // anchor and class of element `base` (no per-element division)
        while base < total {
            let len = min(16, total - base)
            var x = V(), ys = V(), valid = V()
            let a0 = a, k0 = k
            for t in 0..<len {
                let lab = labels[a]
                x[t] = logits[base &+ t]
                valid[t] = lab == ClassLabel.ignore ? 0 : 1
                ys[t] = Int32(truncatingIfNeeded: k) == lab ? 1 : -1
                k &+= 1
                if k == classes { k = 0; a &+= 1 }
            }
            let u = V(repeating: gamma) * ys * x + V(repeating: beta)
            let sp = VectorMath.softplus(-u)           // −log p*
            let p = VectorMath.exp(-sp)
            let alphaT = V(repeating: alpha).replacing(with: 1 - alpha, where: ys .< 0) * valid
            let loss = alphaT * sp / V(repeating: gamma)
            if let g = grad {
                let d = alphaT * ys * (p - V(repeating: 1)) * V(repeating: inv)
                if len == 16 { UnsafeMutableRawPointer(g + base).storeBytes(of: d, as: V.self) }
                else { for t in 0..<len { g[base + t] = d[t] } }
            }
            acc += Double(loss.hsum)  // lanes past `len` are 0 (valid = 0)
            if let pa = perAnchor {
                var aa = a0, kk = k0
                for t in 0..<len {
                    if kk == 0 { pa[aa] = 0 }
                    pa[aa] += loss[t]
                    kk &+= 1
                    if kk == classes { kk = 0; aa &+= 1 }
                }
            }
            base += len
        }
        return LossValue(value: acc * Double(inv), count: counted)
    }
}
