import Foundation

/// String tokens: decoding (escapes, surrogate pairs, UTF-8) and validated skipping.
extension JSONByteReader {

    /// Reads a string (next token must be `"`) into `scratch`, decoding escapes to UTF-8.
    func readString() throws {
        guard try peekToken() == UInt8(ascii: "\"") else { throw fail("expected a string, found \(try describeNext())") }
        let start = offset
        pos += 1
        // Fast path: no escape or control character before the closing quote in the buffer.
        var i = pos
        while i < end {
            let c = buf[i]
            if c == UInt8(ascii: "\"") {
                let n = i - pos
                let src = buf + pos
                if scratch.capacity >= n {
                    scratch.removeAll(keepingCapacity: true)
                    scratch.append(contentsOf: UnsafeBufferPointer(start: src, count: n))
                } else {
                    scratch = Array(UnsafeBufferPointer(start: src, count: n))
                }
                pos = i + 1
                return
            }
            if c == UInt8(ascii: "\\") || c < 0x20 { break }
            i += 1
        }
        scratch.removeAll(keepingCapacity: true)
        try stringBody(startedAt: start, decode: true)
    }

    /// Consumes a string after its opening quote, escapes validated; appends the decoded bytes
    /// to `scratch` when `decode`.
    private func stringBody(startedAt start: Int, decode: Bool) throws {
        while true {
            if pos == end, try !refill() { throw fail("unterminated string (started at byte \(start))") }
            let c = buf[pos]
            if c == UInt8(ascii: "\"") { pos += 1; return }
            if c == UInt8(ascii: "\\") {
                pos += 1
                let kept = scratch.count
                try readEscape()
                if !decode { scratch.removeSubrange(kept...) }
            } else if c < 0x20 {
                throw fail("control character 0x\(String(c, radix: 16)) inside a string (must be escaped)")
            } else {
                if decode { scratch.append(c) }
                pos += 1
            }
        }
    }

    func readEscape() throws {
        guard let e = try peekByte() else { throw fail("unterminated escape at the end of the file") }
        pos += 1
        switch e {
        case UInt8(ascii: "\""): scratch.append(0x22)
        case UInt8(ascii: "\\"): scratch.append(0x5C)
        case UInt8(ascii: "/"): scratch.append(0x2F)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var v = try readHex4()
            if v >= 0xD800 && v < 0xDC00 {
                // A high surrogate: combine with a following \uDC00–\uDFFF, as Python does.
                if try peekByte() == UInt8(ascii: "\\") {
                    let save = pos
                    pos += 1
                    if try peekByte() == UInt8(ascii: "u") {
                        pos += 1
                        let low = try readHex4()
                        if low >= 0xDC00 && low < 0xE000 {
                            v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                        } else { pos = save }
                    } else { pos = save }
                }
            }
            appendUTF8(v)
        default:
            throw fail("invalid escape '\\\(Character(Unicode.Scalar(e)))' in a string", at: offset - 2)
        }
    }

    private func readHex4() throws -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let h = try peekByte() else { throw fail("truncated \\u escape") }
            let d: UInt32
            switch h {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(h - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(h - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(h - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape: expected 4 hex digits")
            }
            v = v << 4 | d; pos += 1
        }
        return v
    }

    /// Appends a code point as UTF-8 (lone surrogates as WTF-8, like Python keeps them).
    private func appendUTF8(_ v: UInt32) {
        switch v {
        case ..<0x80: scratch.append(UInt8(v))
        case ..<0x800:
            scratch.append(UInt8(0xC0 | (v >> 6))); scratch.append(UInt8(0x80 | (v & 0x3F)))
        case ..<0x10000:
            scratch.append(UInt8(0xE0 | (v >> 12))); scratch.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (v & 0x3F)))
        default:
            scratch.append(UInt8(0xF0 | (v >> 18))); scratch.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((v >> 6) & 0x3F))); scratch.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    /// Skips a string without decoding it (escapes still validated).
    func skipString() throws {
        let start = offset
        pos += 1
        try stringBody(startedAt: start, decode: false)
    }
}
