/// Correctly rounded decimal → double for `mantissa × 10^exp10` (mantissa exact, ≤ 19 digits):
/// the Eisel–Lemire algorithm (as in fast_float, Go's strconv). Returns nil when the fast path
/// cannot decide; callers then use `strtod`. Same result as Python's `float()` of the token.
enum DecimalToDouble {
    /// Exponents covered by the table (the rest go to `strtod`).
    static let minExp10 = -64, maxExp10 = 64

    /// 128-bit approximations of 5^q, normalized so bit 127 is set: (high, low) per q.
    /// For q < 0 it is ⌊2^b / 5^−q⌋ + 1 and for q ≥ 0 the truncation of 5^q (fast_float's table).
    static let powersOfFive: [(UInt64, UInt64)] = (minExp10...maxExp10).map { q in
        if q >= 0 {
            var v = BigUInt(1)
            for _ in 0..<q { v.multiply(by: 5) }
            return v.top128()
        }
        var p = BigUInt(1)
        for _ in 0..<(-q) { p.multiply(by: 5) }
        let z = p.bitWidthCeil  // smallest z with 2^z ≥ 5^−q
        return BigUInt.powerOfTwo(q >= -27 ? z + 127 : 2 * z + 128).dividedPlusOne(by: p).top128()
    }

    @inline(__always)
    static func convert(mantissa w0: UInt64, exp10 q: Int, negative: Bool) -> Double? {
        if w0 == 0 { return negative ? -0.0 : 0.0 }
        guard q >= minExp10, q <= maxExp10 else { return nil }
        let lz = w0.leadingZeroBitCount
        let w = w0 << UInt64(lz)
        let (hi5, lo5) = powersOfFive[q - minExp10]
        var (high, low) = w.multipliedFullWidth(by: hi5)
        let precisionMask: UInt64 = UInt64.max >> 55
        if high & precisionMask == precisionMask {
            let second = w.multipliedFullWidth(by: lo5).high
            let (sum, carry) = low.addingReportingOverflow(second)
            low = sum
            if carry { high &+= 1 }
        }
        if low == UInt64.max { return nil }  // ambiguous: let strtod decide
        let upperbit = Int(high >> 63)
        let shift = UInt64(upperbit + 64 - 52 - 3)
        var mantissa = high >> shift
        var power2 = (((152170 + 65536) * q) >> 16) + 63 + upperbit - lz + 1023
        if power2 <= 0 { return nil }  // subnormal
        if low <= 1 && q >= -4 && q <= 23 && mantissa & 3 == 1 && (mantissa << shift) == high {
            mantissa &= ~1  // exactly halfway: round to even
        }
        mantissa += mantissa & 1
        mantissa >>= 1
        if mantissa >= (2 << 52) { mantissa = 1 << 52; power2 += 1 }
        mantissa &= ~(1 << 52)
        if power2 >= 0x7FF { return nil }
        let bits = mantissa | UInt64(power2) << 52 | (negative ? 1 << 63 : 0)
        return Double(bitPattern: bits)
    }
}

/// Just enough arbitrary-precision arithmetic to build the power-of-five table (little-endian limbs).
struct BigUInt {
    var limbs: [UInt64]

    init(_ v: UInt64) { limbs = [v] }

    static func powerOfTwo(_ n: Int) -> BigUInt {
        var b = BigUInt(0)
        b.limbs = [UInt64](repeating: 0, count: n / 64 + 1)
        b.limbs[n / 64] = 1 << UInt64(n % 64)
        return b
    }

    mutating func multiply(by m: UInt64) {
        var carry: UInt64 = 0
        for i in limbs.indices {
            let (h, l) = limbs[i].multipliedFullWidth(by: m)
            let (s, o) = l.addingReportingOverflow(carry)
            limbs[i] = s
            carry = h &+ (o ? 1 : 0)
        }
        if carry != 0 { limbs.append(carry) }
    }

    var bitWidth: Int {
        for i in limbs.indices.reversed() where limbs[i] != 0 { return i * 64 + 64 - limbs[i].leadingZeroBitCount }
        return 0
    }

    /// Smallest z with 2^z ≥ self.
    var bitWidthCeil: Int {
        let w = bitWidth
        var isPow2 = limbs[(w - 1) / 64] == 1 << UInt64((w - 1) % 64)
        for i in 0..<((w - 1) / 64) where limbs[i] != 0 { isPow2 = false }
        return isPow2 ? w - 1 : w
    }

    /// ⌊self / d⌋ + 1 by binary long division (table building only).
    func dividedPlusOne(by d: BigUInt) -> BigUInt {
        var q = BigUInt(0); q.limbs = [UInt64](repeating: 0, count: limbs.count)
        var r = BigUInt(0)
        for bit in stride(from: bitWidth - 1, through: 0, by: -1) {
            r.shiftLeftOne()
            if limbs[bit / 64] >> UInt64(bit % 64) & 1 == 1 { r.limbs[0] |= 1 }
            if r >= d { r.subtract(d); q.limbs[bit / 64] |= 1 << UInt64(bit % 64) }
        }
        q.addOne()
        return q
    }

    /// The top 128 bits (truncated), as (high, low).
    func top128() -> (UInt64, UInt64) {
        let w = bitWidth
        func bit(_ i: Int) -> UInt64 { i < 0 ? 0 : limbs[i / 64] >> UInt64(i % 64) & 1 }
        var hi: UInt64 = 0, lo: UInt64 = 0
        for j in 0..<64 { hi = hi << 1 | bit(w - 1 - j) }
        for j in 64..<128 { lo = lo << 1 | bit(w - 1 - j) }
        return (hi, lo)
    }

    private mutating func shiftLeftOne() {
        var carry: UInt64 = 0
        for i in limbs.indices {
            let next = limbs[i] >> 63
            limbs[i] = limbs[i] << 1 | carry
            carry = next
        }
        if carry != 0 { limbs.append(carry) }
    }

    private mutating func subtract(_ d: BigUInt) {
        var borrow: UInt64 = 0
        for i in limbs.indices {
            let di = i < d.limbs.count ? d.limbs[i] : 0
            let (s1, o1) = limbs[i].subtractingReportingOverflow(di)
            let (s2, o2) = s1.subtractingReportingOverflow(borrow)
            limbs[i] = s2
            borrow = (o1 || o2) ? 1 : 0
        }
    }

    private mutating func addOne() {
        for i in limbs.indices {
            limbs[i] &+= 1
            if limbs[i] != 0 { return }
        }
        limbs.append(1)
    }

    static func >= (a: BigUInt, b: BigUInt) -> Bool {
        let n = max(a.limbs.count, b.limbs.count)
        for i in stride(from: n - 1, through: 0, by: -1) {
            let x = i < a.limbs.count ? a.limbs[i] : 0, y = i < b.limbs.count ? b.limbs[i] : 0
            if x != y { return x > y }
        }
        return true
    }
}
