/// The few NumPy numerics whose exact rounding pycocotools' results depend on.
enum NumpyCompat {
    /// `np.linspace(start, stop, num)` bit for bit: `i * step + start`, last element `stop`.
    static func linspace(_ start: Double, _ stop: Double, _ num: Int) -> [Double] {
        guard num > 0 else { return [] }
        guard num > 1 else { return [start] }
        let step = (stop - start) / Double(num - 1)
        var out = (0..<num).map { Double($0) * step + start }
        out[num - 1] = stop
        return out
    }

    /// `np.add.reduce` of a contiguous float64 array: NumPy's pairwise summation (blocks of 8
    /// partial sums up to 128 elements, halving above), so `mean` matches to the last bit.
    static func pairwiseSum(_ a: UnsafeBufferPointer<Double>) -> Double {
        let n = a.count
        if n < 8 {
            var res = 0.0
            for x in a { res += x }
            return res
        } else if n <= 128 {
            var r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7]
            var i = 8
            while i < n - (n % 8) {
                r0 += a[i]; r1 += a[i + 1]; r2 += a[i + 2]; r3 += a[i + 3]
                r4 += a[i + 4]; r5 += a[i + 5]; r6 += a[i + 6]; r7 += a[i + 7]
                i += 8
            }
            var res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
            while i < n { res += a[i]; i += 1 }
            return res
        } else {
            var n2 = n / 2
            n2 -= n2 % 8
            return pairwiseSum(UnsafeBufferPointer(rebasing: a[0..<n2]))
                + pairwiseSum(UnsafeBufferPointer(rebasing: a[n2..<n]))
        }
    }

    /// `np.mean` of the values, or nil for none.
    static func mean(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        return values.withUnsafeBufferPointer { pairwiseSum($0) } / Double(values.count)
    }
}
