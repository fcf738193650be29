import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// 10^0 … 10^22, the powers of ten a double holds exactly.
let exactPowersOfTen: [Double] = (0...22).map { e in
    var p = 1.0
    for _ in 0..<e { p *= 10 }
    return p
}

/// The value of eight ASCII digits at `p`, or nil if any byte is not a digit (SWAR, as in fast_float).
@inline(__always)
func eightDigits(_ p: UnsafePointer<UInt8>) -> UInt64? {
    var v = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    let isDigits = ((v & 0xF0F0_F0F0_F0F0_F0F0) | (((v &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4)) == 0x3333_3333_3333_3333
    guard isDigits else { return nil }
    v &-= 0x3030_3030_3030_3030
    v = (v &* 10) &+ (v >> 8)
    let mask: UInt64 = 0x0000_00FF_0000_00FF
    v = (((v & mask) &* 0x000F_4240_0000_0064) &+ (((v >> 16) & mask) &* 0x0000_2710_0000_0001)) >> 32
    return v
}

/// A syntax error at a byte offset; `COCOParser` turns it into a `COCOError` with line:column.
struct JSONSyntaxError: Error {
    var offset: Int
    var message: String
    /// `.syntax` for malformed JSON, `.schema` / `.value` for well-formed JSON of the wrong shape.
    var kind: COCOError.Kind = .syntax
}

/// A streaming, byte-level JSON tokenizer over a file read in fixed-size chunks.
///
/// Peak memory is the chunk (4 MiB by default) plus what the caller keeps, whatever the file
/// size. It validates everything it reads or skips (Python's `json` grammar, which also allows
/// `NaN` / `Infinity` literals), so a file that pycocotools cannot load is refused here too.
/// Numbers are converted exactly like Python's `float()` (correctly rounded): a Clinger fast path
/// when the decimal is exactly representable, else `strtod` on the token.
final class JSONByteReader {
    let fileName: String
    private var fd: Int32 = -1
    private var buf: UnsafeMutablePointer<UInt8>
    private var cap: Int
    /// Read position and end of valid bytes in `buf`.
    private var pos = 0
    private var end = 0
    /// File offset of `buf[0]`.
    private var base = 0
    private var eof = false
    /// Bytes from here on must survive a refill (start of the token being scanned), or -1.
    private var mark = -1
    /// The last string read with `readString()`, decoded to UTF-8.
    private(set) var scratch: [UInt8] = []
    /// Whether the last number read had no fraction and no exponent, and its value if it fits.
    private(set) var lastWasInteger = false
    private(set) var lastInteger: Int64? = nil
    private var inMemory: [UInt8]? = nil

    /// Opens `url` for chunked reading.
    init(url: URL, chunkSize: Int = 4 << 20) throws {
        fileName = url.path
        cap = max(chunkSize, 64)
        buf = .allocate(capacity: cap)
        keyPtr = UnsafePointer(buf)
        fd = open(url.path, O_RDONLY)
        if fd < 0 {
            // The object is fully initialized here, so `deinit` frees `buf` when this throws.
            let reason = String(cString: strerror(errno))
            throw COCOError(.io, file: url.path, "cannot open the file: \(reason)")
        }
        scratch.reserveCapacity(256)
    }

    /// Opens `url` and starts reading at byte `startOffset` (for parsing a file in parts).
    convenience init(url: URL, startOffset: Int, chunkSize: Int = 4 << 20) throws {
        try self.init(url: url, chunkSize: chunkSize)
        if lseek(fd, off_t(startOffset), SEEK_SET) < 0 {
            throw COCOError(.io, file: url.path, "cannot seek to byte \(startOffset)")
        }
        base = startOffset
    }

    /// Moves to the next `{` that follows `}` `,` (whitespace allowed): a likely element start
    /// in a list of objects. Returns its offset, or nil if there is none. The caller must
    /// confirm the guess (a string could contain the same bytes).
    func seekToLikelyElementStart() throws -> Int? {
        var state = 0  // 0: looking for '}', 1: after '}', 2: after '}' ','
        while true {
            guard let c = try peekByte() else { return nil }
            switch c {
            case UInt8(ascii: "}"): state = 1
            case UInt8(ascii: ","): state = state == 1 ? 2 : 0
            case UInt8(ascii: "{"): if state == 2 { return offset }; state = 0
            case 0x20, 0x0A, 0x0D, 0x09: break
            default: state = 0
            }
            pos += 1
        }
    }

    /// Reads from bytes in memory (tests, strings); `name` is used in messages.
    init(bytes: [UInt8], name: String) {
        fileName = name
        cap = max(bytes.count, 64)
        buf = .allocate(capacity: cap)
        keyPtr = UnsafePointer(buf)
        bytes.withUnsafeBufferPointer { p in
            if let b = p.baseAddress { buf.update(from: b, count: bytes.count) }
        }
        end = bytes.count
        eof = true
        inMemory = bytes
    }

    deinit {
        if fd >= 0 { close(fd) }
        keyStore.deallocate()
        buf.deallocate()
    }

    /// File offset of the next unread byte.
    var offset: Int { base + pos }

    // MARK: - Buffer management

    /// Reads more bytes; returns false at end of file. Keeps bytes from `mark` (or `pos`).
    private func refill() throws -> Bool {
        if eof { return false }
        let keep = mark >= 0 ? min(mark, pos) : pos
        if keep > 0 {
            let n = end - keep
            if n > 0 { memmove(buf, buf + keep, n) }
            base += keep; pos -= keep; end -= keep
            if mark >= 0 { mark -= keep }
        }
        if end == cap {  // a single token larger than the chunk: grow
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: cap * 2)
            bigger.update(from: buf, count: end)
            buf.deallocate()
            buf = bigger; cap *= 2
        }
        while true {
            let got = read(fd, buf + end, cap - end)
            if got > 0 { end += got; return true }
            if got == 0 { eof = true; return false }
            if errno == EINTR { continue }
            let reason = String(cString: strerror(errno))
            throw COCOError(.io, file: fileName, "read failed at byte \(base + end): \(reason)")
        }
    }

    /// The next byte without consuming it, or nil at end of input.
    @inline(__always)
    func peekByte() throws -> UInt8? {
        if pos < end { return buf[pos] }
        return try refill() ? buf[pos] : nil
    }

    /// Skips JSON whitespace and returns the next byte (not consumed), or nil at end of input.
    @inline(__always)
    func peekToken() throws -> UInt8? {
        while true {
            while pos < end {
                let c = buf[pos]
                if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { return c }
            }
            if try !refill() { return nil }
        }
    }

    func fail(_ message: String, at offset: Int? = nil, kind: COCOError.Kind = .syntax) -> JSONSyntaxError {
        JSONSyntaxError(offset: offset ?? self.offset, message: message, kind: kind)
    }

    /// A short description of the next token for messages ("'x'", "end of file").
    func describeNext() throws -> String {
        guard let c = try peekToken() else { return "the end of the file" }
        switch c {
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return "a number"
        default:
            if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
            return String(format: "byte 0x%02X", c)
        }
    }

    /// Consumes `byte` (after whitespace) or throws "expected <what>".
    @inline(__always)
    func expect(_ byte: UInt8, _ what: String) throws {
        guard try peekToken() == byte else { throw fail("expected \(what), found \(try describeNext())") }
        pos += 1
    }

    /// Verifies that only whitespace follows the top-level value.
    func expectEnd() throws {
        if try peekToken() != nil { throw fail("expected the end of the file after the top-level value, found \(try describeNext())") }
    }

    // MARK: - Containers

    /// Iterates an object's members: call with `first = true`; returns false at `}`; otherwise the
    /// key is in `scratch` and the `:` is consumed.
    @inline(__always)
    func nextKey(_ first: inout Bool) throws -> Bool {
        guard let c = try peekToken() else { throw fail("expected '\"' (a key) or '}', found the end of the file (truncated?)") }
        if c == UInt8(ascii: "}") { pos += 1; return false }
        if first {
            first = false
        } else {
            guard c == UInt8(ascii: ",") else { throw fail("expected ',' or '}' after an object member, found \(try describeNext())") }
            pos += 1
        }
        guard try peekToken() == UInt8(ascii: "\"") else { throw fail("expected a key string, found \(try describeNext())") }
        // Fast path: the key and its ':' are in the buffer without escapes; keep a pointer.
        var i = pos + 1
        while i < end, buf[i] != UInt8(ascii: "\""), buf[i] != UInt8(ascii: "\\"), buf[i] >= 0x20 { i += 1 }
        if i < end, buf[i] == UInt8(ascii: "\"") {
            var j = i + 1
            while j < end, buf[j] == 0x20 || buf[j] == 0x0A || buf[j] == 0x0D || buf[j] == 0x09 { j += 1 }
            if j < end, buf[j] == UInt8(ascii: ":") {
                keyPtr = UnsafePointer(buf + pos + 1)
                keyLen = i - pos - 1
                pos = j + 1
                return true
            }
        }
        try readString()
        if scratch.count > keyStore.count {
            keyStore.deallocate()
            keyStore = .allocate(capacity: scratch.count)
        }
        scratch.withUnsafeBufferPointer { b in
            if let a = b.baseAddress { keyStore.baseAddress!.update(from: a, count: b.count) }
        }
        try expect(UInt8(ascii: ":"), "':' after a key")
        keyPtr = UnsafePointer(keyStore.baseAddress!)
        keyLen = scratch.count
        return true
    }

    /// Iterates an array's elements: call with `first = true`; returns false at `]`.
    @inline(__always)
    func nextElement(_ first: inout Bool) throws -> Bool {
        guard let c = try peekToken() else { throw fail("expected a value or ']', found the end of the file (truncated?)") }
        if c == UInt8(ascii: "]") {
            if first { pos += 1; first = false; return false }
            pos += 1; return false
        }
        if first { first = false; return true }
        guard c == UInt8(ascii: ",") else { throw fail("expected ',' or ']' after an array element, found \(try describeNext())") }
        pos += 1
        if try peekToken() == UInt8(ascii: "]") { throw fail("expected a value after ',', found ']' (trailing comma)") }
        return true
    }

    /// The key read by the last `nextKey` (valid until the next read).
    private var keyPtr: UnsafePointer<UInt8>
    private var keyLen = 0
    /// Holds a key that had escapes or straddled the buffer end (keyPtr then points here).
    private var keyStore = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 64)

    /// Whether the last key equals `key` (ASCII).
    @inline(__always)
    func keyIs(_ key: StaticString) -> Bool {
        keyLen == key.utf8CodeUnitCount && memcmp(keyPtr, key.utf8Start, keyLen) == 0
    }

    /// The last key's bytes (for messages).
    var keyBytes: [UInt8] { Array(UnsafeBufferPointer(start: keyPtr, count: keyLen)) }

    var scratchString: String { String(decoding: scratch, as: UTF8.self) }

    // MARK: - Strings

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

    private func readEscape() throws {
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
    private func skipString() throws {
        let start = offset
        pos += 1
        try stringBody(startedAt: start, decode: false)
    }

    // MARK: - Numbers


    /// Reads a JSON number (Python's literals `NaN`, `Infinity`, `-Infinity` included) as a Double
    /// equal to Python's `float()` of the token; sets `lastWasInteger` / `lastInteger`.
    func readNumber() throws -> Double {
        guard let first = try peekToken() else { throw fail("expected a number, found the end of the file") }
        if first == UInt8(ascii: "N") || first == UInt8(ascii: "I") { return try readNonFiniteLiteral() }
        if first == UInt8(ascii: "-"), try peekSecond() == UInt8(ascii: "I") { return try readNonFiniteLiteral() }
        guard first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39) else {
            throw fail("expected a number, found \(try describeNext())")
        }
        while true {
            if let v = try numberInBuffer() { return v }
            // The token may continue past the buffer: read more, keeping it, and parse again.
            mark = pos
            defer { mark = -1 }
            if try !refill() { continue }  // at end of file numberInBuffer() decides
        }
    }

    /// Parses the number token at `pos` in one pass; nil if it may continue past the buffer.
    @inline(__always)
    private func numberInBuffer() throws -> Double? {
        let p = buf + pos
        let n = end - pos
        let tokenStart = offset
        @inline(__always) func digit(_ k: Int) -> UInt64? {
            let d = UInt64(p[k]) &- 0x30
            return d < 10 ? d : nil
        }
        var k = 0
        let negative = p[0] == 0x2D
        if negative { k = 1 }
        if k >= n { if !eof { return nil }; throw fail("invalid number: expected a digit", at: tokenStart + k) }
        guard digit(k) != nil else { throw fail("invalid number: expected a digit", at: tokenStart + k) }
        let digitsStart = k
        var mantissa: UInt64 = 0
        if p[k] == 0x30 {
            k += 1
            if k < n, digit(k) != nil { throw fail("invalid number: leading zero", at: tokenStart + k) }
        } else {
            while k + 8 <= n, let v = eightDigits(p + k) { mantissa = mantissa &* 100_000_000 &+ v; k += 8 }
            while k < n, let d = digit(k) { mantissa = mantissa &* 10 &+ d; k += 1 }
        }
        var digitCount = k - digitsStart
        var fracDigits = 0
        var isInteger = true
        if k < n, p[k] == 0x2E {
            isInteger = false
            k += 1
            let fracStart = k
            while k + 8 <= n, let v = eightDigits(p + k) { mantissa = mantissa &* 100_000_000 &+ v; k += 8 }
            while k < n, let d = digit(k) { mantissa = mantissa &* 10 &+ d; k += 1 }
            fracDigits = k - fracStart
            if fracDigits == 0 {
                if k == n && !eof { return nil }
                throw fail("invalid number: expected a digit after '.'", at: tokenStart + k)
            }
            digitCount += fracDigits
        }
        var exp = 0
        if k < n, p[k] == 0x65 || p[k] == 0x45 {
            isInteger = false
            k += 1
            var eneg = false
            if k < n, p[k] == 0x2B || p[k] == 0x2D { eneg = p[k] == 0x2D; k += 1 }
            let expStart = k
            while k < n, let d = digit(k) { if exp < 100_000 { exp = exp * 10 + Int(d) }; k += 1 }
            if k == expStart {
                if k == n && !eof { return nil }
                throw fail("invalid number: expected a digit in the exponent", at: tokenStart + k)
            }
            if eneg { exp = -exp }
        }
        if k == n && !eof { return nil }
        pos += k
        lastWasInteger = isInteger
        // More than 19 digits may have wrapped the mantissa: count only significant ones.
        var exact = true
        if digitCount > 19 {
            var lead = 0
            var j = digitsStart
            while j < k, p[j] == 0x30 || p[j] == 0x2E { if p[j] == 0x30 { lead += 1 }; j += 1 }
            exact = digitCount - lead <= 19
        }
        lastInteger = isInteger && exact && mantissa <= UInt64(Int64.max) ? (negative ? -Int64(mantissa) : Int64(mantissa)) : nil
        guard exact else { return Self.strtodToken(p, k) }
        let exp10 = exp - fracDigits
        if mantissa <= 1 << 53 && exp10 >= -22 && exp10 <= 22 {
            // Clinger's fast path: both operands exact, one correctly rounded operation.
            var value = Double(mantissa)
            if exp10 > 0 { value *= exactPowersOfTen[exp10] } else if exp10 < 0 { value /= exactPowersOfTen[-exp10] }
            return negative ? -value : value
        }
        if let v = DecimalToDouble.convert(mantissa: mantissa, exp10: exp10, negative: negative) { return v }
        return Self.strtodToken(p, k)
    }

    static func strtodToken(_ p: UnsafePointer<UInt8>, _ len: Int) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: len + 1) { tmp in
            for j in 0..<len { tmp[j] = CChar(bitPattern: p[j]) }
            tmp[len] = 0
            return strtod(tmp.baseAddress!, nil)
        }
    }

    private func peekSecond() throws -> UInt8? {
        if pos + 1 >= end {
            mark = pos
            defer { mark = -1 }
            while pos + 1 >= end { if try !refill() { return nil } }
        }
        return buf[pos + 1]
    }

    private func readNonFiniteLiteral() throws -> Double {
        lastWasInteger = false; lastInteger = nil
        if try matchLiteral("NaN") { return .nan }
        if try matchLiteral("Infinity") { return .infinity }
        if try matchLiteral("-Infinity") { return -.infinity }
        throw fail("expected a value, found \(try describeNext())")
    }

    /// Consumes `word` if the input continues with it.
    private func matchLiteral(_ word: StaticString) throws -> Bool {
        let n = word.utf8CodeUnitCount
        mark = pos
        defer { mark = -1 }
        while end - pos < n { if try !refill() { break } }
        guard end - pos >= n else { return false }
        let w = word.utf8Start
        for j in 0..<n where buf[pos + j] != w[j] { return false }
        pos += n
        return true
    }

    // MARK: - Literals and skipping

    /// Reads `true` / `false`.
    func readBool() throws -> Bool {
        if try matchLiteral("true") { return true }
        if try matchLiteral("false") { return false }
        throw fail("expected true or false, found \(try describeNext())")
    }

    /// Consumes `null` if it is next.
    func readNullIfPresent() throws -> Bool {
        guard try peekToken() == UInt8(ascii: "n") else { return false }
        if try matchLiteral("null") { return true }
        throw fail("expected a value, found \(try describeNext())")
    }

    /// Skips one value of any type, validating its syntax. Iterative: any nesting depth is fine.
    func skipValue() throws {
        var stack: [Bool] = []  // true = inside an object
        var firstInContainer = false
        while true {
            // Read one value start.
            guard let c = try peekToken() else { throw fail("expected a value, found the end of the file (truncated?)") }
            switch c {
            case UInt8(ascii: "{"):
                pos += 1; stack.append(true); firstInContainer = true
            case UInt8(ascii: "["):
                pos += 1; stack.append(false); firstInContainer = true
            case UInt8(ascii: "\""): try skipString()
            case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try readBool()
            case UInt8(ascii: "n"):
                if try !readNullIfPresent() { throw fail("expected a value, found \(try describeNext())") }
            default: _ = try readNumber()
            }
            // Close containers / move to the next member.
            while let inObject = stack.last {
                if inObject {
                    if firstInContainer {
                        firstInContainer = false
                        if try peekToken() == UInt8(ascii: "}") { pos += 1; stack.removeLast(); continue }
                        guard try peekToken() == UInt8(ascii: "\"") else { throw fail("expected a key string or '}', found \(try describeNext())") }
                        try skipString(); try expect(UInt8(ascii: ":"), "':' after a key")
                        break
                    }
                    guard let d = try peekToken() else { throw fail("expected ',' or '}', found the end of the file (truncated?)") }
                    if d == UInt8(ascii: "}") { pos += 1; stack.removeLast(); continue }
                    guard d == UInt8(ascii: ",") else { throw fail("expected ',' or '}' after an object member, found \(try describeNext())") }
                    pos += 1
                    guard try peekToken() == UInt8(ascii: "\"") else { throw fail("expected a key string, found \(try describeNext())") }
                    try skipString(); try expect(UInt8(ascii: ":"), "':' after a key")
                    break
                } else {
                    if firstInContainer {
                        firstInContainer = false
                        if try peekToken() == UInt8(ascii: "]") { pos += 1; stack.removeLast(); continue }
                        break
                    }
                    guard let d = try peekToken() else { throw fail("expected ',' or ']', found the end of the file (truncated?)") }
                    if d == UInt8(ascii: "]") { pos += 1; stack.removeLast(); continue }
                    guard d == UInt8(ascii: ",") else { throw fail("expected ',' or ']' after an array element, found \(try describeNext())") }
                    pos += 1
                    if try peekToken() == UInt8(ascii: "]") { throw fail("expected a value after ',', found ']' (trailing comma)") }
                    break
                }
            }
            if stack.isEmpty && !firstInContainer { return }
        }
    }

    // MARK: - Positions

    /// 1-based line and byte column of a file offset (re-reads the file up to it; errors only).
    func lineColumn(of target: Int) -> (line: Int, column: Int) {
        var line = 1, lineStart = 0, index = 0
        func scan(_ bytes: UnsafeRawBufferPointer, from start: Int) {
            for (j, b) in bytes.enumerated() where start + j < target && b == 0x0A {
                line += 1; lineStart = start + j + 1
            }
        }
        if let mem = inMemory {
            mem.withUnsafeBytes { scan(UnsafeRawBufferPointer(rebasing: $0[0..<min(target, mem.count)]), from: 0) }
            return (line, target - lineStart + 1)
        }
        let f = open(fileName, O_RDONLY)
        guard f >= 0 else { return (0, 0) }
        defer { close(f) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while index < target {
            let want = min(chunk.count, target - index)
            let got = chunk.withUnsafeMutableBytes { read(f, $0.baseAddress, want) }
            if got <= 0 { break }
            chunk.withUnsafeBytes { scan(UnsafeRawBufferPointer(rebasing: $0[0..<got]), from: index) }
            index += got
        }
        return (line, target - lineStart + 1)
    }
}
