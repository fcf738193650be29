/// The 8×32 microkernel tile for hosts with few vector registers (`VectorRegisters`): the same
/// tile computed as four 4×16 quarters, each with 4 SIMD16 accumulators (8 AVX2 registers). Every
/// C element is still one fused multiply-add chain over k in order, started from zero and then
/// stored (or added to C), so both tilings give bitwise the same results.
extension SGEMM {
    /// Whether the microkernels use the 16-accumulator 8×32 tile (true) or four 4×16 quarters.
    /// Set from `VectorRegisters.hostIsWide`; tests flip it to compare the two.
    nonisolated(unsafe) static var wideTile = VectorRegisters.hostIsWide

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
        if cols == 16 {
            @inline(__always) func st(_ r: Int, _ x: V) {
                if r >= rows { return }
                let d = UnsafeMutableRawPointer(c + r * ldc)
                d.storeBytes(of: beta ? x + d.loadUnaligned(as: V.self) : x, as: V.self)
            }
            st(0, c0); st(1, c1); st(2, c2); st(3, c3)
            return
        }
        withUnsafeTemporaryAllocation(of: V.self, capacity: 4) { tmp in
            tmp[0] = c0; tmp[1] = c1; tmp[2] = c2; tmp[3] = c3
            let t = UnsafeRawPointer(tmp.baseAddress!).assumingMemoryBound(to: Float.self)
            for r in 0..<rows {
                let d = c + r * ldc, s = t + r * 16
                if beta { for j in 0..<cols { d[j] += s[j] } } else { for j in 0..<cols { d[j] = s[j] } }
            }
        }
    }

    /// C[rows×cols] (+)= A[rows×kc]·B[kc×32] as up to four `kernel4x16` quarters (quarters with no
    /// row or column of C to write are skipped). A(r, p) at `a + r·rowStride + p·kStride`, rows ≥
    /// `rows` read row 0; B row p at `b + p·ldb` (32 floats).
    @inline(never)
    static func quarters8x32(_ kc: Int, _ a: UnsafePointer<Float>, rowStride rs: Int, kStride ks: Int,
                             _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
                             rows: Int, cols: Int, beta: Bool) {
        for rh in 0..<(rows > 4 ? 2 : 1) {
            let ra = rh == 0 ? a : a + 4 * rs
            for ch in 0..<(cols > 16 ? 2 : 1) {
                kernel4x16(kc, ra, rowStride: rs, kStride: ks, rows: min(4, rows - 4 * rh),
                           UnsafeRawPointer(b + 16 * ch), bStep: 4 * ldb, c + 4 * rh * ldc + 16 * ch, ldc,
                           cols: min(16, cols - 16 * ch), beta: beta)
            }
        }
    }
}
