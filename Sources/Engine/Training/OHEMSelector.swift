/// Online hard example mining for RetinaNet (Table 1d), built from the paper's description since
/// no public RetinaNet code has it. Choices the paper leaves open, made here:
///
/// - Each anchor is one example; its loss is α-balanced CE summed over the K classes plus its
///   smooth-L1 box loss if it is foreground. Ignored anchors are never examples.
/// - Per image (like Fast R-CNN's OHEM, whose B is per image): NMS over the anchors' boxes, scored
///   by loss, at `nmsThreshold`; the `batchPerImage` highest-loss survivors are kept.
/// - "OHEM 1:3" (`positiveFraction` = 0.25): from the survivors in loss order, at most
///   B·fraction positives are kept and negatives fill up to B (SSD's rule).
/// - Loss on the kept anchors only: CE divided by the number of kept anchors in the batch
///   (the minibatch average of Fast R-CNN), box loss divided by the kept positives (at least 1).
final class OHEMSelector {
    let batchPerImage: Int
    let nmsThreshold: Float
    let positiveFraction: Double
    /// Threads for the loss kernels (results are the same for any thread count).
    let ctx: ComputeContext?

    private var clsPerAnchor: [[Float]] = []
    private var boxPerAnchor: [[Float]] = []
    private var keptLabels: [[Int32]] = []
    private var candBoxes: [Float] = []
    private var candScores: [Float] = []
    private var candIndex: [Int] = []

    init(batchPerImage: Int, nmsThreshold: Float, positiveFraction: Double, ctx: ComputeContext? = nil) {
        self.batchPerImage = batchPerImage; self.nmsThreshold = nmsThreshold; self.positiveFraction = positiveFraction
        self.ctx = ctx
    }

    func compute(outputs: HeadOutputs, targets: BatchTargets, anchors: AnchorSet, alpha: Float, boxBeta: Float) -> DetectionLoss.Value {
        let levels = outputs.classLogits.count
        let k = outputs.classes
        let a = anchors.anchorsPerLocation
        if clsPerAnchor.count != levels {
            clsPerAnchor = Array(repeating: [], count: levels); boxPerAnchor = clsPerAnchor
            keptLabels = Array(repeating: [], count: levels)
        }
        // 1. Per-anchor losses (no gradients).
        for l in 0..<levels {
            let n = targets.labels[l].count
            if clsPerAnchor[l].count != n {
                clsPerAnchor[l] = [Float](repeating: 0, count: n); boxPerAnchor[l] = clsPerAnchor[l]
            }
            targets.labels[l].withUnsafeBufferPointer { lab in
                clsPerAnchor[l].withUnsafeMutableBufferPointer { pc in
                    _ = FocalLoss.compute(logits: outputs.classLogits[l].data, labels: lab.baseAddress!, anchors: n, classes: k,
                                          alpha: alpha, gamma: 0, normalizer: 1, grad: nil, perAnchor: pc.baseAddress!, ctx: ctx)
                }
                targets.boxTargets[l].withUnsafeBufferPointer { t in
                    boxPerAnchor[l].withUnsafeMutableBufferPointer { pb in
                        _ = SmoothL1Loss.compute(pred: outputs.boxDeltas[l].data, target: t.baseAddress!, labels: lab.baseAddress!,
                                                 anchors: n, beta: boxBeta, normalizer: 1, grad: nil, perAnchor: pb.baseAddress!, ctx: ctx)
                    }
                }
            }
            keptLabels[l] = [Int32](repeating: ClassLabel.ignore, count: n)
        }
        // 2. Per image: NMS over anchors by loss, keep the hardest.
        var kept = 0, keptPositives = 0
        for i in 0..<targets.batch {
            candBoxes.removeAll(keepingCapacity: true); candScores.removeAll(keepingCapacity: true)
            candIndex.removeAll(keepingCapacity: true)
            for (l, info) in anchors.levels.enumerated() {
                let per = info.count(anchorsPerLocation: a)
                for j in 0..<per {
                    let g = i * per + j
                    guard targets.labels[l][g] != ClassLabel.ignore else { continue }
                    let b = info.offset + j
                    candBoxes.append(anchors.x1[b]); candBoxes.append(anchors.y1[b])
                    candBoxes.append(anchors.x2[b]); candBoxes.append(anchors.y2[b])
                    candScores.append(clsPerAnchor[l][g] + boxPerAnchor[l][g])
                    candIndex.append(l << 40 | g)
                }
            }
            let limited = positiveFraction > 0
            let survivors = NMS.greedy(boxes: candBoxes, scores: candScores, iouThreshold: nmsThreshold,
                                       maxOutput: limited ? 8 * batchPerImage : batchPerImage)
            let maxPositives = limited ? Int((Double(batchPerImage) * positiveFraction).rounded(.down)) : batchPerImage
            var pos = 0, total = 0
            for s in survivors {
                guard total < batchPerImage else { break }
                let code = candIndex[s], l = code >> 40, g = code & ((1 << 40) - 1)
                let label = targets.labels[l][g]
                if label >= 0 {
                    guard pos < maxPositives else { continue }
                    pos += 1
                }
                keptLabels[l][g] = label
                total += 1
            }
            kept += total; keptPositives += pos
        }
        // 3. Loss and gradients on the kept anchors only.
        let clsNorm = Float(max(1, kept)), boxNorm = Float(max(1, keptPositives))
        var cls = 0.0, box = 0.0
        for l in 0..<levels {
            let n = keptLabels[l].count
            keptLabels[l].withUnsafeBufferPointer { lab in
                cls += FocalLoss.compute(logits: outputs.classLogits[l].data, labels: lab.baseAddress!, anchors: n, classes: k,
                                         alpha: alpha, gamma: 0, normalizer: clsNorm, grad: outputs.classGrad[l].data, ctx: ctx).value
                targets.boxTargets[l].withUnsafeBufferPointer { t in
                    box += SmoothL1Loss.compute(pred: outputs.boxDeltas[l].data, target: t.baseAddress!, labels: lab.baseAddress!,
                                                anchors: n, beta: boxBeta, normalizer: boxNorm, grad: outputs.boxGrad[l].data, ctx: ctx).value
                }
            }
        }
        return DetectionLoss.Value(classification: cls, box: box, positives: targets.positives, selected: kept)
    }
}
