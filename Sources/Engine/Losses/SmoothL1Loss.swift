/// Smooth-L1 box regression loss (β; β = 0 is L1) on anchors whose label is foreground (≥ 0).
///
/// Layout: `pred`, `target`, `grad` are [anchors × 4] row-major (dx, dy, dw, dh). Loss per
/// coordinate: 0.5·d²/β if |d| < β else |d| − 0.5·β, d = pred − target; summed over positive
/// anchors and divided by `normalizer`. `grad` is set for every anchor (0 for non-positives).
/// `perAnchor` (optional) receives the un-normalised loss per anchor; `ctx` splits the anchors over
/// its threads.
public enum SmoothL1Loss {
    /// Anchors per chunk of the `ChunkedSum` (fixed, so results do not depend on the thread count).
    static let chunkAnchors = 4096

    public static func compute(pred: UnsafePointer<Float>, target: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
                               anchors: Int, beta: Float, normalizer: Float,
                               grad: UnsafeMutablePointer<Float>?, perAnchor: UnsafeMutablePointer<Float>? = nil,
                               ctx: ComputeContext? = nil) -> LossValue {
        let inv = 1 / normalizer
        let total = ChunkedSum.run(count: anchors, chunkSize: chunkAnchors, ctx: ctx) { range in
            var acc = 0.0
            var positives = 0
            for a in range {
                var l: Float = 0
                if labels[a] >= 0 {
                    positives += 1
                    for j in 0..<4 {
                        let d = pred[a * 4 + j] - target[a * 4 + j], ad = abs(d)
                        let g: Float
                        if ad < beta { l += 0.5 * d * d / beta; g = d / beta } else { l += ad - 0.5 * beta; g = d > 0 ? 1 : (d < 0 ? -1 : 0) }
                        grad?[a * 4 + j] = g * inv
                    }
                    acc += Double(l)
                } else if let gr = grad {
                    for j in 0..<4 { gr[a * 4 + j] = 0 }
                }
                perAnchor?[a] = l
            }
            return (acc, positives)
        }
        return LossValue(value: total.sum * Double(inv), count: total.count)
    }
}
