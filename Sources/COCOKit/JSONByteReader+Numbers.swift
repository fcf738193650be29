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

/// Number tokens, converted exactly like Python's `float()`, and the literal words.
extension JSONByteReader {


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
    func matchLiteral(_ word: StaticString) throws -> Bool {
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
}
