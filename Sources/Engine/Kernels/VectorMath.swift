/// SIMD16 exp/log (Cephes-style polynomials, ~2 ulp over the used ranges) for the loss kernels,
/// which evaluate exp/log/pow for every anchor × class each step.
public enum VectorMath {
    public typealias V = SIMD16<Float>

    /// e^x, inputs clamped to [−87.3, 88.7].
    ///
    /// Written with `addingProduct` and bit tricks only: the same polynomial as `p * r + c`
    /// chains, `rounded(.toNearestOrEven)` or an Int32 → Float SIMD conversion compiled to
    /// 4-lane and scalar pieces (`bench/loss_kernel`: the focal loss at 30 instead of 19 ns per
    /// logit).
    @inline(__always)
    public static func exp(_ x0: V) -> V {
        // Not `clamped`: its generic pointwiseMin/Max are not inlined (a call per vector).
        let lo = V(repeating: -87.3), hi = V(repeating: 88.7)
        var x = x0.replacing(with: lo, where: x0 .< lo)
        x.replace(with: hi, where: x .> hi)
        // Round to nearest even by adding 1.5·2²³ (|x·log₂e| < 2²²): the sum's low mantissa
        // bits hold n as an integer.
        let shifted = V(repeating: 12_582_912).addingProduct(x, V(repeating: 1.44269504088896341))
        let n = shifted - V(repeating: 12_582_912)
        var r = x.addingProduct(n, V(repeating: -0.693359375))
        r = r.addingProduct(n, V(repeating: 2.12194440e-4))
        var p = V(repeating: 1.3981999507E-3).addingProduct(V(repeating: 1.9875691500E-4), r)
        p = V(repeating: 8.3334519073E-3).addingProduct(p, r)
        p = V(repeating: 4.1665795894E-2).addingProduct(p, r)
        p = V(repeating: 1.6666665459E-1).addingProduct(p, r)
        p = V(repeating: 5.0000001201E-1).addingProduct(p, r)
        p = (r + V(repeating: 1)).addingProduct(p, r * r)
        let ni = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- SIMD16<Int32>(repeating: 0x4B40_0000)
        let scale = unsafeBitCast((ni &+ SIMD16<Int32>(repeating: 127)) &<< SIMD16<Int32>(repeating: 23), to: V.self)
        return p * scale
    }

    /// Natural log for x > 0 (normal floats). Same code-generation constraints as `exp`.
    @inline(__always)
    public static func log(_ x0: V) -> V {
        let bits = unsafeBitCast(x0, to: SIMD16<Int32>.self)
        // Exponent field as a float: OR it into the mantissa of 2²³, subtract 2²³ (and 126).
        var e = unsafeBitCast((bits &>> SIMD16<Int32>(repeating: 23)) | SIMD16<Int32>(repeating: 0x4B00_0000), to: V.self)
            - V(repeating: 8_388_734)
        var m = unsafeBitCast((bits & SIMD16<Int32>(repeating: 0x007F_FFFF)) | SIMD16<Int32>(repeating: 0x3F00_0000),
                              to: V.self)  // m in [0.5, 1)
        let small = m .< V(repeating: 0.707106781186547524)
        e = e.replacing(with: e - V(repeating: 1), where: small)
        m = m.replacing(with: m + m, where: small) - V(repeating: 1)
        let z = m * m
        var y = V(repeating: -1.1514610310E-1).addingProduct(V(repeating: 7.0376836292E-2), m)
        y = V(repeating: 1.1676998740E-1).addingProduct(y, m)
        y = V(repeating: -1.2420140846E-1).addingProduct(y, m)
        y = V(repeating: 1.4249322787E-1).addingProduct(y, m)
        y = V(repeating: -1.6668057665E-1).addingProduct(y, m)
        y = V(repeating: 2.0000714765E-1).addingProduct(y, m)
        y = V(repeating: -2.4999993993E-1).addingProduct(y, m)
        y = V(repeating: 3.3333331174E-1).addingProduct(y, m)
        y = y * m * z
        y = y.addingProduct(e, V(repeating: -2.12194440e-4))
        y = y.addingProduct(V(repeating: -0.5), z)
        return (m + y).addingProduct(e, V(repeating: 0.693359375))
    }

    /// |x| by clearing the sign bits (no compare-and-select).
    @inline(__always)
    public static func abs(_ x: V) -> V {
        unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & SIMD16<UInt32>(repeating: 0x7FFF_FFFF), to: V.self)
    }

    /// log(1 + e^x) computed stably: max(x, 0) + log(1 + e^−|x|).
    @inline(__always)
    public static func softplus(_ x: V) -> V {
        x.replacing(with: 0, where: x .< 0) + log(V(repeating: 1) + exp(-abs(x)))
    }
}

extension SIMD16 where Scalar == Float {
    /// Horizontal sum by halving (the generic `sum()` is not specialised and costs a call).
    @inline(__always)
    var hsum: Float {
        let a = lowHalf + highHalf
        let b = a.lowHalf + a.highHalf
        let c = b.lowHalf + b.highHalf
        return c[0] + c[1]
    }
}
