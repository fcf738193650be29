/// A JSON value kept whole, for the few result fields that are interpreted only once the
/// results' form is known (segmentation, keypoints, a box that may be `[]`). Never used on the
/// fast path of ordinary bbox results.
indirect enum JSONValue {
    /// Members in file order (a repeated key: the last one counts, as in Python's `json`).
    case object([(key: [UInt8], value: JSONValue)])
    case array([JSONValue])
    case string([UInt8])
    /// The value as Python's `float()` gives it, and the exact integer when the token is an integer that fits.
    case number(Double, integer: Int64?)
    case bool(Bool)
    case null
    /// Nested deeper than `JSONByteReader.treeDepthLimit` (validated and skipped).
    case tooDeep

    /// The member named `key` (the last one if repeated).
    func member(_ key: String) -> JSONValue? {
        guard case let .object(members) = self else { return nil }
        let k = Array(key.utf8)
        return members.last { $0.key == k }?.value
    }

    /// "a string", "an array"… for messages.
    var kindDescription: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        case .tooDeep: return "a deeply nested value"
        }
    }
}

extension JSONByteReader {
    static let treeDepthLimit = 32

    /// Reads the next value as a `JSONValue` (validated like every other read).
    func readTree(depth: Int = 0) throws -> JSONValue {
        guard let c = try peekToken() else { throw fail("expected a value, found the end of the file (truncated?)") }
        if depth >= Self.treeDepthLimit && (c == UInt8(ascii: "{") || c == UInt8(ascii: "[")) {
            try skipValue()
            return .tooDeep
        }
        switch c {
        case UInt8(ascii: "{"):
            pos += 1
            var members: [(key: [UInt8], value: JSONValue)] = []
            var first = true
            while try nextKey(&first) {
                let key = keyBytes
                members.append((key, try readTree(depth: depth + 1)))
            }
            return .object(members)
        case UInt8(ascii: "["):
            pos += 1
            var elements: [JSONValue] = []
            var first = true
            while try nextElement(&first) { elements.append(try readTree(depth: depth + 1)) }
            return .array(elements)
        case UInt8(ascii: "\""):
            try readString()
            return .string(scratch)
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            return .bool(try readBool())
        case UInt8(ascii: "n"):
            if try readNullIfPresent() { return .null }
            throw fail("expected a value, found \(try describeNext())")
        default:
            let v = try readNumber()
            return .number(v, integer: lastInteger)
        }
    }

    /// The bytes of the token that started at file offset `start` and ended at the read position
    /// (valid right after reading it: the reader keeps a token in its buffer while scanning it).
    func tokenBytes(from start: Int) -> [UInt8] {
        let from = max(0, start - base)
        return Array(UnsafeBufferPointer(start: buf + from, count: max(0, pos - from)))
    }
}
