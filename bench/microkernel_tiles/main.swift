// Register tilings of the GEMM microkernel on the build host, behind docs/BENCHMARKS.md ("an AVX2
// host"); not part of the package. Build and run:
//   cd bench/microkernel_tiles && swiftc -O -target-cpu native -enforce-exclusivity=unchecked main.swift -o /tmp/microkernel_tiles && /tmp/microkernel_tiles
// Prints the FMA peak (12 SIMD8 chains, fits AVX2's 16 ymm registers) and, with both operands in
// L1 (kc = 128, 1 thread, thread CPU time, best of 5 × 20,000 calls), the engine's 8×32 tile of 16
// SIMD16 accumulators, the same tile as four 4×16 quarters (what `SGEMM+NarrowTile.swift` did in session 15;
// it now runs 6×16 and 2×32 passes), and a 6×32 tile as two 6×16 halves. On AVX2 the 16-accumulator tile spills.
import Foundation
typealias V = SIMD16<Float>
typealias V8 = SIMD8<Float>
func now() -> Double { var ts = timespec(); clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9 }

@inline(never) func peak8(_ n: Int, _ x: V8) -> V8 {
    var c0 = x, c1 = x + 1, c2 = x + 2, c3 = x + 3, c4 = x + 4, c5 = x + 5, c6 = x + 6, c7 = x + 7, c8 = x + 8, c9 = x + 9, c10 = x + 10, c11 = x + 11
    let a = V8(repeating: 0.999), b = V8(repeating: 0.0001)
    for _ in 0..<n {
        c0 = c0.addingProduct(a, b); c1 = c1.addingProduct(a, b); c2 = c2.addingProduct(a, b); c3 = c3.addingProduct(a, b)
        c4 = c4.addingProduct(a, b); c5 = c5.addingProduct(a, b); c6 = c6.addingProduct(a, b); c7 = c7.addingProduct(a, b)
        c8 = c8.addingProduct(a, b); c9 = c9.addingProduct(a, b); c10 = c10.addingProduct(a, b); c11 = c11.addingProduct(a, b)
    }
    return c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11
}

// 8x32 as in engine
@inline(never) func k8x32(_ kc: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
    var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
    let a0 = a, a1 = a + lda, a2 = a + 2*lda, a3 = a + 3*lda, a4 = a + 4*lda, a5 = a + 5*lda, a6 = a + 6*lda, a7 = a + 7*lda
    var pb = UnsafeRawPointer(b); let step = ldb * 4
    for p in 0..<kc {
        let b0 = pb.load(as: V.self), b1 = pb.load(fromByteOffset: 64, as: V.self)
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
    let cs = [c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71]
    for r in 0..<8 { for h in 0..<2 { UnsafeMutableRawPointer(c + r*ldc + h*16).storeBytes(of: cs[r*2+h], as: V.self) } }
}
// 4 rows x 16 cols (one SIMD16 per row): 8 ymm acc
@inline(__always) func k4x16(_ kc: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafeRawPointer, _ step: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    var c0 = V(), c1 = V(), c2 = V(), c3 = V()
    let a0 = a, a1 = a + lda, a2 = a + 2*lda, a3 = a + 3*lda
    var pb = b
    for p in 0..<kc {
        let b0 = pb.load(as: V.self)
        c0 = c0.addingProduct(V(repeating: a0[p]), b0); c1 = c1.addingProduct(V(repeating: a1[p]), b0)
        c2 = c2.addingProduct(V(repeating: a2[p]), b0); c3 = c3.addingProduct(V(repeating: a3[p]), b0)
        pb += step
    }
    UnsafeMutableRawPointer(c).storeBytes(of: c0, as: V.self); UnsafeMutableRawPointer(c + ldc).storeBytes(of: c1, as: V.self)
    UnsafeMutableRawPointer(c + 2*ldc).storeBytes(of: c2, as: V.self); UnsafeMutableRawPointer(c + 3*ldc).storeBytes(of: c3, as: V.self)
}
@inline(never) func k8x32via4x16(_ kc: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    for rh in 0..<2 { for ch in 0..<2 {
        k4x16(kc, a + rh*4*lda, lda, UnsafeRawPointer(b + ch*16), ldb*4, c + rh*4*ldc + ch*16, ldc)
    } }
}
// 2 rows x 32 cols... 4 rows x 32 = 16 ymm -> no. 3 rows x 32 = 12 ymm acc + 4 B = 16. hmm
// 6 rows x 16 cols: 12 ymm acc
@inline(__always) func k6x16(_ kc: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafeRawPointer, _ step: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
    let a0 = a, a1 = a + lda, a2 = a + 2*lda, a3 = a + 3*lda, a4 = a + 4*lda, a5 = a + 5*lda
    var pb = b
    for p in 0..<kc {
        let b0 = pb.load(as: V.self)
        c0 = c0.addingProduct(V(repeating: a0[p]), b0); c1 = c1.addingProduct(V(repeating: a1[p]), b0)
        c2 = c2.addingProduct(V(repeating: a2[p]), b0); c3 = c3.addingProduct(V(repeating: a3[p]), b0)
        c4 = c4.addingProduct(V(repeating: a4[p]), b0); c5 = c5.addingProduct(V(repeating: a5[p]), b0)
        pb += step
    }
    for (r, v) in [c0, c1, c2, c3, c4, c5].enumerated() { UnsafeMutableRawPointer(c + r*ldc).storeBytes(of: v, as: V.self) }
}
@inline(never) func k6x32(_ kc: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    k6x16(kc, a, lda, UnsafeRawPointer(b), ldb*4, c, ldc); k6x16(kc, a, lda, UnsafeRawPointer(b + 16), ldb*4, c + 16, ldc)
}

let kc = 128
let A = UnsafeMutablePointer<Float>.allocate(capacity: 8*kc); for i in 0..<8*kc { A[i] = Float(i % 7) * 0.01 }
let B = UnsafeMutablePointer<Float>.allocate(capacity: 32*kc); for i in 0..<32*kc { B[i] = Float(i % 5) * 0.01 }
let C = UnsafeMutablePointer<Float>.allocate(capacity: 8*32)
func bench(_ name: String, rows: Int, _ f: () -> Void) {
    var best = 1e9
    for _ in 0..<5 { let t0 = now(); for _ in 0..<20000 { f() }; best = min(best, now() - t0) }
    let flops = 2.0 * Double(rows * 32 * kc) * 20000
    print(name, String(format: "%.1f GFLOP/s", flops / best / 1e9))
}
do { var best = 1e9; var s = V8(); for _ in 0..<5 { let t0 = now(); s += peak8(10_000_000, V8(repeating: 1)); best = min(best, now() - t0) }
     print("peak 12xSIMD8", String(format: "%.1f GFLOP/s", 12.0 * 16 * 10_000_000 / best / 1e9), s[0]) }
bench("8x32 engine", rows: 8) { k8x32(kc, A, kc, B, 32, C, 32) }
bench("8x32 via 4x16", rows: 8) { k8x32via4x16(kc, A, kc, B, 32, C, 32) }
bench("6x32 via 6x16", rows: 6) { k6x32(kc, A, kc, B, 32, C, 32) }
