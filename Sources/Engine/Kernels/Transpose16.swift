/// 16×16 in-register transposes of `SIMD16<Float>` rows, and the copy passes built on them:
/// CNHW activations ↔ 16-channel-blocked buffers (one `SIMD16` = 16 channels of one position,
/// the layout the Winograd transforms read and write), and conv weights ↔ tap-major copies.
enum Transpose16 {
    typealias V = SIMD16<Float>

    /// (a0 b0 a1 b1 … a7 b7, a8 b8 … a15 b15): one `vpermt2ps` each with AVX-512.
    @inline(__always)
    static func interleave(_ a: V, _ b: V) -> (V, V) {
        var r = SIMD32<Float>()
        r.evenHalf = a; r.oddHalf = b
        return (r.lowHalf, r.highHalf)
    }

    /// Transposes the 16×16 matrix whose row i is `x[i]` in place (four perfect shuffles: each
    /// rotates the 8-bit (row, column) index left by one bit). Not inlined: inside large callers
    /// the optimiser stops inlining the stdlib's SIMD half accessors and calls them per vector.
    /// Where SIMD16 registers are few (`SGEMM.wideTile` off: AVX2, arm64) the 16 live rows spill,
    /// and the transpose runs as four 8×8 `SIMD8` blocks instead (`transposeBlocks8`; 37 vs 110 ns
    /// per 16×16 measured on an AVX2 Zen 3 host). Both only move values: the results are identical.
    @inline(never)
    static func transpose(_ x: UnsafeMutablePointer<V>) {
        if !SGEMM.wideTile { transposeBlocks8(x); return }
        var x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3], x4 = x[4], x5 = x[5], x6 = x[6], x7 = x[7]
        var x8 = x[8], x9 = x[9], x10 = x[10], x11 = x[11], x12 = x[12], x13 = x[13], x14 = x[14], x15 = x[15]
        for _ in 0..<4 {
            let (y0, y1) = interleave(x0, x8), (y2, y3) = interleave(x1, x9)
            let (y4, y5) = interleave(x2, x10), (y6, y7) = interleave(x3, x11)
            let (y8, y9) = interleave(x4, x12), (y10, y11) = interleave(x5, x13)
            let (y12, y13) = interleave(x6, x14), (y14, y15) = interleave(x7, x15)
            x0 = y0; x1 = y1; x2 = y2; x3 = y3; x4 = y4; x5 = y5; x6 = y6; x7 = y7
            x8 = y8; x9 = y9; x10 = y10; x11 = y11; x12 = y12; x13 = y13; x14 = y14; x15 = y15
        }
        x[0] = x0; x[1] = x1; x[2] = x2; x[3] = x3; x[4] = x4; x[5] = x5; x[6] = x6; x[7] = x7
        x[8] = x8; x[9] = x9; x[10] = x10; x[11] = x11; x[12] = x12; x[13] = x13; x[14] = x14; x[15] = x15
    }

    /// (a0 b0 a1 b1 a2 b2 a3 b3), (a4 b4 … a7 b7).
    @inline(__always)
    static func interleave8(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>) {
        var r = V()
        r.evenHalf = a; r.oddHalf = b
        return (r.lowHalf, r.highHalf)
    }

    /// Transposes the 8×8 block whose row i is the 8 floats at `s + i·ld` bytes into the block at
    /// `d` (same row stride; `d` may equal `s`): three perfect shuffles.
    @inline(__always)
    static func transpose8(_ s: UnsafeRawPointer, _ d: UnsafeMutableRawPointer, ld: Int) {
        typealias W = SIMD8<Float>
        var x0 = s.loadUnaligned(as: W.self), x1 = s.loadUnaligned(fromByteOffset: ld, as: W.self)
        var x2 = s.loadUnaligned(fromByteOffset: 2 * ld, as: W.self), x3 = s.loadUnaligned(fromByteOffset: 3 * ld, as: W.self)
        var x4 = s.loadUnaligned(fromByteOffset: 4 * ld, as: W.self), x5 = s.loadUnaligned(fromByteOffset: 5 * ld, as: W.self)
        var x6 = s.loadUnaligned(fromByteOffset: 6 * ld, as: W.self), x7 = s.loadUnaligned(fromByteOffset: 7 * ld, as: W.self)
        for _ in 0..<3 {
            let (y0, y1) = interleave8(x0, x4), (y2, y3) = interleave8(x1, x5)
            let (y4, y5) = interleave8(x2, x6), (y6, y7) = interleave8(x3, x7)
            x0 = y0; x1 = y1; x2 = y2; x3 = y3; x4 = y4; x5 = y5; x6 = y6; x7 = y7
        }
        d.storeBytes(of: x0, as: W.self); d.storeBytes(of: x1, toByteOffset: ld, as: W.self)
        d.storeBytes(of: x2, toByteOffset: 2 * ld, as: W.self); d.storeBytes(of: x3, toByteOffset: 3 * ld, as: W.self)
        d.storeBytes(of: x4, toByteOffset: 4 * ld, as: W.self); d.storeBytes(of: x5, toByteOffset: 5 * ld, as: W.self)
        d.storeBytes(of: x6, toByteOffset: 6 * ld, as: W.self); d.storeBytes(of: x7, toByteOffset: 7 * ld, as: W.self)
    }

    /// `transpose` as four 8×8 blocks [A B; C D] → [Aᵀ Cᵀ; Bᵀ Dᵀ]: Bᵀ goes through a stack buffer
    /// while Cᵀ takes B's place; A and D are transposed in place.
    static func transposeBlocks8(_ x: UnsafeMutablePointer<V>) {
        let p = UnsafeMutableRawPointer(x)
        withUnsafeTemporaryAllocation(of: V.self, capacity: 8) { tmp in
            let t = UnsafeMutableRawPointer(tmp.baseAddress!)
            transpose8(p + 32, t, ld: 64)
            transpose8(p + 8 * 64, p + 32, ld: 64)
            for i in 0..<8 { (p + (8 + i) * 64).storeBytes(of: (t + i * 64).load(as: SIMD8<Float>.self), as: SIMD8<Float>.self) }
            transpose8(p, p, ld: 64)
            transpose8(p + 8 * 64 + 32, p + 8 * 64 + 32, ld: 64)
        }
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }

    /// Loads `count` ≤ 16 floats (zeros after them).
    @inline(__always)
    static func loadPartial(_ p: UnsafePointer<Float>, _ count: Int) -> V {
        if count >= 16 { return load(p) }
        var v = V()
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    @inline(__always)
    static func storePartial(_ v: V, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        if count >= 16 { store(v, p); return }
        for i in 0..<count { p[i] = v[i] }
    }

    /// `matrix` with the 16-row blocks of the source split over the context's threads (each block
    /// writes its own 16 destination columns, so the result is the same for any thread count).
    static func matrix(_ src: UnsafePointer<Float>, rows: Int, cols: Int, lds: Int, srcCount: Int,
                       into dst: UnsafeMutablePointer<Float>, ldd: Int, ctx: ComputeContext) {
        let blocks = (rows + 15) / 16
        if ctx.threads == 1 || blocks == 1 || rows * cols < 1 << 16 {  // small: not worth a parallel region
            matrix(src, rows: rows, cols: cols, lds: lds, srcCount: srcCount, into: dst, ldd: ldd)
            return
        }
        ctx.parallelRanges(blocks) { range in
            let i0 = range.lowerBound * 16, i1 = min(rows, range.upperBound * 16)
            matrix(src + i0 * lds, rows: i1 - i0, cols: cols, lds: lds, srcCount: srcCount - i0 * lds, into: dst + i0, ldd: ldd)
        }
    }

    /// dst[j·ldd + i] = src[i·lds + j] for i < rows, j < cols; destination columns rows..<⌈rows/16⌉·16
    /// of every written row are zero-filled (padding of blocked layouts), so `ldd` ≥ ⌈rows/16⌉·16.
    /// `srcCount` floats are readable at `src`: rows are read with whole vectors while in bounds.
    static func matrix(_ src: UnsafePointer<Float>, rows: Int, cols: Int, lds: Int, srcCount: Int,
                       into dst: UnsafeMutablePointer<Float>, ldd: Int) {
        withUnsafeTemporaryAllocation(of: V.self, capacity: 16) { buf in
            let t = buf.baseAddress!
            var i0 = 0
            while i0 < rows {
                let ri = min(16, rows - i0)
                var j0 = 0
                while j0 < cols {
                    let cj = min(16, cols - j0)
                    for r in 0..<16 {
                        let o = (i0 + r) * lds + j0
                        t[r] = r >= ri ? V() : (o + 16 <= srcCount ? load(src + o) : loadPartial(src + o, cj))
                    }
                    transpose(t)
                    for c in 0..<cj { store(t[c], dst + (j0 + c) * ldd + i0) }
                    j0 += 16
                }
                i0 += 16
            }
        }
    }
}
