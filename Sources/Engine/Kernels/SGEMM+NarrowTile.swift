/// The 8×32 microkernel tile for hosts with few vector registers (`VectorRegisters`). A SIMD16 is
/// two of AVX2's 16 registers, so the tile is computed in passes that each keep their
/// accumulators in registers: rows 0–5 as two 6×16 passes (12 AVX2 accumulators, enough
/// independent FMA chains to hide the FMA latency while operands stream from L2) and rows 6–7 as
/// one 2×32 pass; tiles of at most 4 rows as 4×16 quarters. Every C element is still one fused
/// multiply-add chain over k in order, started from zero and then stored (or added to C), so all
/// tilings give bitwise the same results.
extension SGEMM {
    /// Whether the microkernels use the 16-accumulator 8×32 tile (true) or the narrow passes.
    /// Set from `VectorRegisters.hostIsWide`; tests flip it to compare the two.
    nonisolated(unsafe) static var wideTile = VectorRegisters.hostIsWide

    /// Writes (or, with `beta`, adds to C) the first `cols` (≤ 16) lanes of `x` at `d`.
    @inline(__always)
    static func storeRow(_ x: SIMD16<Float>, _ d: UnsafeMutablePointer<Float>, cols: Int, beta: Bool) {
        if cols == 16 {
            let p = UnsafeMutableRawPointer(d)
            p.storeBytes(of: beta ? x + p.loadUnaligned(as: SIMD16<Float>.self) : x, as: SIMD16<Float>.self)
        } else {
            for j in 0..<cols { d[j] = beta ? d[j] + x[j] : x[j] }
        }
    }

    /// C[rows×cols] (+)= A[rows×kc]·B[kc×16], rows ≤ 4, cols ≤ 16. A(r, p) at `a + r·rowStride +
    /// p·kStride` (rows ≥ `rows` read row 0); B row p at `b + p·bStep` bytes (16 floats).
    @inline(__always)
    static func kernel4x16(_ kc: Int, _ a: UnsafePointer<Float>, rowStride rs: Int, kStride ks: Int, rows: Int,
                           _ b: UnsafeRawPointer, bStep: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
                           cols: Int, beta: Bool) {
        typealias V = SIMD16<Float>
        var c0 = V(), c1 = V(), c2 = V(), c3 = V()
        let o1 = rows > 1 ? rs : 0, o2 = rows > 2 ? 2 * rs : 0, o3 = rows > 3 ? 3 * rs : 0
        var pa = a, pb = b
        for _ in 0..<kc {
            let b0 = pb.load(as: V.self)
            c0 = c0.addingProduct(V(repeating: pa[0]), b0)
            c1 = c1.addingProduct(V(repeating: pa[o1]), b0)
            c2 = c2.addingProduct(V(repeating: pa[o2]), b0)
            c3 = c3.addingProduct(V(repeating: pa[o3]), b0)
            pa += ks
            pb += bStep
        }
        storeRow(c0, c, cols: cols, beta: beta)
        if rows > 1 { storeRow(c1, c + ldc, cols: cols, beta: beta) }
        if rows > 2 { storeRow(c2, c + 2 * ldc, cols: cols, beta: beta) }
        if rows > 3 { storeRow(c3, c + 3 * ldc, cols: cols, beta: beta) }
    }

    /// C[rows×cols] (+)= A[rows×kc]·B[kc×16], rows ≤ 6, cols ≤ 16; operands as in `kernel4x16`.
    @inline(__always)
    static func kernel6x16(_ kc: Int, _ a: UnsafePointer<Float>, rowStride rs: Int, kStride ks: Int, rows: Int,
                           _ b: UnsafeRawPointer, bStep: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
                           cols: Int, beta: Bool) {
        typealias V = SIMD16<Float>
        var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
        let o1 = rows > 1 ? rs : 0, o2 = rows > 2 ? 2 * rs : 0, o3 = rows > 3 ? 3 * rs : 0
        let o4 = rows > 4 ? 4 * rs : 0, o5 = rows > 5 ? 5 * rs : 0
        var pa = a, pb = b
        for _ in 0..<kc {
            let b0 = pb.load(as: V.self)
            c0 = c0.addingProduct(V(repeating: pa[0]), b0)
            c1 = c1.addingProduct(V(repeating: pa[o1]), b0)
            c2 = c2.addingProduct(V(repeating: pa[o2]), b0)
            c3 = c3.addingProduct(V(repeating: pa[o3]), b0)
            c4 = c4.addingProduct(V(repeating: pa[o4]), b0)
            c5 = c5.addingProduct(V(repeating: pa[o5]), b0)
            pa += ks
            pb += bStep
        }
        storeRow(c0, c, cols: cols, beta: beta)
        if rows > 1 { storeRow(c1, c + ldc, cols: cols, beta: beta) }
        if rows > 2 { storeRow(c2, c + 2 * ldc, cols: cols, beta: beta) }
        if rows > 3 { storeRow(c3, c + 3 * ldc, cols: cols, beta: beta) }
        if rows > 4 { storeRow(c4, c + 4 * ldc, cols: cols, beta: beta) }
        if rows > 5 { storeRow(c5, c + 5 * ldc, cols: cols, beta: beta) }
    }

    /// C[rows×cols] (+)= A[rows×kc]·B[kc×32], rows ≤ 2, cols ≤ 32; A as in `kernel4x16`, B row p at
    /// `b + p·ldb` (32 floats).
    @inline(__always)
    static func kernel2x32(_ kc: Int, _ a: UnsafePointer<Float>, rowStride rs: Int, kStride ks: Int, rows: Int,
                           _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
                           cols: Int, beta: Bool) {
        typealias V = SIMD16<Float>
        var c00 = V(), c01 = V(), c10 = V(), c11 = V()
        let o1 = rows > 1 ? rs : 0
        var pa = a, pb = UnsafeRawPointer(b)
        for _ in 0..<kc {
            let b0 = pb.load(as: V.self), b1 = pb.load(fromByteOffset: 64, as: V.self)
            let a0 = V(repeating: pa[0]), a1 = V(repeating: pa[o1])
            c00 = c00.addingProduct(a0, b0); c01 = c01.addingProduct(a0, b1)
            c10 = c10.addingProduct(a1, b0); c11 = c11.addingProduct(a1, b1)
            pa += ks
            pb += 4 * ldb
        }
        let left = min(16, cols), right = cols - 16
        storeRow(c00, c, cols: left, beta: beta)
        if right > 0 { storeRow(c01, c + 16, cols: right, beta: beta) }
        if rows > 1 {
            storeRow(c10, c + ldc, cols: left, beta: beta)
            if right > 0 { storeRow(c11, c + ldc + 16, cols: right, beta: beta) }
        }
    }

    /// `narrowTile8x32` for a whole tile with a 32-wide B panel, the common case: the passes know
    /// their row counts and B step, and the caller fixes one of A's strides (1 between rows for
    /// packed A: 89 vs 86% of peak for an M = 64 GEMM's kernels in a scratch A/B with B's pack left
    /// out; 1 along k for A read in place, the Winograd GEMMs: their forward 86.1 → 82.4 ms per
    /// 256² training step, 1 thread).
    @inline(__always)
    static func fullNarrowTile(_ kc: Int, _ a: UnsafePointer<Float>, rowStride rs: Int, kStride ks: Int,
                               _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int, beta: Bool,
                               prefetch: PrefetchRows?) {
        prefetch?.issue(part: 0, of: 2)
        kernel6x16(kc, a, rowStride: rs, kStride: ks, rows: 6, UnsafeRawPointer(b), bStep: 128, c, ldc, cols: 16, beta: beta)
        prefetch?.issue(part: 1, of: 2)
        kernel6x16(kc, a, rowStride: rs, kStride: ks, rows: 6, UnsafeRawPointer(b + 16), bStep: 128, c + 16, ldc, cols: 16,
                   beta: beta)
        kernel2x32(kc, a + 6 * rs, rowStride: rs, kStride: ks, rows: 2, b, 32, c + 6 * ldc, ldc, cols: 32, beta: beta)
    }

    /// C[rows×cols] (+)= A[rows×kc]·B[kc×32] (rows ≤ 8, cols ≤ 32) in register-sized passes: up to
    /// 4 rows as 4×16 quarters, otherwise rows 0–5 as 6×16 halves and rows 6–7 as one 2×32 pass
    /// (column halves with nothing to write are skipped). A(r, p) at `a + r·rowStride + p·kStride`,
    /// rows ≥ `rows` read row 0; B row p at `b + p·ldb` (32 floats). `prefetch` is issued in shares
    /// before the column-half passes.
    @inline(never)
    static func narrowTile8x32(_ kc: Int, _ a: UnsafePointer<Float>, rowStride rs: Int, kStride ks: Int,
                               _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
                               rows: Int, cols: Int, beta: Bool, prefetch: PrefetchRows? = nil) {
        if rows == 8 && cols == 32 && ldb == 32 {
            // Packed A (rows adjacent: the GEMM) or A rows read in place (k adjacent: the Winograd GEMMs).
            if rs == 1 {
                fullNarrowTile(kc, a, rowStride: 1, kStride: ks, b, c, ldc, beta: beta, prefetch: prefetch)
                return
            }
            if ks == 1 {
                fullNarrowTile(kc, a, rowStride: rs, kStride: 1, b, c, ldc, beta: beta, prefetch: prefetch)
                return
            }
        }
        let halves = cols > 16 ? 2 : 1
        if rows <= 4 {
            for ch in 0..<halves {
                prefetch?.issue(part: ch, of: halves)
                kernel4x16(kc, a, rowStride: rs, kStride: ks, rows: rows, UnsafeRawPointer(b + 16 * ch), bStep: 4 * ldb,
                           c + 16 * ch, ldc, cols: min(16, cols - 16 * ch), beta: beta)
            }
            return
        }
        for ch in 0..<halves {
            prefetch?.issue(part: ch, of: halves)
            kernel6x16(kc, a, rowStride: rs, kStride: ks, rows: min(6, rows), UnsafeRawPointer(b + 16 * ch), bStep: 4 * ldb,
                       c + 16 * ch, ldc, cols: min(16, cols - 16 * ch), beta: beta)
        }
        if rows > 6 {
            kernel2x32(kc, a + 6 * rs, rowStride: rs, kStride: ks, rows: rows - 6, b, ldb, c + 6 * ldc, ldc,
                       cols: cols, beta: beta)
        }
    }
}
