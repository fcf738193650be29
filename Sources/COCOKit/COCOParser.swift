import Foundation

/// Reads COCO instances and results JSON into the COCOKit value types, streaming.
///
/// Required keys (as pycocotools needs them): images[].id; annotations[].id, image_id,
/// category_id, bbox, area; categories[].id; results[].image_id, category_id, bbox, score.
/// Everything else (`info`, `licenses`, `segmentation`, unknown keys) is validated and skipped.
/// Ids must be JSON integers (an integral number such as `3.0` is accepted, as Python compares
/// `3.0 == 3`); a string id is refused with a message saying so.
struct COCOParser {
    let r: JSONByteReader
    /// Non-fatal findings (e.g. annotations without `iscrowd`), for the caller to print.
    var warnings: [String] = []

    init(_ reader: JSONByteReader) { r = reader }

    // MARK: - Error context

    /// Where the parser is, to build a JSON path only when an error happens.
    private var section = ""
    private var index = -1
    private var key: StaticString = ""
    private var unknownKey: [UInt8] = []
    private var subIndex = -1

    private var currentPath: String {
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

    private func wrap(_ e: JSONSyntaxError, path: String? = nil) -> COCOError {
        let lc = r.lineColumn(of: e.offset)
        return COCOError(e.kind, file: r.fileName, position: "\(lc.line):\(lc.column)",
                         path: path ?? currentPath, e.message)
    }

    private mutating func setKey(_ k: StaticString) { key = k; unknownKey.removeAll(keepingCapacity: true); subIndex = -1 }
    private mutating func setUnknownKey() { key = ""; unknownKey = r.keyBytes; subIndex = -1 }

    // MARK: - Typed values

    private func typeError(_ expected: String) throws -> JSONSyntaxError {
        r.fail("expected \(expected), found \(try r.describeNext())", kind: .schema)
    }

    /// A finite number.
    private func finiteNumber(_ what: String) throws -> Double {
        guard let c = try r.peekToken(), c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "N") || c == UInt8(ascii: "I") else {
            throw try typeError(what)
        }
        let at = r.offset
        let v = try r.readNumber()
        guard v.isFinite else { throw r.fail("expected \(what), found the non-finite value \(v)", at: at, kind: .value) }
        return v
    }

    /// An integer id (JSON integer, or an integral number).
    private func integerId() throws -> Int {
        guard let c = try r.peekToken() else { throw try typeError("an integer id") }
        if c == UInt8(ascii: "\"") {
            let at = r.offset
            try r.readString()
            throw r.fail("expected an integer id, found the string \"\(r.scratchString)\" (ids must be JSON integers; "
                         + "a quoted id such as \"\(r.scratchString)\" never equals the integer \(r.scratchString))", at: at, kind: .schema)
        }
        let at = r.offset
        let v = try finiteNumber("an integer id")
        if let i = r.lastInteger { return Int(i) }
        if v == v.rounded(), abs(v) <= 9_007_199_254_740_992 { return Int(v) }
        throw r.fail("expected an integer id, found \(v)", at: at, kind: .value)
    }

    /// A non-negative integer flag such as `iscrowd` (booleans allowed); nonzero means set.
    private func flag() throws -> Bool {
        guard let c = try r.peekToken() else { throw try typeError("0 or 1") }
        if c == UInt8(ascii: "t") || c == UInt8(ascii: "f") { return try r.readBool() }
        let at = r.offset
        let v = try finiteNumber("0 or 1")
        guard v == v.rounded(), v >= 0 else { throw r.fail("expected 0 or 1, found \(v)", at: at, kind: .value) }
        return v != 0
    }

    /// `[x, y, width, height]`: four finite numbers, width and height not negative.
    private mutating func box() throws -> COCOBox {
        guard try r.peekToken() == UInt8(ascii: "[") else { throw try typeError("a box [x, y, width, height]") }
        let start = r.offset
        try r.expect(UInt8(ascii: "["), "'['")
        var v = (0.0, 0.0, 0.0, 0.0)
        var n = 0
        var first = true
        while try r.nextElement(&first) {
            subIndex = n
            guard n < 4 else { throw r.fail("expected 4 numbers [x, y, width, height], found more", kind: .schema) }
            let at = r.offset
            let x = try finiteNumber("a number")
            switch n {
            case 0: v.0 = x
            case 1: v.1 = x
            case 2: v.2 = x
            default: v.3 = x
            }
            if n >= 2 && x < 0 {
                throw r.fail("negative box \(n == 2 ? "width" : "height") \(x) (boxes are [x, y, width, height])", at: at, kind: .value)
            }
            n += 1
        }
        subIndex = -1
        guard n == 4 else { throw r.fail("expected 4 numbers [x, y, width, height], found \(n)", at: start, kind: .schema) }
        return COCOBox(x: v.0, y: v.1, width: v.2, height: v.3)
    }

    private func optionalString() throws -> String? {
        if try r.peekToken() == UInt8(ascii: "\"") { try r.readString(); return r.scratchString }
        try r.skipValue(); return nil
    }

    private func optionalInt() throws -> Int? {
        guard let c = try r.peekToken(), c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) else { try r.skipValue(); return nil }
        let v = try r.readNumber()
        if let i = r.lastInteger { return Int(i) }
        return v.isFinite && v == v.rounded() && abs(v) < 1e15 ? Int(v) : nil
    }

    private func missing(_ name: String, objectStart: Int) -> COCOError {
        wrap(JSONSyntaxError(offset: objectStart, message: "missing required key \"\(name)\"", kind: .schema),
             path: section + (index >= 0 ? "[\(index)]" : ""))
    }

    // MARK: - Instances

    /// Parses an instances file; returns the dataset. Warnings go to `warnings`.
    mutating func instances() throws -> COCODataset {
        var ds = COCODataset()
        var sawImages = false, sawCategories = false
        var crowdMissing = 0, firstCrowdMissing = -1
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
                    try array { p in ds.images.append(try p.image()) }
                } else if r.keyIs("annotations") {
                    section = "annotations"; setKey("")
                    try array { p in
                        let (a, hadCrowd) = try p.annotation()
                        if !hadCrowd { crowdMissing += 1; if firstCrowdMissing < 0 { firstCrowdMissing = p.index } }
                        ds.annotations.append(a)
                    }
                } else if r.keyIs("categories") {
                    sawCategories = true; section = "categories"; setKey("")
                    try array { p in ds.categories.append(try p.category()) }
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
        if crowdMissing > 0 {
            warnings.append("\(r.fileName): \(crowdMissing) annotation(s) have no \"iscrowd\" (first: annotations[\(firstCrowdMissing)]); "
                            + "treated as iscrowd = 0 (pycocotools raises KeyError on such a file)")
        }
        return ds
    }

    /// Calls `element` for each element of an array, tracking the index.
    private mutating func array(_ element: (inout COCOParser) throws -> Void) throws {
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

    private mutating func beginObject() throws -> Int {
        setKey("")
        guard try r.peekToken() == UInt8(ascii: "{") else { throw try typeError("an object") }
        let start = r.offset
        try r.expect(UInt8(ascii: "{"), "'{'")
        return start
    }

    private mutating func image() throws -> COCOImage {
        let start = try beginObject()
        var img = COCOImage(id: 0, width: 0, height: 0, fileName: "")
        var hasId = false
        var first = true
        while try r.nextKey(&first) {
            if r.keyIs("id") { setKey("id"); img.id = try integerId(); hasId = true }
            else if r.keyIs("width") { setKey("width"); img.width = try optionalInt() ?? 0 }
            else if r.keyIs("height") { setKey("height"); img.height = try optionalInt() ?? 0 }
            else if r.keyIs("file_name") { setKey("file_name"); img.fileName = try optionalString() ?? "" }
            else { setUnknownKey(); try r.skipValue() }
        }
        setKey("")
        if !hasId { throw missing("id", objectStart: start) }
        return img
    }

    private mutating func category() throws -> COCOCategory {
        let start = try beginObject()
        var cat = COCOCategory(id: 0, name: "")
        var hasId = false
        var first = true
        while try r.nextKey(&first) {
            if r.keyIs("id") { setKey("id"); cat.id = try integerId(); hasId = true }
            else if r.keyIs("name") { setKey("name"); cat.name = try optionalString() ?? "" }
            else if r.keyIs("supercategory") { setKey("supercategory"); cat.supercategory = try optionalString() ?? "" }
            else { setUnknownKey(); try r.skipValue() }
        }
        setKey("")
        if !hasId { throw missing("id", objectStart: start) }
        return cat
    }

    /// One annotation and whether it had an `iscrowd` key.
    private mutating func annotation() throws -> (COCOAnnotation, Bool) {
        let start = try beginObject()
        var a = COCOAnnotation(id: 0, imageId: 0, categoryId: 0, bbox: COCOBox(x: 0, y: 0, width: 0, height: 0), area: 0)
        var seen: UInt8 = 0  // bits: id, image_id, category_id, bbox, area, iscrowd
        var first = true
        while try r.nextKey(&first) {
            if r.keyIs("id") { setKey("id"); a.id = try integerId(); seen |= 1 }
            else if r.keyIs("image_id") { setKey("image_id"); a.imageId = try integerId(); seen |= 2 }
            else if r.keyIs("category_id") { setKey("category_id"); a.categoryId = try integerId(); seen |= 4 }
            else if r.keyIs("bbox") { setKey("bbox"); a.bbox = try box(); seen |= 8 }
            else if r.keyIs("area") { setKey("area"); a.area = try finiteNumber("a number (the object's area)"); seen |= 16 }
            else if r.keyIs("iscrowd") { setKey("iscrowd"); a.isCrowd = try flag(); seen |= 32 }
            else { setUnknownKey(); try r.skipValue() }
        }
        setKey("")
        for (bit, name) in [(1, "id"), (2, "image_id"), (4, "category_id"), (8, "bbox"), (16, "area")] where seen & UInt8(bit) == 0 {
            throw missing(name, objectStart: start)
        }
        return (a, seen & 32 != 0)
    }

    // MARK: - Results

    /// Parses a results file: a list of `{image_id, category_id, bbox, score}`.
    ///
    /// With `stopAt`, parsing stops (returning `true`) when an element starts exactly at that
    /// byte offset; if no element starts there, it parses to the end (returning `false`).
    mutating func results(into out: inout [COCODetection], stopAt: Int? = nil) throws -> Bool {
        do {
            guard let c = try r.peekToken() else {
                throw r.fail("expected a list of detections, found an empty file", kind: .syntax)
            }
            guard c == UInt8(ascii: "[") else {
                throw try typeError("a list of detections [{\"image_id\", \"category_id\", \"bbox\", \"score\"}, ...]"
                                    + (c == UInt8(ascii: "{") ? " (an object looks like a ground-truth file; pass it with --gt)" : ""))
            }
            try r.expect(UInt8(ascii: "["), "'['")
            var first = true
            section = ""; index = 0
            while try r.nextElement(&first) {
                if let stopAt, try r.peekToken() != nil, r.offset == stopAt { return true }
                out.append(try detection())
                index += 1
            }
            try r.expectEnd()
        } catch let e as JSONSyntaxError {
            throw wrap(e)
        }
        return false
    }

    /// Parses detections from an element start to the end of the list (the second part of a
    /// split file; the first part confirms that the start really is an element start).
    mutating func resultsTail(into out: inout [COCODetection]) throws {
        do {
            index = 0
            while true {
                out.append(try detection())
                index += 1
                guard let c = try r.peekToken() else { throw r.fail("expected ',' or ']', found the end of the file (truncated?)") }
                if c == UInt8(ascii: "]") { try r.expect(c, "']'"); break }
                try r.expect(UInt8(ascii: ","), "',' or ']' after an array element")
            }
            try r.expectEnd()
        } catch let e as JSONSyntaxError {
            throw wrap(e)
        }
    }

    mutating func results() throws -> [COCODetection] {
        var out: [COCODetection] = []
        _ = try results(into: &out)
        return out
    }

    private mutating func detection() throws -> COCODetection {
        let start = try beginObject()
        var d = COCODetection(imageId: 0, categoryId: 0, bbox: COCOBox(x: 0, y: 0, width: 0, height: 0), score: 0)
        var seen: UInt8 = 0
        var first = true
        while try r.nextKey(&first) {
            if r.keyIs("image_id") { setKey("image_id"); d.imageId = try integerId(); seen |= 1 }
            else if r.keyIs("category_id") { setKey("category_id"); d.categoryId = try integerId(); seen |= 2 }
            else if r.keyIs("bbox") { setKey("bbox"); d.bbox = try box(); seen |= 4 }
            else if r.keyIs("score") { setKey("score"); d.score = try finiteNumber("a number (the score)"); seen |= 8 }
            else { setUnknownKey(); try r.skipValue() }
        }
        setKey("")
        if seen != 15 {
            for (bit, name) in [(1, "image_id"), (2, "category_id"), (4, "bbox"), (8, "score")] where seen & UInt8(bit) == 0 {
                throw missing(name, objectStart: start)
            }
        }
        return d
    }
}
