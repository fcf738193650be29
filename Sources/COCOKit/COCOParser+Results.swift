/// How pycocotools' `COCO.loadRes` reads a results list: the FIRST element's keys decide for
/// every element (coco.py, checked in this order).
enum ResultsBranch: Sendable {
    /// First has `caption`: boxes and areas are taken from the file as they are.
    case caption
    /// First has a non-empty `bbox`: every result needs one; area = w·h (the common case).
    case bbox
    /// First has `segmentation` (and no usable `bbox`): area = mask area, bbox = the file's if
    /// present, else the mask's box; only compressed RLE works there.
    case segmentation
    /// First has `keypoints`: box and area from the keypoints' extent, the file's bbox ignored.
    case keypoints
}

/// Results files (a JSON list of detections), read as `COCO.loadRes` reads them.
extension COCOParser {
    /// The fields of one result that its branch may need, before the branch applies them.
    struct PendingResult {
        var detection = COCODetection(imageId: 0, categoryId: 0, bbox: COCOBox(x: 0, y: 0, width: 0, height: 0), score: .nan)
        var start = 0
        /// nil: no key; `.some(nil)`: `[]`.
        var bbox: COCOBox??
        var bboxAt = 0
        var segmentation: (value: JSONValue, at: Int)?
        var keypoints: (value: JSONValue, at: Int)?
        var area: (value: JSONValue, at: Int)?
        var hasCaption = false
    }

    /// Parses a results file: a list of detections.
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
                out.append(try element())
                index += 1
            }
            try r.expectEnd()
        } catch let e as JSONSyntaxError {
            throw wrap(e)
        }
        return false
    }

    /// Parses detections from an element start to the end of the list (the second part of a
    /// split file). It assumes the bbox branch; the caller re-parses serially when the first
    /// part shows another one, and confirms that the start really is an element start.
    mutating func resultsTail(into out: inout [COCODetection]) throws {
        branch = .bbox
        do {
            index = 0
            while true {
                out.append(try element())
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

    /// One element: the fast bbox path once the branch is known to be `.bbox`, else every field
    /// kept until the branch is known.
    private mutating func element() throws -> COCODetection {
        if branch == .bbox { return try bboxDetection() }
        let p = try pendingResult()
        if branch == nil { branch = try decideBranch(p) }
        return try apply(branch ?? .bbox, to: p)
    }

    /// The common case: `{image_id, category_id, bbox, score}`; everything else skipped.
    private mutating func bboxDetection() throws -> COCODetection {
        let start = try beginObject()
        var d = COCODetection(imageId: 0, categoryId: 0, bbox: COCOBox(x: 0, y: 0, width: 0, height: 0), score: .nan)
        var seen: UInt8 = 0
        var first = true
        while try r.nextKey(&first) {
            if r.keyIs("image_id") { setKey("image_id"); d.imageId = try id(); seen |= 1 }
            else if r.keyIs("category_id") { setKey("category_id"); d.categoryId = try id(); seen |= 2 }
            else if r.keyIs("bbox") { setKey("bbox"); d.bbox = try box(); seen |= 4 }
            else if r.keyIs("score") { setKey("score"); d.score = try finiteNumber("a number (the score)") }
            else { setUnknownKey(); try r.skipValue() }
        }
        setKey("")
        if seen != 7 {
            if seen & 1 == 0 { throw missing("image_id", objectStart: start) }
            if seen & 2 == 0 { throw missing("category_id", objectStart: start) }
            throw missing("bbox", objectStart: start, " (the first result has one, so pycocotools' loadRes reads every "
                          + "result's \"bbox\" and fails with KeyError)")
        }
        return d
    }

    /// Reads an element keeping the fields some branch needs (as trees, interpreted later).
    private mutating func pendingResult() throws -> PendingResult {
        var p = PendingResult()
        p.start = try beginObject()
        var seen: UInt8 = 0
        var first = true
        while try r.nextKey(&first) {
            if r.keyIs("image_id") { setKey("image_id"); p.detection.imageId = try id(); seen |= 1 }
            else if r.keyIs("category_id") { setKey("category_id"); p.detection.categoryId = try id(); seen |= 2 }
            else if r.keyIs("score") { setKey("score"); p.detection.score = try finiteNumber("a number (the score)") }
            else if r.keyIs("bbox") {
                setKey("bbox")
                // Checked as a box wherever it is used: every branch but keypoints, which ignores it.
                if branch == .keypoints { try r.skipValue() } else { _ = try r.peekToken(); p.bboxAt = r.offset; p.bbox = .some(try box(allowEmpty: true)) }
            }
            else if r.keyIs("segmentation") { setKey("segmentation"); p.segmentation = try kept() }
            else if r.keyIs("keypoints") { setKey("keypoints"); p.keypoints = try kept() }
            else if r.keyIs("area") { setKey("area"); p.area = try kept() }
            else if r.keyIs("caption") { setKey("caption"); p.hasCaption = true; try r.skipValue() }
            else { setUnknownKey(); try r.skipValue() }
        }
        setKey("")
        if seen & 1 == 0 { throw missing("image_id", objectStart: p.start) }
        if seen & 2 == 0 { throw missing("category_id", objectStart: p.start) }
        return p
    }

    /// A value read whole, and the file offset where it starts.
    private func kept() throws -> (value: JSONValue, at: Int) {
        _ = try r.peekToken()
        let at = r.offset
        return (try r.readTree(), at)
    }

    /// `loadRes`'s choice, from the first element.
    private func decideBranch(_ p: PendingResult) throws -> ResultsBranch {
        if p.hasCaption { return .caption }
        if case .some(.some) = p.bbox { return .bbox }
        if p.segmentation != nil { return .segmentation }
        if p.keypoints != nil { return .keypoints }
        throw error(.schema, at: p.start, path: elementPath,
                    "the first result has no \"bbox\" (or an empty one) and no \"segmentation\", \"keypoints\" or \"caption\": "
                    + "pycocotools' loadRes then gives the results no ids, areas or boxes and fails (KeyError); "
                    + "give every result a \"bbox\" [x, y, width, height]")
    }

    /// What `loadRes` does to one element in `branch`.
    private func apply(_ branch: ResultsBranch, to p: PendingResult) throws -> COCODetection {
        var d = p.detection
        let path = elementPath
        switch branch {
        case .bbox:
            guard let b = p.bbox else {
                throw missing("bbox", objectStart: p.start, " (the first result has one, so pycocotools' loadRes reads every "
                              + "result's \"bbox\" and fails with KeyError)")
            }
            guard let b else { throw error(.schema, at: p.bboxAt, path: path + ".bbox", "expected 4 numbers [x, y, width, height], found 0") }
            d.bbox = b
        case .caption:
            guard let b = p.bbox else {
                throw missing("bbox", objectStart: p.start, " (the first result has a \"caption\", so pycocotools' loadRes takes boxes from the file as they are)")
            }
            guard let b else { throw error(.schema, at: p.bboxAt, path: path + ".bbox", "expected 4 numbers [x, y, width, height], found 0") }
            d.bbox = b
            guard let a = p.area else {
                throw missing("area", objectStart: p.start, " (the first result has a \"caption\", so pycocotools' loadRes takes areas from the file and fails with KeyError)")
            }
            guard case let .number(v, _) = a.value, v.isFinite else {
                throw error(.schema, at: a.at, path: path + ".area", "expected a number (the area), found \(a.value.kindDescription)")
            }
            d.area = v
        case .segmentation:
            guard let s = p.segmentation else {
                throw missing("segmentation", objectStart: p.start, " (the first result has a segmentation and no bbox, so pycocotools' "
                              + "loadRes computes every result's area from its segmentation and fails with KeyError)")
            }
            let (area, maskBox) = try rleAreaAndBox(s.value, at: s.at, path: path + ".segmentation")
            d.area = area
            if let b = p.bbox {
                guard let b else {
                    throw error(.schema, at: p.bboxAt, path: path + ".bbox", "an empty bbox: pycocotools' loadRes keeps a result's own bbox "
                                + "(here []) and its IoU fails on it; remove the key to use the mask's box")
                }
                d.bbox = b
            } else {
                d.bbox = maskBox
            }
        case .keypoints:
            guard let k = p.keypoints else {
                throw missing("keypoints", objectStart: p.start, " (the first result has keypoints and no bbox or segmentation, so "
                              + "pycocotools' loadRes derives every box from \"keypoints\" and fails with KeyError)")
            }
            (d.bbox, d.area) = try keypointsBox(k.value, at: k.at, path: path + ".keypoints")
        }
        return d
    }

    // MARK: - Interpreting kept values

    /// `maskUtils.area` and `maskUtils.toBbox` of a compressed RLE, or the reason pycocotools fails on it.
    private func rleAreaAndBox(_ v: JSONValue, at: Int, path: String) throws -> (Double, COCOBox) {
        let hint = "; pycocotools' loadRes computes every result's area with maskUtils.area, which takes only compressed RLE "
            + "{\"size\": [h, w], \"counts\": \"…\"} (give the first result a \"bbox\" to evaluate boxes and ignore segmentations)"
        switch v {
        case .object: break
        case .array:
            throw error(.value, at: at, path: path, "a polygon (or list) segmentation: it fails there (TypeError)" + hint)
        default:
            throw error(.schema, at: at, path: path, "expected a compressed RLE object, found \(v.kindDescription)" + hint)
        }
        guard let counts = v.member("counts") else { throw error(.schema, at: at, path: path, "missing required key \"counts\"" + hint) }
        guard let size = v.member("size") else { throw error(.schema, at: at, path: path, "missing required key \"size\"" + hint) }
        guard case let .string(s) = counts else {
            if case .array = counts {
                throw error(.value, at: at, path: path + ".counts", "uncompressed RLE (counts as a list): it fails there (TypeError: Expected bytes, got list)"
                            + hint + "; compress it with pycocotools.mask.frPyObjects")
            }
            throw error(.schema, at: at, path: path + ".counts", "expected a string, found \(counts.kindDescription)" + hint)
        }
        if CompressedRLE.hasLoneSurrogate(s) {
            throw error(.value, at: at, path: path + ".counts", "a lone surrogate (\\uD800–\\uDFFF) in the counts: Python cannot encode it (UnicodeEncodeError)")
        }
        guard case let .array(hw) = size, hw.count >= 2 else {
            throw error(.schema, at: at, path: path + ".size", "expected [height, width], found \(size.kindDescription)")
        }
        var dims: [UInt64] = []
        for (i, e) in hw.prefix(2).enumerated() {
            // Cython's conversion to an unsigned long: integers, or numbers truncated; not negative.
            var d: UInt64?
            switch e {
            case let .number(n, integer):
                if let integer, integer >= 0 { d = UInt64(integer) } else if n.isFinite, n >= 0, n < 0x1p53 { d = UInt64(n) }
            case let .bool(b): d = b ? 1 : 0
            default: d = nil
            }
            guard let d else {
                throw error(.value, at: at, path: path + ".size[\(i)]", "expected a non-negative integer, found \(e.kindDescription)"
                            + " (pycocotools converts the size to an unsigned integer)")
            }
            dims.append(d)
        }
        guard let cnts = CompressedRLE.counts(s) else {
            throw error(.value, at: at, path: path + ".counts", "the RLE string ends inside a value (its last character continues it): "
                        + "pycocotools' C decoder would read past the end of the string")
        }
        guard let box = CompressedRLE.box(cnts, height: dims[0], width: dims[1]) else {
            throw error(.value, at: at, path: path + ".size", "height 0 with a non-empty mask: pycocotools' maskUtils.toBbox divides by the "
                        + "height and the process dies (SIGFPE)")
        }
        return (Double(CompressedRLE.area(cnts)), box)
    }

    /// `loadRes`'s keypoints branch: x = keypoints[0::3], y = keypoints[1::3];
    /// bbox = [min x, min y, max x − min x, max y − min y], area = width·height.
    private func keypointsBox(_ v: JSONValue, at: Int, path: String) throws -> (COCOBox, Double) {
        guard case let .array(a) = v else { throw error(.schema, at: at, path: path, "expected a list of numbers [x, y, v, …], found \(v.kindDescription)") }
        guard a.count >= 2 else {
            throw error(.value, at: at, path: path, "expected at least one keypoint [x, y, …], found \(a.count) number(s) "
                        + "(pycocotools' loadRes takes np.min of the x and y lists and fails on an empty one)")
        }
        var x0 = Double.infinity, x1 = -Double.infinity, y0 = Double.infinity, y1 = -Double.infinity
        for (i, e) in a.enumerated() {
            guard case let .number(n, _) = e, n.isFinite else {
                throw error(.schema, at: at, path: path + "[\(i)]", "expected a finite number, found \(e.kindDescription)")
            }
            switch i % 3 {
            case 0: x0 = min(x0, n); x1 = max(x1, n)
            case 1: y0 = min(y0, n); y1 = max(y1, n)
            default: break
            }
        }
        let w = x1 - x0, h = y1 - y0
        return (COCOBox(x: x0, y: y0, width: w, height: h), w * h)
    }
}
