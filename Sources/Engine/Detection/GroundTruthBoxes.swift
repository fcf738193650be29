import COCOKit

/// One image's ground truth in network-input pixels, ready for anchor matching.
///
/// Built from COCO annotations (dataset coordinates, (x, y, w, h)) and the image's scale factor
/// (input pixels per dataset pixel). Boxes are (x1, y1, x2, y2) in continuous input pixels.
public struct GroundTruthBoxes: Hashable, Sendable {
    /// [G × 4] (x1, y1, x2, y2) in input pixels.
    public var boxes: [Float]
    /// Contiguous class index 0..<K of each box (see `classIndex` of the dataset).
    public var classes: [Int32]
    /// COCO `iscrowd` of each box; crowd boxes are never foreground (see `AnchorMatcher.CrowdPolicy`).
    public var isCrowd: [Bool]

    /// Number of boxes G (crowd included).
    public var count: Int { classes.count }

    public init(boxes: [Float], classes: [Int32], isCrowd: [Bool]) {
        precondition(boxes.count == 4 * classes.count && isCrowd.count == classes.count, "one class and crowd flag per box")
        self.boxes = boxes; self.classes = classes; self.isCrowd = isCrowd
    }

    /// Errors converting annotations.
    public struct UnknownCategoryError: Error, CustomStringConvertible {
        public var annotationId: Int
        public var categoryId: Int
        public var description: String {
            "annotation \(annotationId) has category_id \(categoryId), which is not in the dataset's categories"
        }
    }

    /// Scales `annotations` by `scale` and maps category ids through `classIndex` (id → 0..<K).
    public init(annotations: [COCOAnnotation], scale: Double, classIndex: [Int: Int]) throws {
        var boxes: [Float] = [], classes: [Int32] = [], crowd: [Bool] = []
        boxes.reserveCapacity(annotations.count * 4)
        for a in annotations {
            guard let k = classIndex[a.categoryId] else {
                throw UnknownCategoryError(annotationId: a.id, categoryId: a.categoryId)
            }
            let b = a.bbox
            boxes += [Float(b.x * scale), Float(b.y * scale), Float((b.x + b.width) * scale), Float((b.y + b.height) * scale)]
            classes.append(Int32(k)); crowd.append(a.isCrowd)
        }
        self.init(boxes: boxes, classes: classes, isCrowd: crowd)
    }

    /// The boxes of the image mirrored left–right in an input `imageWidth` pixels wide
    /// (x1' = W − x2, x2' = W − x1), matching `PixelImage.flippedHorizontally()`.
    public func flippedHorizontally(imageWidth: Int) -> GroundTruthBoxes {
        var out = self
        let w = Float(imageWidth)
        for i in 0..<count {
            out.boxes[4 * i] = w - boxes[4 * i + 2]
            out.boxes[4 * i + 2] = w - boxes[4 * i]
        }
        return out
    }
}
