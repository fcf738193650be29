/// Evaluation parameters, pycocotools' `Params` for `iouType='bbox'` (defaults identical).
public struct COCOEvalParameters: Sendable, Equatable {
    /// An object-area range (in pixels², compared inclusively with the GT `area` field).
    public struct AreaRange: Sendable, Equatable {
        public var label: String
        public var min: Double
        public var max: Double
        public init(label: String, min: Double, max: Double) { self.label = label; self.min = min; self.max = max }
    }

    /// IoU thresholds, default `np.linspace(.5, .95, 10)` (the exact doubles NumPy makes).
    public var iouThresholds: [Double]
    /// Recall thresholds, default `np.linspace(0, 1, 101)`.
    public var recallThresholds: [Double]
    /// Detections kept per image (sorted ascending before use, as pycocotools does); ≥ 3 values.
    public var maxDetections: [Int]
    /// Area ranges; the summary looks up the labels `all`, `small`, `medium`, `large`.
    public var areaRanges: [AreaRange]
    /// When false, categories are ignored (pycocotools' `useCats = 0`).
    public var useCategories: Bool
    /// Images to evaluate (nil: all GT images), pycocotools' `params.imgIds`.
    public var imageIds: [Int]?
    /// Categories to evaluate (nil: all GT categories), pycocotools' `params.catIds`.
    public var categoryIds: [Int]?

    public init(iouThresholds: [Double] = COCOEvalParameters.defaultIoUThresholds,
                recallThresholds: [Double] = COCOEvalParameters.defaultRecallThresholds,
                maxDetections: [Int] = [1, 10, 100],
                areaRanges: [AreaRange] = COCOEvalParameters.defaultAreaRanges,
                useCategories: Bool = true, imageIds: [Int]? = nil, categoryIds: [Int]? = nil) {
        self.iouThresholds = iouThresholds; self.recallThresholds = recallThresholds
        self.maxDetections = maxDetections; self.areaRanges = areaRanges
        self.useCategories = useCategories; self.imageIds = imageIds; self.categoryIds = categoryIds
    }

    public static let defaultIoUThresholds = NumpyCompat.linspace(0.5, 0.95, 10)
    public static let defaultRecallThresholds = NumpyCompat.linspace(0.0, 1.0, 101)
    public static let defaultAreaRanges: [AreaRange] = [
        AreaRange(label: "all", min: 0, max: 1e10),
        AreaRange(label: "small", min: 0, max: 1024),
        AreaRange(label: "medium", min: 1024, max: 9216),
        AreaRange(label: "large", min: 9216, max: 1e10),
    ]

    /// Checks what pycocotools' summary needs; throws a `.parameters` error otherwise.
    public func validate() throws {
        func bad(_ m: String) -> COCOError { COCOError(.parameters, m) }
        if iouThresholds.isEmpty { throw bad("IoU thresholds: give at least one") }
        if let x = iouThresholds.first(where: { !$0.isFinite || $0 < 0 || $0 > 1 }) { throw bad("IoU threshold \(x) is not in [0, 1]") }
        if recallThresholds.isEmpty { throw bad("recall thresholds: give at least one") }
        if let x = recallThresholds.first(where: { !$0.isFinite }) { throw bad("recall threshold \(x) is not finite") }
        if maxDetections.count < 3 { throw bad("max detections: give at least 3 values (the summary uses the first three), got \(maxDetections.count)") }
        if let x = maxDetections.first(where: { $0 < 0 }) { throw bad("max detections \(x) is negative") }
        if areaRanges.isEmpty { throw bad("area ranges: give at least one") }
        for a in areaRanges where !(a.min <= a.max) || a.min.isNaN || a.max.isNaN {
            throw bad("area range \(a.label) [\(a.min), \(a.max)] is empty or not a number")
        }
    }
}

extension COCOEvalParameters {
    /// `np.linspace(start, stop, num)` with NumPy's exact doubles (for threshold lists).
    public static func linspace(_ start: Double, _ stop: Double, _ num: Int) -> [Double] {
        NumpyCompat.linspace(start, stop, num)
    }
}
