import Foundation

/// Reads COCO instances and results JSON into the COCOKit value types, streaming.
///
/// Keys pycocotools always reads are required: images[].id; annotations[].id, image_id,
/// category_id; categories[].id; results[].image_id, category_id. An annotation's `bbox` and
/// `area` and a result's `score` are read only for evaluated images and categories, so a missing
/// one is recorded (NaN) and refused by the evaluator only where pycocotools would read it.
/// Results are read the way `COCO.loadRes` reads them (COCOParser+Results.swift). Everything
/// else (`info`, `licenses`, `segmentation` in GT, unknown keys) is validated and skipped. Ids
/// may be integers, numbers, strings or booleans (see `COCOId`).
struct COCOParser {
    let r: JSONByteReader
    /// Non-fatal findings (e.g. annotations without `iscrowd`), for the caller to print.
    var warnings: [String] = []
    /// Set by `id()`: whether the id just read was written as a float literal (`3.0`, `1e3`).
    var lastIdWasFloatLiteral = false
    /// How the results list is read (decided by its first element); nil before it.
    var branch: ResultsBranch? = nil

    init(_ reader: JSONByteReader) { r = reader }

    // MARK: - Error context

    /// Where the parser is, to build a JSON path only when an error happens.
    var section = ""
    var index = -1
    var key: StaticString = ""
    var unknownKey: [UInt8] = []
    var subIndex = -1

    var currentPath: String {
        var p = section
        if index >= 0 { p += "[\(index)]" }
        if key.utf8CodeUnitCount > 0 {
            p += (p.isEmpty ? "" : ".") + "\(key)"
        } else if !unknownKey.isEmpty {
            p += (p.isEmpty ? "" : ".") + String(decoding: unknownKey, as: UTF8.self)
        }
        if subIndex >= 0 { p += "[\(subIndex)]" }
        return p
    }

    func wrap(_ e: JSONSyntaxError, path: String? = nil) -> COCOError {
        let lc = r.lineColumn(of: e.offset)
        return COCOError(e.kind, file: r.fileName, position: "\(lc.line):\(lc.column)",
                         path: path ?? currentPath, e.message)
    }

    mutating func setKey(_ k: StaticString) { key = k; unknownKey.removeAll(keepingCapacity: true); subIndex = -1 }
    mutating func setUnknownKey() { key = ""; unknownKey = r.keyBytes; subIndex = -1 }

    /// The path of the current element (`annotations[3]`, `[12]`).
    var elementPath: String { section + (index >= 0 ? "[\(index)]" : "") }

    /// An error at a file offset with an explicit path (for values interpreted after reading).
    func error(_ kind: COCOError.Kind, at offset: Int, path: String, _ message: String) -> COCOError {
        let lc = r.lineColumn(of: offset)
        return COCOError(kind, file: r.fileName, position: "\(lc.line):\(lc.column)", path: path, message)
    }

    // MARK: - Instances

    /// Parses an instances file; returns the dataset. Warnings go to `warnings`.
    mutating func instances() throws -> COCODataset {
        var ds = COCODataset()
        var sawImages = false, sawCategories = false
        var crowdMissing = 0, firstCrowdMissing = -1
        var floatImages: [Int] = [], floatCategories: [Int] = []  // indexes of ids written as 3.0
        do {
            guard try r.peekToken() == UInt8(ascii: "{") else {
                throw try typeError("an object with \"images\", \"annotations\" and \"categories\"" +
                                    (try r.peekToken() == UInt8(ascii: "[") ? " (a list looks like a results file; pass it as PREDS, not --gt)" : ""))
            }
            try r.expect(UInt8(ascii: "{"), "'{'")
            var first = true
            while try r.nextKey(&first) {
                section = ""; index = -1
                if r.keyIs("images") {
                    sawImages = true; section = "images"; setKey("")
                    try array { p in
                        ds.images.append(try p.image())
                        if p.lastIdWasFloatLiteral { floatImages.append(p.index) }
                    }
                } else if r.keyIs("annotations") {
                    section = "annotations"; setKey("")
                    try array { p in
                        let (a, hadCrowd) = try p.annotation()
                        if !hadCrowd { crowdMissing += 1; if firstCrowdMissing < 0 { firstCrowdMissing = p.index } }
                        ds.annotations.append(a)
                    }
                } else if r.keyIs("categories") {
                    sawCategories = true; section = "categories"; setKey("")
                    try array { p in
                        ds.categories.append(try p.category())
                        if p.lastIdWasFloatLiteral { floatCategories.append(p.index) }
                    }
                } else {
                    setUnknownKey(); section = ""
                    try r.skipValue()
                }
                section = ""; index = -1; setKey("")
            }
            try r.expectEnd()
        } catch let e as JSONSyntaxError {
            throw wrap(e)
        }
        if !sawImages { throw COCOError(.schema, file: r.fileName, "missing required key \"images\" at the top level (is this a COCO instances file?)") }
        if !sawCategories { throw COCOError(.schema, file: r.fileName, "missing required key \"categories\" at the top level (is this a COCO instances file?)") }
        ds.floatTypedImageIds = Self.firstOccurrences(floatImages, of: ds.images.map(\.id))
        ds.floatTypedCategoryIds = Self.firstOccurrences(floatCategories, of: ds.categories.map(\.id))
        if crowdMissing > 0 {
            warnings.append("\(r.fileName): \(crowdMissing) annotation(s) have no \"iscrowd\" (first: annotations[\(firstCrowdMissing)]); "
                            + "treated as iscrowd = 0 (pycocotools raises KeyError on such a file)")
        }
        return ds
    }

    /// The ids at `positions` that are the first occurrence of their value in `ids` (Python's
    /// dict keeps the first key object of equal keys, so that one decides the id's type).
    static func firstOccurrences(_ positions: [Int], of ids: [Int]) -> Set<Int> {
        guard !positions.isEmpty else { return [] }
        var first: [Int: Int] = [:]
        for (i, id) in ids.enumerated() where first[id] == nil { first[id] = i }
        return Set(positions.filter { first[ids[$0]] == $0 }.map { ids[$0] })
    }

    /// Calls `element` for each element of an array, tracking the index.
    mutating func array(_ element: (inout COCOParser) throws -> Void) throws {
        guard try r.peekToken() == UInt8(ascii: "[") else { throw try typeError("an array") }
        try r.expect(UInt8(ascii: "["), "'['")
        var first = true
        index = 0
        while try r.nextElement(&first) {
            try element(&self)
            index += 1
        }
        index = -1
    }

    mutating func beginObject() throws -> Int {
        setKey("")
        guard try r.peekToken() == UInt8(ascii: "{") else { throw try typeError("an object") }
        let start = r.offset
        try r.expect(UInt8(ascii: "{"), "'{'")
        return start
    }

    private mutating func image() throws -> COCOImage {
        let start = try beginObject()
        var img = COCOImage(id: 0, width: 0, height: 0, fileName: "")
        var hasId = false, idWasFloat = false
        var first = true
        while try r.nextKey(&first) {
            if r.keyIs("id") { setKey("id"); img.id = try id(); hasId = true; idWasFloat = lastIdWasFloatLiteral }
            else if r.keyIs("width") { setKey("width"); img.width = try optionalInt() ?? 0 }
            else if r.keyIs("height") { setKey("height"); img.height = try optionalInt() ?? 0 }
            else if r.keyIs("file_name") { setKey("file_name"); img.fileName = try optionalString() ?? "" }
            else { setUnknownKey(); try r.skipValue() }
        }
        setKey("")
        if !hasId { throw missing("id", objectStart: start) }
        lastIdWasFloatLiteral = idWasFloat
        return img
    }

    private mutating func category() throws -> COCOCategory {
        let start = try beginObject()
        var cat = COCOCategory(id: 0, name: "")
        var hasId = false, idWasFloat = false
        var first = true
        while try r.nextKey(&first) {
            if r.keyIs("id") { setKey("id"); cat.id = try id(); hasId = true; idWasFloat = lastIdWasFloatLiteral }
            else if r.keyIs("name") { setKey("name"); cat.name = try optionalString() ?? "" }
            else if r.keyIs("supercategory") { setKey("supercategory"); cat.supercategory = try optionalString() ?? "" }
            else { setUnknownKey(); try r.skipValue() }
        }
        setKey("")
        if !hasId { throw missing("id", objectStart: start) }
        lastIdWasFloatLiteral = idWasFloat
        return cat
    }

    /// One annotation and whether it had an `iscrowd` key. A missing `bbox` or `area` is NaN
    /// (pycocotools reads them only for evaluated annotations; the evaluator checks).
    private mutating func annotation() throws -> (COCOAnnotation, Bool) {
        let start = try beginObject()
        let nan = Double.nan
        var a = COCOAnnotation(id: 0, imageId: 0, categoryId: 0, bbox: COCOBox(x: nan, y: nan, width: nan, height: nan), area: nan)
        var seen: UInt8 = 0  // bits: id, image_id, category_id, bbox, area, iscrowd
        var first = true
        while try r.nextKey(&first) {
            if r.keyIs("id") { setKey("id"); a.id = try id(); seen |= 1 }
            else if r.keyIs("image_id") { setKey("image_id"); a.imageId = try id(); seen |= 2 }
            else if r.keyIs("category_id") { setKey("category_id"); a.categoryId = try id(); seen |= 4 }
            else if r.keyIs("bbox") { setKey("bbox"); a.bbox = try box(); seen |= 8 }
            else if r.keyIs("area") { setKey("area"); a.area = try finiteNumber("a number (the object's area)"); seen |= 16 }
            else if r.keyIs("iscrowd") { setKey("iscrowd"); a.isCrowd = try flag(); seen |= 32 }
            else { setUnknownKey(); try r.skipValue() }
        }
        setKey("")
        for (bit, name) in [(1, "id"), (2, "image_id"), (4, "category_id")] where seen & UInt8(bit) == 0 {
            throw missing(name, objectStart: start)
        }
        return (a, seen & 32 != 0)
    }
}
