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
        /// What recording a match to this GT does in pycocotools, which stores the GT's `id` in a
        /// float array and tests it for truth (`COCOId.MatchState`): 0 counts as unmatched (id 0),
        /// 1 as matched, 2 and 3 are refused when a match happens.
        var matchState: UInt8
        var image: Int32
    }

    /// One detection: box, score, image index; its pycocotools id is its position + 1.
    struct DTBox {
        var x, y, w, h: Double
        var score: Double
        /// The area compared with the area ranges (w·h unless the results said otherwise).
        var area: Double
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
    /// Ground truth whose match pycocotools cannot record, by position in `gts`: its annotation
    /// id (key) and index in the file's `annotations`.
    let unrecordableIds: [Int: (id: Int, index: Int)]
    /// The ground truth's file name, for messages.
    let groundTruthFile: String

    /// Validates and indexes; throws `.mismatch` when detections name images the GT lacks, or
    /// ids pycocotools cannot order; `.value` when an evaluated annotation lacks a `bbox` or an
    /// `area`, or an evaluated detection a `score` (pycocotools fails on those with KeyError).
    public init(groundTruth: COCODataset, detections: [COCODetection], parameters: COCOEvalParameters = .init()) throws {
        try parameters.validate()
        self.parameters = parameters
        maxDets = parameters.maxDetections.sorted()
        var warnings: [String] = []
        let gtFile = groundTruth.sourceName
        groundTruthFile = gtFile

        // Images: results must refer to GT images (pycocotools asserts this in loadRes).
        let gtImages = try Self.inFile(gtFile) {
            try IdIndex(groundTruth.images.map(\.id), floatTyped: groundTruth.floatTypedImageIds, what: "image ids")
        }
        try Self.checkImagesExist(detections, in: gtImages)
        if detections.isEmpty {
            warnings.append("the result list is empty: every category with ground truth gets AP 0 and AR 0, the others -1 "
                            + "(pycocotools cannot evaluate an empty list)")
        }

        let images = try parameters.imageIds.map { try IdIndex($0, what: "image ids of the parameters") } ?? gtImages
        let cats = try parameters.categoryIds.map { try IdIndex($0, what: "category ids of the parameters") }
            ?? Self.inFile(gtFile) {
                try IdIndex(groundTruth.categories.map(\.id), floatTyped: groundTruth.floatTypedCategoryIds, what: "category ids")
            }
        imageIds = images.ids
        categoryIds = cats.ids
        var names: [Int: String] = [:]
        for c in groundTruth.categories { names[c.id] = c.name }
        categoryNames = names

        let unknownCats = detections.lazy.filter { cats.index(of: $0.categoryId) == nil }
        if parameters.categoryIds == nil, let firstUnknown = unknownCats.first {
            let n = unknownCats.count
            warnings.append("\(n) detection(s) have category ids the ground truth does not list (first: \(COCOId.jsonText(firstUnknown.categoryId))); "
                            + "they are not evaluated, as in pycocotools")
        }

        let groups = parameters.useCategories ? cats.count : 1
        (gts, gtStart, unrecordableIds) = try Self.inFile(gtFile) {
            try COCOEvaluator.bucketGroundTruth(groundTruth.annotations, images: images, cats: cats,
                                                groups: groups, useCategories: parameters.useCategories,
                                                warnings: &warnings)
        }
        (dts, dtStart) = try COCOEvaluator.bucketDetections(detections, images: images, cats: cats,
                                                            groups: groups, useCategories: parameters.useCategories)
        self.warnings = warnings
    }

    /// Runs `body`, naming `file` in the `COCOError`s it throws.
    private static func inFile<T>(_ file: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch var e as COCOError where e.file.isEmpty && !file.isEmpty {
            e.file = file
            throw e
        }
    }

    /// pycocotools' `loadRes` assertion, with the offending ids and their likely cause.
    private static func checkImagesExist(_ detections: [COCODetection], in gtImages: IdIndex) throws {
        var offending: [Int] = []
        var offendingCount = 0
        var seenBad = Set<Int>()
        for d in detections where gtImages.index(of: d.imageId) == nil {
            offendingCount += 1
            if seenBad.insert(d.imageId).inserted && offending.count < 5 { offending.append(d.imageId) }
        }
        guard offendingCount > 0 else { return }
        let sample = gtImages.ids.isEmpty ? "the ground truth lists no images"
            : "ground-truth image ids look like " + gtImages.ids.prefix(3).map(COCOId.jsonText).joined(separator: ", ")
        // The usual cause, named when it is certain: the same id written as a string in one file
        // and as a number in the other.
        var hint = ""
        for id in offending {
            let text = COCOId.displayText(id)
            let other: Int?
            if case .string = COCOId.value(of: id) {
                var p = COCOParser(JSONByteReader(bytes: Array(text.utf8), name: ""))
                other = try? p.id()
            } else {
                other = COCOId.existingKey(string: text)
            }
            if let other, gtImages.index(of: other) != nil {
                hint = " The ground truth has the image id \(COCOId.jsonText(other)) where the results have \(COCOId.jsonText(id)): "
                    + "a string never equals a number in Python, so pycocotools refuses this too; write the ids the same way in both files."
                break
            }
        }
        throw COCOError(.mismatch,
            "\(offendingCount) detection(s) refer to image ids the ground truth does not have: "
            + offending.map(COCOId.jsonText).joined(separator: ", ") + (seenBad.count > offending.count ? ", …" : "")
            + " (\(sample)). pycocotools refuses such results "
            + "(\"Results do not correspond to current coco set\")."
            + (hint.isEmpty ? " Usually the predictions were made for another split or file, or ids were written as strings "
                + "in one file and integers in the other." : hint))
    }

    /// Ground truth in pycocotools' `gts` order, bucketed by group (stable), and the ids of
    /// those whose match pycocotools cannot record.
    ///
    /// pycocotools indexes annotations by `id`: when ids repeat, every occurrence is replaced by
    /// the last annotation with that id (whose own image and category then count). That is
    /// reproduced (with a warning).
    static func bucketGroundTruth(_ anns: [COCOAnnotation], images: IdIndex, cats: IdIndex, groups: Int,
                                  useCategories: Bool, warnings: inout [String]) throws -> ([GTBox], [Int], [Int: (id: Int, index: Int)]) {
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
            warnings.append("\(repeated) annotation(s) repeat an id used before (first: id \(COCOId.jsonText(firstRepeated))); evaluated as "
                            + "pycocotools does: each annotation with a repeated id is replaced by the last one with that id")
            var byImage = [[Int]](repeating: [], count: images.count)
            for (i, a) in anns.enumerated() {
                // getAnnIds filters by category only when categories are used.
                if let im = images.index(of: a.imageId), !useCategories || cats.index(of: a.categoryId) != nil { byImage[im].append(i) }
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
        var unrecordable: [Int: (id: Int, index: Int)] = [:]
        func box(_ i: Int, at position: Int) throws -> GTBox {
            let a = anns[i]
            func missing(_ key: String) -> COCOError {
                COCOError(.value, path: "annotations[\(i)]", "the annotation with id \(COCOId.jsonText(a.id)) (image \(COCOId.jsonText(a.imageId)), "
                          + "category \(COCOId.jsonText(a.categoryId))) has no valid \"\(key)\": pycocotools reads it for every annotation "
                          + "of an evaluated image and category (KeyError)")
            }
            if a.area.isNaN { throw missing("area") }
            if !(a.bbox.x.isFinite && a.bbox.y.isFinite && a.bbox.width.isFinite && a.bbox.height.isFinite) { throw missing("bbox") }
            let state = COCOId.matchState(a.id)
            if state.rawValue >= 2 { unrecordable[position] = (a.id, i) }
            return GTBox(x: a.bbox.x, y: a.bbox.y, w: a.bbox.width, h: a.bbox.height, area: a.area, crowd: a.isCrowd,
                         matchState: state.rawValue, image: Int32(images.index(of: a.imageId) ?? 0))
        }
        if !useCategories {
            // One group, concatenated per image in category order (pycocotools' useCats=0 lists).
            var byCat = [[Int]](repeating: [], count: cats.count)
            for (j, i) in order.enumerated() where groupOf[j] >= 0 { byCat[cats.index(of: anns[i].categoryId)!].append(j) }
            let flat = byCat.flatMap { $0 }
            var out: [GTBox] = []
            out.reserveCapacity(flat.count)
            for j in flat { out.append(try box(order[j], at: out.count)) }
            return (out, [0, out.count], unrecordable)
        }
        var start = counts
        for g in 0..<groups { start[g + 1] += start[g] }
        var fill = start
        var out = [GTBox](repeating: GTBox(x: 0, y: 0, w: 0, h: 0, area: 0, crowd: false, matchState: 0, image: 0), count: start[groups])
        for (j, i) in order.enumerated() where groupOf[j] >= 0 {
            let g = Int(groupOf[j])
            out[fill[g]] = try box(i, at: fill[g])
            fill[g] += 1
        }
        return (out, start, unrecordable)
    }

    /// Detections bucketed by group, file order within a group (category order first when
    /// categories are not used, as pycocotools concatenates them).
    static func bucketDetections(_ dets: [COCODetection], images: IdIndex, cats: IdIndex, groups: Int,
                                 useCategories: Bool) throws -> ([DTBox], [Int]) {
        let n = dets.count
        var key = [Int32](repeating: -1, count: n)
        var imageOf = [Int32](repeating: 0, count: n)
        let buckets = useCategories ? groups : cats.count
        var counts = [Int](repeating: 0, count: buckets + 1)
        for i in 0..<n {
            let d = dets[i]
            guard let im = images.index(of: d.imageId), let k = cats.index(of: d.categoryId) else { continue }
            if d.score.isNaN {
                throw COCOError(.value, path: "[\(i)]", "the detection (image \(COCOId.jsonText(d.imageId)), category "
                                + "\(COCOId.jsonText(d.categoryId))) has no \"score\": pycocotools reads the score of every detection of an "
                                + "evaluated image and category (KeyError)")
            }
            key[i] = Int32(k); imageOf[i] = Int32(im)
            counts[k + 1] += 1
        }
        var start = counts
        for g in 0..<buckets { start[g + 1] += start[g] }
        var fill = start
        var out = [DTBox](repeating: DTBox(x: 0, y: 0, w: 0, h: 0, score: 0, area: 0, image: 0), count: start[buckets])
        for i in 0..<n where key[i] >= 0 {
            let k = Int(key[i]); let d = dets[i]
            out[fill[k]] = DTBox(x: d.bbox.x, y: d.bbox.y, w: d.bbox.width, h: d.bbox.height, score: d.score,
                                 area: d.area ?? d.bbox.width * d.bbox.height, image: imageOf[i])
            fill[k] += 1
        }
        return (out, useCategories ? start : [0, out.count])
    }
}
