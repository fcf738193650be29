import COCOKit

/// A detection dataset the engine can train and evaluate on: the built-in `ShapesDataset` or a
/// `COCOFolderDataset`. Annotations are in the dataset's own image coordinates; `sample` gives the
/// network input at a scale together with the factor that maps back.
public protocol DetectionDataset: Sendable {
    /// Categories in the order that defines the class index 0..<K.
    var categories: [COCOCategory] { get }
    /// Number of images.
    var count: Int { get }
    /// Mean/std the engine normalises this dataset's pixels with.
    var normalization: ImageNormalization { get }
    /// The COCO `images` entry of image `index` (0-based position, not the COCO id).
    func image(at index: Int) -> COCOImage
    /// The ground truth of image `index` (crowd boxes included).
    func annotations(at index: Int) -> [COCOAnnotation]
    /// Image `index` resized (or rendered) so its shorter side is `scale` pixels.
    func sample(at index: Int, scale: Int) throws -> DetectionSample
    /// The input size and scale factor `sample(at:scale:)` will use, without loading the image.
    func inputSize(at index: Int, scale: Int) -> (width: Int, height: Int, factor: Double)
}

/// One image ready for the network, with the scale that maps input pixels back to the dataset.
public struct DetectionSample: Hashable, Sendable {
    /// The COCO image entry (dataset coordinates).
    public var image: COCOImage
    /// The network input (shorter side = the requested scale, aspect kept).
    public var pixels: PixelImage
    /// Input pixels per dataset pixel: input = dataset · scale, dataset = input / scale.
    public var scale: Double
    /// Ground truth in dataset coordinates.
    public var annotations: [COCOAnnotation]

    public init(image: COCOImage, pixels: PixelImage, scale: Double, annotations: [COCOAnnotation]) {
        self.image = image; self.pixels = pixels; self.scale = scale; self.annotations = annotations
    }

    /// Input size and factor for an image of `width` × `height` at `scale` (shorter side):
    /// factor = scale / min(w, h), size = (round(w·factor), round(h·factor)).
    public static func inputSize(width: Int, height: Int, scale: Int) -> (width: Int, height: Int, factor: Double) {
        let f = Double(scale) / Double(min(width, height))
        return (max(1, Int((Double(width) * f).rounded())), max(1, Int((Double(height) * f).rounded())), f)
    }

    /// The sample mirrored left–right: pixels, and boxes as x' = W/scale − x − w (W = input width).
    public func flippedHorizontally() -> DetectionSample {
        var out = self
        out.pixels = pixels.flippedHorizontally()
        let span = Double(pixels.width) / scale
        for i in out.annotations.indices {
            out.annotations[i].bbox.x = span - annotations[i].bbox.x - annotations[i].bbox.width
        }
        return out
    }

    /// The ground truth in input pixels with class indices from `classIndex` (category id → 0..<K).
    public func groundTruth(classIndex: [Int: Int]) throws -> GroundTruthBoxes {
        try GroundTruthBoxes(annotations: annotations, scale: scale, classIndex: classIndex)
    }
}

extension DetectionDataset {
    /// Shorter side = `scale`, aspect kept (`DetectionSample.inputSize`).
    public func inputSize(at index: Int, scale: Int) -> (width: Int, height: Int, factor: Double) {
        let info = image(at: index)
        return DetectionSample.inputSize(width: info.width, height: info.height, scale: scale)
    }

    /// Category id → class index 0..<K (the order of `categories`).
    public var classIndex: [Int: Int] {
        var m: [Int: Int] = [:]
        for (i, c) in categories.enumerated() { m[c.id] = i }
        return m
    }

    /// All images and annotations as one COCO instances dataset (e.g. `gt.json`).
    public func cocoDataset() -> COCODataset {
        var images: [COCOImage] = [], annotations: [COCOAnnotation] = []
        images.reserveCapacity(count)
        for i in 0..<count {
            images.append(image(at: i))
            annotations += self.annotations(at: i)
        }
        return COCODataset(images: images, annotations: annotations, categories: categories)
    }
}
