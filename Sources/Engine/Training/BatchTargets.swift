/// Classification labels and box-regression targets of one training batch, laid out like the
/// RetinaNet head outputs so the loss kernels can run level by level over the whole batch.
///
/// Layout per level l: `labels[l]` is [N][H_l][W_l][A] (one `Int32` per anchor: class index ≥ 0,
/// `ClassLabel.background`, `ClassLabel.ignore`), `boxTargets[l]` is [N][H_l][W_l][A·4] encoded
/// (dx, dy, dw, dh), zero for non-foreground anchors. For image i the anchors of level l are one
/// contiguous block, because `AnchorSet` orders anchors level → row → column → anchor.
public final class BatchTargets {
    public private(set) var labels: [[Int32]] = []
    public private(set) var boxTargets: [[Float]] = []
    /// Foreground anchors in the batch (the paper's loss normaliser).
    public private(set) var positives = 0
    public private(set) var negatives = 0
    public private(set) var ignored = 0
    public private(set) var batch = 0

    private var assignment = AnchorAssignment()
    private var imageTargets: [Float] = []

    public init() {}

    /// Matches every image's ground truth to `anchors` and fills the per-level arrays.
    /// `groundTruth[i]` must be in the input pixels of the (common) input size `anchors` was built for.
    public func build(groundTruth: [GroundTruthBoxes], anchors: AnchorSet, matcher: AnchorMatcher, coder: BoxCoder) {
        let n = groundTruth.count
        batch = n
        let levels = anchors.levels
        let a = anchors.anchorsPerLocation
        if labels.count != levels.count {
            labels = Array(repeating: [], count: levels.count)
            boxTargets = Array(repeating: [], count: levels.count)
        }
        for (l, info) in levels.enumerated() {
            let per = info.count(anchorsPerLocation: a)
            if labels[l].count != n * per {
                labels[l] = [Int32](repeating: 0, count: n * per)
                boxTargets[l] = [Float](repeating: 0, count: n * per * 4)
            }
        }
        positives = 0; negatives = 0; ignored = 0
        for (i, gt) in groundTruth.enumerated() {
            matcher.match(gt, anchors: anchors, into: &assignment)
            coder.encodeTargets(anchors: anchors, assignment: assignment, groundTruth: gt, into: &imageTargets)
            positives += assignment.positiveCount
            negatives += assignment.negativeCount
            ignored += assignment.ignoredCount
            for (l, info) in levels.enumerated() {
                let per = info.count(anchorsPerLocation: a)
                let dst = i * per
                assignment.matches.withUnsafeBufferPointer { m in
                    labels[l].withUnsafeMutableBufferPointer { out in
                        for j in 0..<per {
                            let v = m[info.offset + j]
                            out[dst + j] = v >= 0 ? gt.classes[Int(v)] : (v == AnchorAssignment.ignored ? ClassLabel.ignore : ClassLabel.background)
                        }
                    }
                }
                imageTargets.withUnsafeBufferPointer { src in
                    boxTargets[l].withUnsafeMutableBufferPointer { out in
                        (out.baseAddress! + dst * 4).update(from: src.baseAddress! + info.offset * 4, count: per * 4)
                    }
                }
            }
        }
    }
}
