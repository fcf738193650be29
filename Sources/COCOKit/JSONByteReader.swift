import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
/// when the decimal is exactly representable, Eisel–Lemire for up to 19 digits, else `strtod`.
/// Strings and numbers live in JSONByteReader+Strings.swift and JSONByteReader+Numbers.swift.
final class JSONByteReader {
    // State is internal (not private) for the Strings and Numbers extensions in their own files;
    // nothing outside JSONByteReader*.swift touches it.
    let fileName: String
    var fd: Int32 = -1
    var buf: UnsafeMutablePointer<UInt8>
    var cap: Int
    /// Read position and end of valid bytes in `buf`.
    var pos = 0
    var end = 0
    /// File offset of `buf[0]`.
    var base = 0
    var eof = false
    /// Bytes from here on must survive a refill (start of the token being scanned), or -1.
    var mark = -1
    /// The last string read with `readString()`, decoded to UTF-8.
    var scratch: [UInt8] = []
    /// Whether the last number read had no fraction and no exponent, and its value if it fits.
    var lastWasInteger = false
    var lastInteger: Int64? = nil
    var inMemory: [UInt8]? = nil

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
    func refill() throws -> Bool {
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
