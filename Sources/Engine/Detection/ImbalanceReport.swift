import COCOKit

/// Foreground/background statistics of a dataset split under an anchor configuration and scale:
/// what the classification loss actually sees (the paper's "~100k anchors, few positives").
///
/// Needs only annotations and image sizes (no rendering). Ratios are over the whole split
/// (total negatives / total positives), means are per image. Object-size fractions use the
/// annotations' `area` field and COCO's ranges (small < 32², medium < 96², large ≥ 96²),
/// crowd boxes excluded, exactly as pycocotools bins ground truth.
public struct ImbalanceReport: Hashable, Sendable {
    public var images = 0
    public var scale = 0
    /// Input size of the first image (all built-in images share it).
    public var inputWidth = 0, inputHeight = 0
    public var anchorsPerLocation = 0
    public var anchorsPerImage = 0.0
    public var positivesPerImage = 0.0
    public var ignoredPerImage = 0.0
    public var negativesPerImage = 0.0
    /// Total negatives / total positives over the split (the "1:N" of the goal ≤ 1:300).
    public var negativesPerPositive = 0.0
    /// Non-crowd objects, crowd regions, images without any non-crowd object.
    public var objects = 0, crowdRegions = 0, emptyImages = 0
    public var smallFraction = 0.0, mediumFraction = 0.0, largeFraction = 0.0
    /// Mean positive anchors per non-crowd object.
    public var positivesPerObject = 0.0
    /// Fraction of non-crowd objects with no positive anchor.
    public var objectsWithoutPositive = 0.0
    /// Fraction of non-crowd objects whose best anchor has IoU < 0.5 (positive only via the low-quality rule, if at all).
    public var objectsBelowForegroundIoU = 0.0

    public init() {}

    /// Computes the report over the first `limit` images (all if nil) of `dataset`.
    public static func compute(dataset: some DetectionDataset, scale: Int, anchors generator: AnchorGenerator,
                               matcher: AnchorMatcher = AnchorMatcher(), limit: Int? = nil) throws -> ImbalanceReport {
        var r = ImbalanceReport()
        r.scale = scale
        r.anchorsPerLocation = generator.anchorsPerLocation
        let n = min(dataset.count, limit ?? dataset.count)
        r.images = n
        let classIndex = dataset.classIndex
        var cache: [Int: AnchorSet] = [:]       // keyed by height·65536 + width
        var assignment = AnchorAssignment()
        var anchorsTotal = 0, pos = 0, ign = 0, neg = 0
        var small = 0, medium = 0, large = 0, withoutPositive = 0, belowFg = 0
        for i in 0..<n {
            let size = dataset.inputSize(at: i, scale: scale)
            if i == 0 { r.inputWidth = size.width; r.inputHeight = size.height }
            let key = size.height << 16 | size.width
            let anchors = cache[key] ?? generator.anchors(height: size.height, width: size.width)
            cache[key] = anchors
            let annotations = dataset.annotations(at: i)
            let gt = try GroundTruthBoxes(annotations: annotations, scale: size.factor, classIndex: classIndex)
            matcher.match(gt, anchors: anchors, into: &assignment)
            anchorsTotal += anchors.count
            pos += assignment.positiveCount; ign += assignment.ignoredCount; neg += assignment.negativeCount
            var positivesOf = [Int](repeating: 0, count: gt.count)
            for m in assignment.matches where m >= 0 { positivesOf[Int(m)] += 1 }
            var nonCrowd = 0
            for (j, a) in annotations.enumerated() {
                if a.isCrowd { r.crowdRegions += 1; continue }
                nonCrowd += 1
                if a.area < 32 * 32 { small += 1 } else if a.area < 96 * 96 { medium += 1 } else { large += 1 }
                if positivesOf[j] == 0 { withoutPositive += 1 }
                if assignment.boxBestIoU[j] < matcher.foregroundIoU { belowFg += 1 }
            }
            r.objects += nonCrowd
            if nonCrowd == 0 { r.emptyImages += 1 }
        }
        let images = Double(max(1, n)), objects = Double(max(1, r.objects))
        r.anchorsPerImage = Double(anchorsTotal) / images
        r.positivesPerImage = Double(pos) / images
        r.ignoredPerImage = Double(ign) / images
        r.negativesPerImage = Double(neg) / images
        r.negativesPerPositive = pos > 0 ? Double(neg) / Double(pos) : .infinity
        r.smallFraction = Double(small) / objects
        r.mediumFraction = Double(medium) / objects
        r.largeFraction = Double(large) / objects
        r.positivesPerObject = Double(pos) / objects
        r.objectsWithoutPositive = Double(withoutPositive) / objects
        r.objectsBelowForegroundIoU = Double(belowFg) / objects
        return r
    }

    /// Column names of `markdownRow`.
    public static let markdownHeader = markdownHeader(leading: [])

    /// The header with extra leading columns (rows then start with "| value " per extra column).
    public static func markdownHeader(leading: [String]) -> String {
        let names = leading + ["scale", "input", "A", "anchors/img", "pos/img", "ignored/img", "neg/img", "neg:pos",
                               "pos/object", "objects w/o pos", "best IoU < 0.5"]
        return "| " + names.joined(separator: " | ") + " |\n|" + String(repeating: " --- |", count: names.count)
    }

    /// One Markdown table row of the anchor statistics.
    public var markdownRow: String {
        "| \(scale) | \(inputWidth)×\(inputHeight) | \(anchorsPerLocation) | \(Self.fmt(anchorsPerImage, 0)) | \(Self.fmt(positivesPerImage, 1)) | " +
            "\(Self.fmt(ignoredPerImage, 1)) | \(Self.fmt(negativesPerImage, 0)) | 1:\(Self.fmt(negativesPerPositive, 0)) | " +
            "\(Self.fmt(positivesPerObject, 2)) | \(Self.pct(objectsWithoutPositive)) | \(Self.pct(objectsBelowForegroundIoU)) |"
    }

    /// The object statistics (independent of scale and anchors) in one line.
    public var objectSummary: String {
        "\(images) images, \(objects) objects (\(Self.fmt(Double(objects) / Double(max(1, images)), 2))/image), " +
            "\(emptyImages) images without objects (\(Self.pct(Double(emptyImages) / Double(max(1, images))))), " +
            "\(crowdRegions) crowd regions; size mix small \(Self.pct(smallFraction)) / medium \(Self.pct(mediumFraction)) / large \(Self.pct(largeFraction))"
    }

    static func fmt(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return "∞" }
        var p = 1.0
        for _ in 0..<digits { p *= 10 }
        let r = (v * p).rounded() / p
        if digits == 0 { return String(Int(r)) }
        var s = String(r)
        if let dot = s.firstIndex(of: ".") {
            let decimals = s.distance(from: dot, to: s.endIndex) - 1
            if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
        }
        return s
    }

    static func pct(_ v: Double) -> String { fmt(100 * v, 1) + "%" }
}
