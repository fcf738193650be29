extension SGEMM {
    typealias V16 = SIMD16<Float>

    /// Writes (beta: adds) the 8×32 accumulator tile to C, rows < `rows` only.
    @inline(__always)
    static func storeTile(_ c: UnsafeMutablePointer<Float>, _ ldc: Int, rows: Int, beta: Bool,
                          _ c00: V16, _ c01: V16, _ c10: V16, _ c11: V16, _ c20: V16, _ c21: V16, _ c30: V16, _ c31: V16,
                          _ c40: V16, _ c41: V16, _ c50: V16, _ c51: V16, _ c60: V16, _ c61: V16, _ c70: V16, _ c71: V16) {
        @inline(__always) func st(_ r: Int, _ x0: V16, _ x1: V16) {
            if r >= rows { return }
            let d = UnsafeMutableRawPointer(c + r * ldc)
            if beta {
                d.storeBytes(of: x0 + d.loadUnaligned(as: V16.self), as: V16.self)
                d.storeBytes(of: x1 + d.loadUnaligned(fromByteOffset: 64, as: V16.self), toByteOffset: 64, as: V16.self)
            } else {
                d.storeBytes(of: x0, as: V16.self)
                d.storeBytes(of: x1, toByteOffset: 64, as: V16.self)
            }
        }
        st(0, c00, c01); st(1, c10, c11); st(2, c20, c21); st(3, c30, c31)
        st(4, c40, c41); st(5, c50, c51); st(6, c60, c61); st(7, c70, c71)
    }

    /// C[rows×32] (+)= A[8×kc]·B[kc×32] with A row-major (row r at `a + r·lda`, rows ≥ `rows`
    /// read row 0) and B row p at `b + p·ldb` (32 contiguous floats). Neither operand is packed:
    /// the Winograd forward reads its transformed tiles (rows) and weights (B panels) in place.
    @inline(never)
    static func kernelRowsA(_ kc: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                            _ c: UnsafeMutablePointer<Float>, _ ldc: Int, rows: Int, beta: Bool) {
        if !wideTile {
            narrowTile8x32(kc, a, rowStride: lda, kStride: 1, b, ldb, c, ldc, rows: rows, cols: 32, beta: beta)
            return
        }
        typealias V = V16
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
        var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
        let a0 = a, a1 = a + (rows > 1 ? lda : 0), a2 = a + (rows > 2 ? 2 * lda : 0), a3 = a + (rows > 3 ? 3 * lda : 0)
        let a4 = a + (rows > 4 ? 4 * lda : 0), a5 = a + (rows > 5 ? 5 * lda : 0)
        let a6 = a + (rows > 6 ? 6 * lda : 0), a7 = a + (rows > 7 ? 7 * lda : 0)
        var pb = UnsafeRawPointer(b)
        let step = ldb &* 4
        for p in 0..<kc {
            let b0 = pb.load(as: V.self)
            let b1 = pb.load(fromByteOffset: 64, as: V.self)
            var av = V(repeating: a0[p]); c00 = c00.addingProduct(av, b0); c01 = c01.addingProduct(av, b1)
            av = V(repeating: a1[p]); c10 = c10.addingProduct(av, b0); c11 = c11.addingProduct(av, b1)
            av = V(repeating: a2[p]); c20 = c20.addingProduct(av, b0); c21 = c21.addingProduct(av, b1)
            av = V(repeating: a3[p]); c30 = c30.addingProduct(av, b0); c31 = c31.addingProduct(av, b1)
            av = V(repeating: a4[p]); c40 = c40.addingProduct(av, b0); c41 = c41.addingProduct(av, b1)
            av = V(repeating: a5[p]); c50 = c50.addingProduct(av, b0); c51 = c51.addingProduct(av, b1)
            av = V(repeating: a6[p]); c60 = c60.addingProduct(av, b0); c61 = c61.addingProduct(av, b1)
            av = V(repeating: a7[p]); c70 = c70.addingProduct(av, b0); c71 = c71.addingProduct(av, b1)
            pb += step
        }
        storeTile(c, ldc, rows: rows, beta: beta, c00, c01, c10, c11, c20, c21, c30, c31,
                  c40, c41, c50, c51, c60, c61, c70, c71)
    }

    /// C[rows×32] (+)= A[8×kc]·B[kc×32] with the 8 A values of step p at `a + p·ldak` (an A panel
    /// with a k stride) and B row p at `b + p·ldb`: the Winograd weight gradient reads both
    /// operands (transformed input tiles and output-gradient tiles) in place this way.
    @inline(never)
    static func kernelStridedA(_ kc: Int, _ a: UnsafePointer<Float>, _ ldak: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                               _ c: UnsafeMutablePointer<Float>, _ ldc: Int, rows: Int, beta: Bool) {
        if !wideTile {
            narrowTile8x32(kc, a, rowStride: 1, kStride: ldak, b, ldb, c, ldc, rows: rows, cols: 32, beta: beta)
            return
        }
        typealias V = V16
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
        var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
        var pa = a
        var pb = UnsafeRawPointer(b)
        let step = ldb &* 4
        for _ in 0..<kc {
            let b0 = pb.load(as: V.self)
            let b1 = pb.load(fromByteOffset: 64, as: V.self)
            var av = V(repeating: pa[0]); c00 = c00.addingProduct(av, b0); c01 = c01.addingProduct(av, b1)
            av = V(repeating: pa[1]); c10 = c10.addingProduct(av, b0); c11 = c11.addingProduct(av, b1)
            av = V(repeating: pa[2]); c20 = c20.addingProduct(av, b0); c21 = c21.addingProduct(av, b1)
            av = V(repeating: pa[3]); c30 = c30.addingProduct(av, b0); c31 = c31.addingProduct(av, b1)
            av = V(repeating: pa[4]); c40 = c40.addingProduct(av, b0); c41 = c41.addingProduct(av, b1)
            av = V(repeating: pa[5]); c50 = c50.addingProduct(av, b0); c51 = c51.addingProduct(av, b1)
            av = V(repeating: pa[6]); c60 = c60.addingProduct(av, b0); c61 = c61.addingProduct(av, b1)
            av = V(repeating: pa[7]); c70 = c70.addingProduct(av, b0); c71 = c71.addingProduct(av, b1)
            pa += ldak
            pb += step
        }
        storeTile(c, ldc, rows: rows, beta: beta, c00, c01, c10, c11, c20, c21, c30, c31,
                  c40, c41, c50, c51, c60, c61, c70, c71)
    }
}
