extension SGEMM {
    /// C[mr×nr] (+)= Apanel[kc×8]ᵀ · Bpanel[kc×32]: 16 SIMD16 accumulators, one broadcast of A
    /// per row and two vector loads of B per k step (register-sized passes, `narrowTile8x32`, when `wideTile` is off).
    /// Partial tiles (mr < 8 or nr < 32) are computed in full (the packed operands are zero
    /// padded) and stored partially. The A panel advances `aStride` floats per k step (8; 16 for
    /// two panels packed side by side). `prefetch` names rows of another matrix to prefetch meanwhile.
    @inline(__always)
    static func kernel8x32(_ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                           _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
                           mr: Int, nr: Int, beta: Bool, aStride: Int = 8, prefetch: PrefetchRows? = nil) {
        if !wideTile {
            narrowTile8x32(kc, a, rowStride: 1, kStride: aStride, b, 32, c, ldc, rows: mr, cols: nr, beta: beta,
                           prefetch: prefetch)
            return
        }
        prefetch?.issue()
        typealias V = SIMD16<Float>
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
        var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
        var pa = a
        var pb = UnsafeRawPointer(b)
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
            pa += aStride
            pb += 128
        }
        if mr == 8 && nr == 32 {
            @inline(__always) func st(_ r: Int, _ x0: V, _ x1: V) {
                let d = UnsafeMutableRawPointer(c + r * ldc)
                if beta {
                    d.storeBytes(of: x0 + d.loadUnaligned(as: V.self), as: V.self)
                    d.storeBytes(of: x1 + d.loadUnaligned(fromByteOffset: 64, as: V.self), toByteOffset: 64, as: V.self)
                } else {
                    d.storeBytes(of: x0, as: V.self)
                    d.storeBytes(of: x1, toByteOffset: 64, as: V.self)
                }
            }
            st(0, c00, c01); st(1, c10, c11); st(2, c20, c21); st(3, c30, c31)
            st(4, c40, c41); st(5, c50, c51); st(6, c60, c61); st(7, c70, c71)
            return
        }
        withUnsafeTemporaryAllocation(of: V.self, capacity: 16) { tmp in
            tmp[0] = c00; tmp[1] = c01; tmp[2] = c10; tmp[3] = c11; tmp[4] = c20; tmp[5] = c21
            tmp[6] = c30; tmp[7] = c31; tmp[8] = c40; tmp[9] = c41; tmp[10] = c50; tmp[11] = c51
            tmp[12] = c60; tmp[13] = c61; tmp[14] = c70; tmp[15] = c71
            let t = UnsafeRawPointer(tmp.baseAddress!).assumingMemoryBound(to: Float.self)
            for r in 0..<mr {
                let d = c + r * ldc
                let s = t + r * 32
                if beta { for j in 0..<nr { d[j] += s[j] } } else { for j in 0..<nr { d[j] = s[j] } }
            }
        }
    }

    /// Reference GEMM (triple loop, Double accumulation) used by the tests.
    public static func naive(m: Int, n: Int, k: Int, a: MatrixRef, b: MatrixRef,
                             c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k { s += Double(a.at(i, p)) * Double(b.at(p, j)) }
                c[i * ldc + j] = (accumulate ? c[i * ldc + j] : 0) + Float(s)
            }
        }
    }
}
