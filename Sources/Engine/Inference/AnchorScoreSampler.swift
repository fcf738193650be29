import Foundation

/// The paper's Figure 4 protocol: apply a trained model to images and collect the predicted
/// probability of every binary (anchor, class) example, split into positives and negatives.
///
/// Positive: a foreground anchor and its ground-truth class (p = the model's probability of that
/// class). Negative: a background anchor and any class (p = probability of that class, so
/// p_t = 1 − p). The other classes of foreground anchors and ignored anchors are left out, as
/// they are neither clean positives nor background. Matching is the training matcher's.
public struct AnchorScoreSampler {
    public let net: RetinaNet
    public let anchorGenerator: AnchorGenerator
    public var matcher = AnchorMatcher()

    public init(net: RetinaNet, anchorGenerator: AnchorGenerator) {
        self.net = net; self.anchorGenerator = anchorGenerator
    }

    /// Probabilities of all positive and negative examples in images 0..<`images` of `dataset`;
    /// the negatives are then thinned to at most `maxNegatives` by taking every k-th (k fixed
    /// from the total, so the result is deterministic). `progress(done, total)` after each image.
    public func sample(dataset: any DetectionDataset, scale: Int, images: Int, maxNegatives: Int,
                       progress: ((Int, Int) -> Void)? = nil) throws -> (positive: [Float], negative: [Float]) {
        let count = min(images, dataset.count)
        let classIndex = dataset.classIndex
        var positive: [Float] = [], negative: [Float] = []
        var assignment = AnchorAssignment()
        var anchorCache = AnchorSetCache(generator: anchorGenerator)
        for i in 0..<count {
            let sample = try dataset.sample(at: i, scale: scale)
            let h = sample.pixels.height, w = sample.pixels.width
            let out = try net.forward(images: sample.pixels.normalizedCHW(dataset.normalization), batch: 1,
                                      height: h, width: w, training: false)
            let anchors = anchorCache.anchors(height: h, width: w)
            let gt = try sample.groundTruth(classIndex: classIndex)
            matcher.match(gt, anchors: anchors, into: &assignment)
            let k = out.classes, a = anchors.anchorsPerLocation
            for (l, level) in anchors.levels.enumerated() {
                let logits = out.classLogits[l].data
                for j in 0..<level.count(anchorsPerLocation: a) {
                    let m = assignment.matches[level.offset + j]
                    if m >= 0 {
                        positive.append(Self.sigmoid(logits[j * k + Int(gt.classes[Int(m)])]))
                    } else if m == AnchorAssignment.background {
                        for c in 0..<k { negative.append(Self.sigmoid(logits[j * k + c])) }
                    }
                }
            }
            progress?(i + 1, count)
        }
        if maxNegatives > 0, negative.count > maxNegatives {
            let step = (negative.count + maxNegatives - 1) / maxNegatives
            negative = stride(from: 0, to: negative.count, by: step).map { negative[$0] }
        }
        return (positive, negative)
    }

    static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }
}
