import Foundation

/// pycocotools' `COCOeval` for `iouType='bbox'`: same rules, same numbers, faster.
///
/// `init` validates the inputs (as `COCO.loadRes` does) and groups ground truth and detections
/// by category once; `run(threads:)` evaluates categories in parallel (evaluate + accumulate per
/// category) and summarizes. Results do not depend on the thread count: every category is
/// computed by one thread into its own slots.
public struct COCOEvaluator: Sendable {
    /// One ground-truth box as the evaluation needs it.
    struct GTBox {
        var x, y, w, h: Double
        /// The file's `area` field (used for the area ranges).
        var area: Double
        var crowd: Bool
        /// pycocotools records a match as the GT's `id` and tests it for truth: id 0 counts as unmatched.
        var idNonZero: Bool
        var image: Int32
    }

    /// One detection: box, score, image index; its pycocotools id is its position + 1.
    struct DTBox {
        var x, y, w, h: Double
        var score: Double
        var image: Int32
    }

    public let parameters: COCOEvalParameters
    /// Non-fatal findings (categories the GT does not list, empty results, repeated ids…).
    public private(set) var warnings: [String] = []
    /// Evaluated image ids, sorted (pycocotools' `params.imgIds`).
    public let imageIds: [Int]
    /// Evaluated category ids, sorted (pycocotools' `params.catIds`).
    public let categoryIds: [Int]
    /// Category names by id, from the GT.
    public let categoryNames: [Int: String]

    let maxDets: [Int]
    /// Ground truth and detections bucketed by evaluation group (category, or one group when
    /// `useCategories` is false); within a group in pycocotools' list order.
    let gts: [GTBox]
    let gtStart: [Int]
    let dts: [DTBox]
    let dtStart: [Int]

    /// Validates and indexes; throws `.mismatch` when detections name images the GT lacks.
    public init(groundTruth: COCODataset, detections: [COCODetection], parameters: COCOEvalParameters = .init()) throws {
        try parameters.validate()
        self.parameters = parameters
        maxDets = parameters.maxDetections.sorted()
        var warnings: [String] = []

        // Images: results must refer to GT images (pycocotools asserts this in loadRes).
        let gtImages = IdIndex(groundTruth.images.map(\.id))
        var offending: [Int] = []
        var offendingCount = 0
        var seenBad = Set<Int>()
        for d in detections where gtImages.index(of: d.imageId) == nil {
            offendingCount += 1
            if seenBad.insert(d.imageId).inserted && offending.count < 5 { offending.append(d.imageId) }
        }
        if offendingCount > 0 {
            let sample = gtImages.ids.isEmpty ? "the ground truth lists no images"
                : "ground-truth image ids look like " + gtImages.ids.prefix(3).map(String.init).joined(separator: ", ")
            throw COCOError(.mismatch,
                "\(offendingCount) detection(s) refer to image ids the ground truth does not have: "
                + offending.map(String.init).joined(separator: ", ") + (seenBad.count > offending.count ? ", …" : "")
                + " (\(sample)). pycocotools refuses such results "
                + "(\"Results do not correspond to current coco set\"). Usually the predictions were made for "
                + "another split or file, or ids were written as strings in one file and integers in the other.")
        }
        if detections.isEmpty {
            warnings.append("the result list is empty: every category with ground truth gets AP 0 and AR 0, the others -1 "
                            + "(pycocotools cannot evaluate an empty list)")
        }

        let images = parameters.imageIds.map { IdIndex($0) } ?? gtImages
        let cats = parameters.categoryIds.map { IdIndex($0) } ?? IdIndex(groundTruth.categories.map(\.id))
        imageIds = images.ids
        categoryIds = cats.ids
        var names: [Int: String] = [:]
        for c in groundTruth.categories { names[c.id] = c.name }
        categoryNames = names

        let unknownCats = detections.lazy.filter { cats.index(of: $0.categoryId) == nil }
        if parameters.categoryIds == nil, let firstUnknown = unknownCats.first {
            let n = unknownCats.count
            warnings.append("\(n) detection(s) have category ids the ground truth does not list (first: \(firstUnknown.categoryId)); "
                            + "they are not evaluated, as in pycocotools")
        }

        let groups = parameters.useCategories ? cats.count : 1
        (gts, gtStart) = COCOEvaluator.bucketGroundTruth(groundTruth.annotations, images: images, cats: cats,
                                                         groups: groups, useCategories: parameters.useCategories,
                                                         warnings: &warnings)
        (dts, dtStart) = COCOEvaluator.bucketDetections(detections, images: images, cats: cats,
                                                        groups: groups, useCategories: parameters.useCategories)
        self.warnings = warnings
    }

    /// Ground truth in pycocotools' `gts` order, bucketed by group (stable).
    ///
    /// pycocotools indexes annotations by `id`: when ids repeat, every occurrence is replaced by
    /// the last annotation with that id. That is reproduced (with a warning).
    static func bucketGroundTruth(_ anns: [COCOAnnotation], images: IdIndex, cats: IdIndex, groups: Int,
                                  useCategories: Bool, warnings: inout [String]) -> ([GTBox], [Int]) {
        var lastById = [Int: Int](minimumCapacity: anns.count)
        var repeated = 0
        var firstRepeated = 0
        for (i, a) in anns.enumerated() {
            if lastById.updateValue(i, forKey: a.id) != nil {
                if repeated == 0 { firstRepeated = a.id }
                repeated += 1
            }
        }
        // The list pycocotools builds: images in sorted order, each with its annotations in file order.
        var order: [Int] = []
        order.reserveCapacity(anns.count)
        if repeated == 0 {
            for (i, a) in anns.enumerated() where images.index(of: a.imageId) != nil && cats.index(of: a.categoryId) != nil {
                order.append(i)
            }
        } else {
            warnings.append("\(repeated) annotation(s) repeat an id used before (first: id \(firstRepeated)); evaluated as "
                            + "pycocotools does: each annotation with a repeated id is replaced by the last one with that id")
            var byImage = [[Int]](repeating: [], count: images.count)
            for (i, a) in anns.enumerated() {
                if let im = images.index(of: a.imageId), cats.index(of: a.categoryId) != nil { byImage[im].append(i) }
            }
            for list in byImage { for i in list { order.append(lastById[anns[i].id] ?? i) } }
        }
        var groupOf = [Int32](repeating: -1, count: order.count)
        var counts = [Int](repeating: 0, count: groups + 1)
        for (j, i) in order.enumerated() {
            let a = anns[i]
            guard images.index(of: a.imageId) != nil, let k = cats.index(of: a.categoryId) else { continue }
            let g = useCategories ? k : 0
            groupOf[j] = Int32(g)
            counts[g + 1] += 1
        }
        if !useCategories {
            // One group, concatenated per image in category order (pycocotools' useCats=0 lists).
            var byCat = [[Int]](repeating: [], count: cats.count)
            for (j, i) in order.enumerated() where groupOf[j] >= 0 { byCat[cats.index(of: anns[i].categoryId)!].append(j) }
            let flat = byCat.flatMap { $0 }
            var out: [GTBox] = []
            out.reserveCapacity(flat.count)
            for j in flat { out.append(gtBox(anns[order[j]], images: images)) }
            return (out, [0, out.count])
        }
        var start = counts
        for g in 0..<groups { start[g + 1] += start[g] }
        var fill = start
        var out = [GTBox](repeating: GTBox(x: 0, y: 0, w: 0, h: 0, area: 0, crowd: false, idNonZero: false, image: 0), count: start[groups])
        for (j, i) in order.enumerated() where groupOf[j] >= 0 {
            let g = Int(groupOf[j])
            out[fill[g]] = gtBox(anns[i], images: images)
            fill[g] += 1
        }
        return (out, start)
    }

    private static func gtBox(_ a: COCOAnnotation, images: IdIndex) -> GTBox {
        GTBox(x: a.bbox.x, y: a.bbox.y, w: a.bbox.width, h: a.bbox.height, area: a.area, crowd: a.isCrowd,
              idNonZero: a.id != 0, image: Int32(images.index(of: a.imageId) ?? 0))
    }

    /// Detections bucketed by group, file order within a group (category order first when
    /// categories are not used, as pycocotools concatenates them).
    static func bucketDetections(_ dets: [COCODetection], images: IdIndex, cats: IdIndex, groups: Int,
                                 useCategories: Bool) -> ([DTBox], [Int]) {
        let n = dets.count
        var key = [Int32](repeating: -1, count: n)
        var imageOf = [Int32](repeating: 0, count: n)
        let buckets = useCategories ? groups : cats.count
        var counts = [Int](repeating: 0, count: buckets + 1)
        for i in 0..<n {
            let d = dets[i]
            guard let im = images.index(of: d.imageId), let k = cats.index(of: d.categoryId) else { continue }
            key[i] = Int32(k); imageOf[i] = Int32(im)
            counts[k + 1] += 1
        }
        var start = counts
        for g in 0..<buckets { start[g + 1] += start[g] }
        var fill = start
        var out = [DTBox](repeating: DTBox(x: 0, y: 0, w: 0, h: 0, score: 0, image: 0), count: start[buckets])
        for i in 0..<n where key[i] >= 0 {
            let k = Int(key[i]); let d = dets[i]
            out[fill[k]] = DTBox(x: d.bbox.x, y: d.bbox.y, w: d.bbox.width, h: d.bbox.height, score: d.score, image: imageOf[i])
            fill[k] += 1
        }
        return (out, useCategories ? start : [0, out.count])
    }
}
