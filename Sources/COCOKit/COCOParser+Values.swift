/// Typed values: ids, numbers, flags, boxes.
extension COCOParser {
    func typeError(_ expected: String) throws -> JSONSyntaxError {
        r.fail("expected \(expected), found \(try r.describeNext())", kind: .schema)
    }

    /// A finite number.
    func finiteNumber(_ what: String) throws -> Double {
        guard let c = try r.peekToken(), c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "N") || c == UInt8(ascii: "I") else {
            throw try typeError(what)
        }
        let at = r.offset
        let v = try r.readNumber()
        guard v.isFinite else { throw r.fail("expected \(what), found the non-finite value \(v)", at: at, kind: .value) }
        return v
    }

    /// An id, as pycocotools compares it (see `COCOId`): a JSON integer (the fast path), any
    /// other number (`3.0` equals `3`), a string, or a boolean (`true` equals `1` in Python).
    /// Sets `lastIdWasFloatLiteral`.
    mutating func id() throws -> Int {
        lastIdWasFloatLiteral = false
        guard let c = try r.peekToken() else { throw try typeError("an id (an integer or a string)") }
        if c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "I") {
            let at = r.offset
            let v = try r.readNumber()
            if let i = r.lastInteger, COCOId.isPlain(i) { return Int(i) }
            return try numericId(v, at: at)
        }
        if c == UInt8(ascii: "\"") {
            try r.readString()
            return COCOId.key(.string(r.scratch))
        }
        if c == UInt8(ascii: "t") || c == UInt8(ascii: "f") { return try r.readBool() ? 1 : 0 }
        if c == UInt8(ascii: "N") {
            let at = r.offset
            _ = try r.readNumber()
            throw r.fail("expected an id, found NaN (NaN never equals itself, so it cannot identify anything)", at: at, kind: .value)
        }
        throw try typeError("an id (an integer or a string)")
    }

    /// The slow path of `id()`: integers outside `COCOId.plainRange` and float literals.
    private mutating func numericId(_ v: Double, at: Int) throws -> Int {
        if r.lastWasInteger {
            // An integer literal: its exact digits (Python's int is unbounded).
            let text = r.tokenBytes(from: at)
            let negative = text.first == UInt8(ascii: "-")
            return COCOId.key(COCOId.integerValue(negative: negative, digits: negative ? text.dropFirst() : text[...]))
        }
        guard let value = COCOId.numberValue(v) else {
            throw r.fail("expected an id, found NaN (NaN never equals itself, so it cannot identify anything)", at: at, kind: .value)
        }
        lastIdWasFloatLiteral = true
        return COCOId.key(value)
    }

    /// `iscrowd`: a boolean or an integer 0…255; nonzero means crowd.
    ///
    /// pycocotools uses the value twice: its truth for `ignore`, and `uint8(int(v))` for the IoU,
    /// which fails (OverflowError) outside 0…255. Non-integral values (whose two uses disagree)
    /// are refused too.
    func flag() throws -> Bool {
        guard let c = try r.peekToken() else { throw try typeError("0 or 1") }
        if c == UInt8(ascii: "t") || c == UInt8(ascii: "f") { return try r.readBool() }
        let at = r.offset
        let v = try finiteNumber("0 or 1")
        guard v == v.rounded() else { throw r.fail("expected 0 or 1, found \(v)", at: at, kind: .value) }
        guard v >= 0 && v <= 255 else {
            throw r.fail("expected 0 or 1, found \(v) (pycocotools converts iscrowd to uint8 and fails with OverflowError)", at: at, kind: .value)
        }
        return v != 0
    }

    /// `[x, y, width, height]`: four finite numbers, width and height not negative.
    mutating func box() throws -> COCOBox {
        guard let b = try box(allowEmpty: false) else { throw r.fail("expected a box", kind: .schema) }
        return b
    }

    /// `box()`, or nil for `[]` when `allowEmpty` (a result's empty bbox, which pycocotools'
    /// loadRes treats as no bbox when it picks how to read the results).
    mutating func box(allowEmpty: Bool) throws -> COCOBox? {
        guard try r.peekToken() == UInt8(ascii: "[") else { throw try typeError("a box [x, y, width, height]") }
        let start = r.offset
        try r.expect(UInt8(ascii: "["), "'['")
        if allowEmpty, try r.peekToken() == UInt8(ascii: "]") {
            try r.expect(UInt8(ascii: "]"), "']'")
            return nil
        }
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

    func optionalString() throws -> String? {
        if try r.peekToken() == UInt8(ascii: "\"") { try r.readString(); return r.scratchString }
        try r.skipValue(); return nil
    }

    func optionalInt() throws -> Int? {
        guard let c = try r.peekToken(), c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) else { try r.skipValue(); return nil }
        let v = try r.readNumber()
        if let i = r.lastInteger { return Int(i) }
        return v.isFinite && v == v.rounded() && abs(v) < 1e15 ? Int(v) : nil
    }

    func missing(_ name: String, objectStart: Int, _ why: String = "") -> COCOError {
        wrap(JSONSyntaxError(offset: objectStart, message: "missing required key \"\(name)\"" + why, kind: .schema), path: elementPath)
    }
}
