/// Shared loop of the per-class sigmoid losses (FL, FL*): walks [anchors × K] logits 16 at a
/// time, expands the per-anchor labels into one-hot signs y± ∈ {+1, −1} and a validity mask
/// (0 for ignored anchors), and lets `element` compute loss and dLoss/dlogit per lane.
enum SigmoidLossKernel {
    typealias V = SIMD16<Float>

    /// Σ loss / normalizer; `grad` (set) gets dLoss/dlogit / normalizer; `perAnchor` (set) the
    /// un-normalised loss summed over K. `element(x, y±, valid)` returns (loss, dLoss/dx) and
    /// must give 0 loss where valid = 0.
    @inline(__always)
    static func run(logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, anchors: Int, classes: Int,
                    normalizer: Float, grad: UnsafeMutablePointer<Float>?, perAnchor: UnsafeMutablePointer<Float>?,
                    element: (V, V, V) -> (loss: V, dx: V)) -> LossValue {
        let total = anchors * classes
        let inv = V(repeating: 1 / normalizer)
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
            let (loss, dx) = element(x, ys, valid)
            if let g = grad {
                let d = dx * inv
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
        return LossValue(value: acc / Double(normalizer), count: counted)
    }
}
