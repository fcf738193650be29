import COCOKit
import Foundation

/// RetinaNet inference as the paper describes it: per level, scores (sigmoid) above
/// `scoreThreshold`, at most `topKPerLevel` candidates, decoded against their anchors and clipped
/// to the image; then class-wise NMS at `nmsThreshold` over all levels and the
/// `maxDetections` best per image. Boxes are mapped back to the dataset's coordinates.
public final class DetectionPredictor {
    public let net: RetinaNet
    public let anchorGenerator: AnchorGenerator
    public let coder: BoxCoder
    /// Class index 0..<K → COCO category id.
    public let categoryIds: [Int]
    public var scoreThreshold: Float = 0.05
    public var topKPerLevel = 1000
    public var nmsThreshold: Float = 0.5
    public var maxDetections = 100
    private var anchorCache: AnchorSetCache

    public init(net: RetinaNet, anchorGenerator: AnchorGenerator, coder: BoxCoder = BoxCoder(), categoryIds: [Int]) {
        self.net = net; self.anchorGenerator = anchorGenerator; self.coder = coder; self.categoryIds = categoryIds
        anchorCache = AnchorSetCache(generator: anchorGenerator)
    }

    /// Detections for every image of `dataset` at `scale`, one image per forward pass (as the
    /// paper times inference), and the mean wall milliseconds per image (forward + post-processing,
    /// excluding image loading). `progress(done, total)` after each image.
    public func predict(dataset: any DetectionDataset, scale: Int,
                        progress: ((Int, Int) -> Void)? = nil) throws -> (detections: [COCODetection], msPerImage: Double) {
        var all: [COCODetection] = []
        var seconds = 0.0
        for i in 0..<dataset.count {
            let sample = try dataset.sample(at: i, scale: scale)
            let image = sample.pixels.normalizedCHW(dataset.normalization)
            let t0 = DispatchTime.now().uptimeNanoseconds
            let dets = try detect(image: image, height: sample.pixels.height, width: sample.pixels.width)
            seconds += Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
            for d in dets {
                let f = sample.scale
                let x1 = Double(d.box.0) / f, y1 = Double(d.box.1) / f
                let x2 = Double(d.box.2) / f, y2 = Double(d.box.3) / f
                all.append(COCODetection(imageId: sample.image.id, categoryId: categoryIds[Int(d.classIndex)],
                                         bbox: COCOBox(x: x1, y: y1, width: x2 - x1, height: y2 - y1), score: Double(d.score)))
            }
            progress?(i + 1, dataset.count)
        }
        return (all, dataset.count > 0 ? seconds * 1000 / Double(dataset.count) : 0)
    }

    /// One detection in input pixels.
    public struct Detection: Sendable {
        public var box: (Float, Float, Float, Float)
        public var score: Float
        public var classIndex: Int32
    }

    /// Detections of one normalised CHW image of h × w input pixels, best first.
    public func detect(image: [Float], height h: Int, width w: Int) throws -> [Detection] {
        let out = try net.forward(images: image, batch: 1, height: h, width: w, training: false)
        let anchors = anchorCache.anchors(height: h, width: w)
        let k = out.classes, a = anchors.anchorsPerLocation
        let logitThreshold = Foundation.log(scoreThreshold / (1 - scoreThreshold))
        var boxes: [Float] = [], scores: [Float] = [], classes: [Int32] = []
        for (l, info) in anchors.levels.enumerated() {
            guard out.sizes[l] == (info.rows, info.columns) else {
                throw TrainingError.shapeMismatch("level P\(info.level): network \(out.sizes[l]) vs anchors \(info.rows)×\(info.columns)")
            }
            let count = info.count(anchorsPerLocation: a) * k
            let logits = out.classLogits[l].data, deltas = out.boxDeltas[l].data
            var cand: [(Float, Int)] = []
            for e in 0..<count where logits[e] > logitThreshold { cand.append((logits[e], e)) }
            if cand.count > topKPerLevel {
                cand.sort { $0.0 > $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
                cand.removeLast(cand.count - topKPerLevel)
            }
            for (logit, e) in cand {
                let j = e / k, cls = e % k
                let anchor = anchors.box(info.offset + j)
                let d = (deltas[4 * j], deltas[4 * j + 1], deltas[4 * j + 2], deltas[4 * j + 3])
                var b = coder.decode(anchor: anchor, deltas: d)
                b.0 = min(max(b.0, 0), Float(w)); b.2 = min(max(b.2, 0), Float(w))
                b.1 = min(max(b.1, 0), Float(h)); b.3 = min(max(b.3, 0), Float(h))
                boxes += [b.0, b.1, b.2, b.3]
                scores.append(1 / (1 + Foundation.exp(-logit)))
                classes.append(Int32(cls))
            }
        }
        let keep = NMS.batched(boxes: boxes, scores: scores, classes: classes, iouThreshold: nmsThreshold, maxOutput: maxDetections)
        return keep.map { i in
            Detection(box: (boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]), score: scores[i], classIndex: classes[i])
        }
    }
}
