/// The RetinaNet training loss of one batch: classification (FL, α-CE, FL* or OHEM-selected CE)
/// plus smooth-L1 box regression, with gradients written into the head outputs' grad buffers.
///
/// Normalisation (the paper: "normalized by the number of anchors assigned to a ground-truth
/// box"): both terms are divided by the number of foreground anchors in the whole batch, at
/// least 1 (Detectron's per-minibatch count). OHEM is the exception, see `OHEMSelector`.
public final class DetectionLoss {
    /// Loss values of one batch (already normalised).
    public struct Value: Sendable {
        public var classification: Double
        public var box: Double
        /// Foreground anchors in the batch (the normaliser before clamping at 1).
        public var positives: Int
        /// OHEM: anchors kept for the loss in the batch (nil for dense losses).
        public var selected: Int?
        public var total: Double { classification + box }
    }

    public let kind: RunConfig.Loss
    public let alpha: Float, gamma: Float, beta: Float
    public let boxBeta: Float
    let ohem: OHEMSelector?
    /// Threads for the loss kernels (results are the same for any thread count).
    let ctx: ComputeContext?

    public init(config c: RunConfig, ctx: ComputeContext? = nil) {
        self.ctx = ctx
        kind = c.loss
        alpha = Float(c.alpha); gamma = Float(c.gamma); beta = Float(c.beta)
        boxBeta = Float(c.boxLossBeta)
        ohem = c.loss == .ohem
            ? OHEMSelector(batchPerImage: c.ohemBatch, nmsThreshold: Float(c.ohemNMS), positiveFraction: c.ohemPositiveFraction, ctx: ctx)
            : nil
    }

    /// Computes the loss of `outputs` against `targets` (anchors in `anchors`' order) and sets
    /// `outputs.classGrad` / `outputs.boxGrad` (dLoss/doutput) for `RetinaNet.backward()`.
    public func compute(outputs: HeadOutputs, targets: BatchTargets, anchors: AnchorSet) -> Value {
        if let ohem {
            return ohem.compute(outputs: outputs, targets: targets, anchors: anchors, alpha: alpha, boxBeta: boxBeta)
        }
        let k = outputs.classes
        let norm = Float(max(1, targets.positives))
        var cls = 0.0, box = 0.0
        for l in 0..<outputs.classLogits.count {
            let n = targets.labels[l].count
            targets.labels[l].withUnsafeBufferPointer { lab in
                let labels = lab.baseAddress!
                switch kind {
                case .flStar:
                    cls += FocalLossStar.compute(logits: outputs.classLogits[l].data, labels: labels, anchors: n, classes: k,
                                                 alpha: alpha, gamma: gamma, beta: beta, normalizer: norm,
                                                 grad: outputs.classGrad[l].data, ctx: ctx).value
                default:
                    cls += FocalLoss.compute(logits: outputs.classLogits[l].data, labels: labels, anchors: n, classes: k,
                                             alpha: alpha, gamma: gamma, normalizer: norm,
                                             grad: outputs.classGrad[l].data, ctx: ctx).value
                }
                targets.boxTargets[l].withUnsafeBufferPointer { t in
                    box += SmoothL1Loss.compute(pred: outputs.boxDeltas[l].data, target: t.baseAddress!, labels: labels,
                                                anchors: n, beta: boxBeta, normalizer: norm,
                                                grad: outputs.boxGrad[l].data, ctx: ctx).value
                }
            }
        }
        return Value(classification: cls, box: box, positives: targets.positives, selected: nil)
    }
}
