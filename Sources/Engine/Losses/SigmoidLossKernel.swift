/// Shared loop of the per-class sigmoid losses (FL, FL*): walks [anchors × K] logits 16 at a
/// time, expands the per-anchor labels into one-hot signs y± ∈ {+1, −1} and a validity mask
/// (0 for ignored anchors), and lets `element` compute loss and dLoss/dlogit per lane.
///
/// The anchors are cut into fixed chunks of about `chunkElements` logits and summed by
/// `ChunkedSum`, so the value and the gradient are bitwise the same for any `ctx` (or none).
enum SigmoidLossKernel {
    typealias V = SIMD16<Float>
    typealias I = SIMD16<Int32>

    /// Logits per chunk (rounded to whole anchors).
    static let chunkElements = 16_384

    /// Anchors per chunk for `classes` values per anchor.
    static func chunkAnchors(classes: Int) -> Int { max(1, chunkElements / max(1, classes)) }

    /// Σ loss / normalizer; `grad` (set) gets dLoss/dlogit / normalizer; `perAnchor` (set) the
    /// un-normalised loss summed over K. `element(x, y±, valid)` returns (loss, dLoss/dx) and
    /// must give 0 loss where valid = 0.
    @inline(__always)
    static func run(logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, anchors: Int, classes: Int,
                    normalizer: Float, grad: UnsafeMutablePointer<Float>?, perAnchor: UnsafeMutablePointer<Float>?,
                    ctx: ComputeContext?, element: (V, V, V) -> (loss: V, dx: V)) -> LossValue {
        let inv = V(repeating: 1 / normalizer)
        let total = ChunkedSum.run(count: anchors, chunkSize: chunkAnchors(classes: classes), ctx: ctx) { range in
            chunk(logits: logits, labels: labels, anchors: range, classes: classes, inv: inv, grad: grad, perAnchor: perAnchor,
                  element: element)
        }
        return LossValue(value: total.sum / Double(normalizer), count: total.count)
    }

    /// One chunk of anchors: writes its gradient and per-anchor losses, returns (Σ loss, anchors
    /// not ignored).
    @inline(__always)
    static func chunk(logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, anchors: Range<Int>, classes: Int, inv: V,
                      grad: UnsafeMutablePointer<Float>?, perAnchor: UnsafeMutablePointer<Float>?,
                      element: (V, V, V) -> (loss: V, dx: V)) -> (Double, Int) {
        var counted = 0
        for a in anchors where labels[a] != ClassLabel.ignore { counted += 1 }
        let end = anchors.upperBound * classes
        var acc = 0.0
        var base = anchors.lowerBound * classes
        var a = anchors.lowerBound, k = 0  // anchor and class of element `base` (no per-element division)
        while base < end {
            let len = min(16, end - base)
            var lab = I(repeating: ClassLabel.ignore), kv = I()
            let a0 = a, k0 = k
            for t in 0..<len {
                lab[t] = labels[a]
                kv[t] = Int32(truncatingIfNeeded: k)
                k &+= 1
                if k == classes { k = 0; a &+= 1 }
            }
            let x = len == 16 ? UnsafeRawPointer(logits + base).loadUnaligned(as: V.self)
                              : Transpose16.loadPartial(logits + base, len)
            let valid = V(repeating: 1).replacing(with: 0, where: lab .== I(repeating: ClassLabel.ignore))
            let ys = V(repeating: -1).replacing(with: 1, where: kv .== lab)
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
        return (acc, counted)
    }
}
