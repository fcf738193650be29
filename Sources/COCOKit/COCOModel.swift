/// Plain value types for COCO "instances" ground truth and "results" detections.
///
/// These are the interchange types between the dataset generator, the engine, the evaluator and
/// the command-line tools. Coordinates are COCO's: `bbox` is (x, y, width, height) in pixels of the
/// image's own coordinate space, stored as `Double` so values round-trip through JSON exactly.
/// Ids are `Int` keys: the integer itself for ordinary ids, an interned key for string and other
/// ids (see `COCOId`; `COCOId.jsonText(_:)` gives the id back).

/// An axis-aligned box in COCO's (x, y, width, height) convention.
public struct COCOBox: Hashable, Sendable, Codable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }

    /// Box area as pycocotools computes it for loaded results (w·h, no "+1").
    public var area: Double { width * height }
}

/// One entry of `images`.
public struct COCOImage: Hashable, Sendable {
    public var id: Int
    public var width: Int
    public var height: Int
    public var fileName: String

    public init(id: Int, width: Int, height: Int, fileName: String) {
        self.id = id; self.width = width; self.height = height; self.fileName = fileName
    }
}

/// One entry of `categories`.
public struct COCOCategory: Hashable, Sendable {
    public var id: Int
    public var name: String
    public var supercategory: String

    public init(id: Int, name: String, supercategory: String = "") {
        self.id = id; self.name = name; self.supercategory = supercategory
    }
}

/// One ground-truth entry of `annotations` (bbox part only; segmentations are not kept).
public struct COCOAnnotation: Hashable, Sendable {
    public var id: Int
    public var imageId: Int
    public var categoryId: Int
    public var bbox: COCOBox
    /// The file's `area` field; pycocotools uses it (not the box) for the area ranges. NaN when
    /// the file has none (an error only if the annotation is evaluated, as in pycocotools).
    public var area: Double
    public var isCrowd: Bool

    public init(id: Int, imageId: Int, categoryId: Int, bbox: COCOBox, area: Double, isCrowd: Bool = false) {
        self.id = id; self.imageId = imageId; self.categoryId = categoryId
        self.bbox = bbox; self.area = area; self.isCrowd = isCrowd
    }
}

/// A COCO instances file: images, annotations and categories.
public struct COCODataset: Sendable {
    public var images: [COCOImage]
    public var annotations: [COCOAnnotation]
    public var categories: [COCOCategory]

    /// Image and category ids whose first occurrence in the file was a float literal (`3.0`):
    /// pycocotools' NumPy then types the id list as float64 (see `COCOId.sortedUnique`).
    var floatTypedImageIds: Set<Int> = []
    var floatTypedCategoryIds: Set<Int> = []
    /// The file this was read from (for messages about it), empty for values built in memory.
    var sourceName = ""

    public init(images: [COCOImage] = [], annotations: [COCOAnnotation] = [], categories: [COCOCategory] = []) {
        self.images = images; self.annotations = annotations; self.categories = categories
    }
}

/// One entry of a COCO results file.
public struct COCODetection: Hashable, Sendable {
    public var imageId: Int
    public var categoryId: Int
    public var bbox: COCOBox
    /// NaN when the file has no score (an error only if the detection is evaluated, as in pycocotools).
    public var score: Double
    /// The area pycocotools compares with the area ranges when it is not `bbox` w·h: the mask
    /// area for results loaded from a segmentation, the file's `area` with a `caption` key, the
    /// keypoints' box area (see `COCOResults`). nil = w·h.
    public var area: Double?

    public init(imageId: Int, categoryId: Int, bbox: COCOBox, score: Double, area: Double? = nil) {
        self.imageId = imageId; self.categoryId = categoryId; self.bbox = bbox; self.score = score; self.area = area
    }
}
