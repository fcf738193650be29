/// Sigmoid focal loss FL(p_t) = −α_t (1 − p_t)^γ log p_t from logits (γ = 0: α-balanced CE).
///
/// Layout: `logits` and `grad` are [anchors × K] row-major (anchor-major, as RetinaNet's head
/// outputs), `labels` one `ClassLabel` per anchor. The loss is summed over all non-ignored anchors
/// and classes and divided by `normalizer` (the paper: number of anchors assigned to a GT box;
/// the caller chooses — per batch, per image, EMA…). `grad` receives dLoss/dlogit including the
/// 1/normalizer factor (set, not added). `perAnchor` (optional) receives the un-normalised loss
/// summed over K per anchor (0 for ignored), e.g. for OHEM.
public enum FocalLoss {
    public static func compute(logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, anchors: Int, classes: Int,
                               alpha: Float, gamma: Float, normalizer: Float,
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
            // z = y±·x, p_t = σ(z); −log p_t = softplus(−z); log(1 − p_t) = −softplus(z)
            let z = ys * x
            let spNeg = VectorMath.softplus(-z)
            let pt = VectorMath.exp(-spNeg)
            let alphaT = V(repeating: alpha).replacing(with: 1 - alpha, where: ys .< 0) * valid
            var mod = V(repeating: 1)
            if gamma != 0 { mod = VectorMath.exp(V(repeating: -gamma) * VectorMath.softplus(z)) }
            let loss = alphaT * mod * spNeg
            if let g = grad {
                // dFL/dx = y± α_t (1 − p_t)^γ (γ p_t log p_t + p_t − 1)
                let d = ys * alphaT * mod * (V(repeating: gamma) * pt * (-spNeg) + pt - V(repeating: 1)) * V(repeating: inv)
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
