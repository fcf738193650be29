/// Transcendental functions built only from IEEE-754 +, −, ×, ÷, rounding and exact scaling.
///
/// libm's `sin`, `exp`, `log` and `pow` may differ in the last bit between glibc, Darwin and
/// between x86_64 and arm64. Everything that decides the built-in dataset's geometry or pixel
/// values, and the anchor sizes, uses these instead, so one seed gives the same bytes everywhere.
/// Accuracy: within a few ulp of the correctly rounded result (tested against Foundation).
/// Evaluation order is fixed (Horner); Swift never contracts `a * b + c` into an FMA.
public enum FixedMath {
    static let ln2Hi = 0.693_147_180_369_123_816_49   // high bits of ln 2 (exact product with small ints)
    static let ln2Lo = 1.908_214_929_270_587_700_02e-10
    static let log2e = 1.442_695_040_888_963_407_36
    static let halfPiHi = 1.570_796_326_734_125_614_17 // high bits of π/2
    static let halfPiLo = 6.077_100_506_506_192_249_30e-11
    static let twoOverPi = 0.636_619_772_367_581_343_08

    /// e^x; exact powers of two via the exponent field, Taylor series of degree 13 on |r| ≤ ln2/2.
    public static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.7 { return .infinity }
        if x < -745.2 { return 0 }
        let n = (x * log2e).rounded()
        let r = (x - n * ln2Hi) - n * ln2Lo
        var p = invFactorial[13]
        for k in stride(from: 12, through: 0, by: -1) { p = p * r + invFactorial[k] }
        return scale(p, byPowerOfTwo: Int(n))
    }

    /// Natural logarithm for x > 0 (NaN for x < 0, −∞ for 0), via 2·atanh((m−1)/(m+1)).
    public static func log(_ x: Double) -> Double {
        if x.isNaN || x < 0 { return .nan }
        if x == 0 { return -.infinity }
        if x.isInfinite { return x }
        var m = x.significand               // [1, 2)
        var e = Double(x.exponent)
        if m > 1.414_213_562_373_095_048_8 { m *= 0.5; e += 1 }
        let t = (m - 1) / (m + 1)           // |t| ≤ 0.1716
        let t2 = t * t
        var s = 1.0 / 23.0
        for k in stride(from: 21, through: 1, by: -2) { s = s * t2 + 1.0 / Double(k) }
        return e * ln2Hi + (e * ln2Lo + 2 * t * s)
    }

    /// 2^x.
    public static func exp2(_ x: Double) -> Double {
        let n = x.rounded()
        return scale(exp((x - n) * 0.693_147_180_559_945_309_42), byPowerOfTwo: Int(n))
    }

    /// a^b for a > 0.
    public static func pow(_ a: Double, _ b: Double) -> Double { exp(b * log(a)) }

    /// sin(x); reduction by π/2 in two parts (accurate for |x| < 1e5, which is all we use).
    public static func sin(_ x: Double) -> Double {
        let (q, r) = reduce(x)
        switch q & 3 {
        case 0: return sinKernel(r)
        case 1: return cosKernel(r)
        case 2: return -sinKernel(r)
        default: return -cosKernel(r)
        }
    }

    /// cos(x); see `sin`.
    public static func cos(_ x: Double) -> Double {
        let (q, r) = reduce(x)
        switch q & 3 {
        case 0: return cosKernel(r)
        case 1: return -sinKernel(r)
        case 2: return -cosKernel(r)
        default: return sinKernel(r)
        }
    }

    static func reduce(_ x: Double) -> (Int, Double) {
        let k = (x * twoOverPi).rounded()
        return (Int(k), (x - k * halfPiHi) - k * halfPiLo)
    }

    /// sin on [−π/4, π/4], Taylor to x^17.
    static func sinKernel(_ r: Double) -> Double {
        let r2 = r * r
        var s = 0.0
        for k in stride(from: 17, through: 3, by: -2) { s = (s + sign(k) * invFactorial[k]) * r2 }
        return r + r * s
    }

    /// cos on [−π/4, π/4], Taylor to x^18.
    static func cosKernel(_ r: Double) -> Double {
        let r2 = r * r
        var s = 0.0
        for k in stride(from: 18, through: 2, by: -2) { s = (s + sign(k) * invFactorial[k]) * r2 }
        return 1 + s
    }

    /// (−1)^((k−1)/2) for odd k (sin terms), (−1)^(k/2) for even k (cos terms).
    static func sign(_ k: Int) -> Double { ((k / 2) % 2 == 0) ? 1 : -1 }

    static func factorial(_ k: Int) -> Double {
        var f = 1.0
        if k > 1 { for i in 2...k { f *= Double(i) } }
        return f
    }

    /// 1/k! for k = 0…18 (products of small integers are exact; one rounding in the division).
    static let invFactorial: [Double] = (0...18).map { 1.0 / factorial($0) }

    /// p · 2^n exactly (two steps so subnormal and large results stay exact where representable).
    static func scale(_ p: Double, byPowerOfTwo n: Int) -> Double {
        if n > 1000 { return p * Double(sign: .plus, exponent: 1000, significand: 1) * Double(sign: .plus, exponent: n - 1000, significand: 1) }
        if n < -1000 { return p * Double(sign: .plus, exponent: -1000, significand: 1) * Double(sign: .plus, exponent: n + 1000, significand: 1) }
        return p * Double(sign: .plus, exponent: n, significand: 1)
    }
}
