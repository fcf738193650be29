// GEMM blocking experiments behind docs/BENCHMARKS.md ("SGEMM on conv shapes"); not part of the
// package. Build and run (x86-64 with AVX-512):
//   cd bench/gemm_blocking && swiftc -Ounchecked -wmo -target-cpu native *.swift -o /tmp/gemm_blocking && /tmp/gemm_blocking
// Copies of the engine's 8×32 microkernel (and a 12×32 variant) with simple dense packing, so
// block sizes can be swept without touching Sources/Engine. Each repetition first measures the
// "mode": the microkernel with operands in L1 over the register-only FMA peak (it flips between
// ~0.5 and ~0.95 on the shared VM), and files the GEMM figures under fast (> 0.85) or slow (< 0.65).
// Then: the kernel loop alone over one packed, cache-resident block (no packing) — the rate
// the blocked GEMM would reach if packing and memory cost nothing.
import Foundation
@inline(never) func chains(_ n: Int, seed: Float) -> Float {
    typealias V = SIMD16<Float>
    let m = V(repeating: 0.999999), a = V(repeating: seed)
    var x0 = V(repeating: 1), x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0, x6 = x0, x7 = x0
    var x8 = x0, x9 = x0, x10 = x0, x11 = x0, x12 = x0, x13 = x0, x14 = x0, x15 = x0
    for _ in 0..<n {
        x0 = x0.addingProduct(x0, m); x1 = x1.addingProduct(x1, m); x2 = x2.addingProduct(x2, m)
        x3 = x3.addingProduct(x3, m); x4 = x4.addingProduct(x4, m); x5 = x5.addingProduct(x5, m)
        x6 = x6.addingProduct(x6, m); x7 = x7.addingProduct(x7, m); x8 = x8.addingProduct(x8, m)
        x9 = x9.addingProduct(x9, m); x10 = x10.addingProduct(x10, m); x11 = x11.addingProduct(x11, m)
        x12 = x12.addingProduct(x12, m); x13 = x13.addingProduct(x13, m); x14 = x14.addingProduct(x14, m)
        x15 = x15.addingProduct(x15, a)
    }
    let s = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11 + x12 + x13 + x14 + x15
    return s.sum()
}
let kcL = 128
let ka = UnsafeMutableRawPointer.allocate(byteCount: 16 * kcL * 4, alignment: 64).bindMemory(to: Float.self, capacity: 16 * kcL)
let kb = UnsafeMutableRawPointer.allocate(byteCount: 32 * kcL * 4, alignment: 64).bindMemory(to: Float.self, capacity: 32 * kcL)
let kcc = UnsafeMutablePointer<Float>.allocate(capacity: 512); kcc.update(repeating: 0, count: 512)
ka.update(repeating: 1e-3, count: 16 * kcL); kb.update(repeating: 1e-3, count: 32 * kcL)
func mode() -> Double {
    let t0 = now(); let r = chains(1_000_000, seed: 1e-9); let pk = 1_000_000.0 * 512 / (now() - t0)
    let t1 = now(); for _ in 0..<5000 { kernel8x32(kcL, ka, kb, kcc, 32, beta: true, aStride: 8) }
    let kg = 2.0 * Double(8 * 32 * kcL) * 5000 / (now() - t1)
    return r == 42 ? 0 : kg / pk
}
let shapes = [(64, 8192, 576), (128, 2048, 1152), (256, 2048, 2304)]
let variants = [(128, 16), (576, 4), (256, 4), (384, 4), (256, 8)]
for (m, n, k) in shapes {
    let a = UnsafeMutablePointer<Float>.allocate(capacity: m * k); for i in 0..<m*k { a[i] = Float(i % 7) * 0.1 }
    let b = UnsafeMutablePointer<Float>.allocate(capacity: k * n); for i in 0..<k*n { b[i] = Float(i % 5) * 0.1 }
    let c = UnsafeMutablePointer<Float>.allocate(capacity: (m + 16) * n)
    let pa = UnsafeMutableRawPointer.allocate(byteCount: (m + 16) * 2304 * 4, alignment: 64).bindMemory(to: Float.self, capacity: (m + 16) * 2304)
    let pb = UnsafeMutableRawPointer.allocate(byteCount: 2304 * 1024 * 4, alignment: 64).bindMemory(to: Float.self, capacity: 2304 * 1024)
    var fast = [[Double]](repeating: [], count: variants.count), slow = fast
    for _ in 0..<12 {
        let md = mode()
        for (vi, (kcB0, ppp)) in variants.enumerated() {
            let kcB = min(kcB0, k)
            let t0 = now(); gemmJIT(m: m, n: n, k: k, a: a, b: b, c: c, kcB: kcB, pa: pa, pb: pb, panelsPerPack: ppp)
            let g = 2.0 * Double(m * n * k) / (now() - t0) / 1e9 / 109
            if md > 0.85 { fast[vi].append(g) } else if md < 0.65 { slow[vi].append(g) }
        }
    }
    var line = "\(m)x\(n)x\(k) fast(\(fast[0].count)):"
    for (vi, v) in variants.enumerated() { line += String(format: " kc%d/p%d %.0f%%", v.0, v.1, 100 * (fast[vi].max() ?? 0)) }
    line += " | slow(\(slow[0].count)):"
    for (vi, v) in variants.enumerated() { line += String(format: " %.0f%%", 100 * (slow[vi].max() ?? 0)) }
    print(line)
}

print("kernel loop over one packed 64×128 A block and 128×512 B block (no packing), % of 109 GFLOP/s:")
do {
    let m = 64, kc = 128, nc = 512
    let pa = UnsafeMutableRawPointer.allocate(byteCount: m * kc * 4, alignment: 64).bindMemory(to: Float.self, capacity: m * kc)
    let pb = UnsafeMutableRawPointer.allocate(byteCount: kc * nc * 4, alignment: 64).bindMemory(to: Float.self, capacity: kc * nc)
    pa.update(repeating: 1e-3, count: m * kc); pb.update(repeating: 1e-3, count: kc * nc)
    for _ in 0..<6 {
        let md = mode()
        var line = String(format: "mode %.2f:", md)
        for ldc in [512, 8192, 8192 + 32] {
            let c = UnsafeMutableRawPointer.allocate(byteCount: m * ldc * 4, alignment: 64).bindMemory(to: Float.self, capacity: m * ldc)
            c.update(repeating: 0, count: m * ldc)
            let reps = 40
            let t0 = now()
            for _ in 0..<reps { for jr in 0..<(nc / 32) { for ir in 0..<(m / 8) {
                kernel8x32(kc, pa + ir * 8 * kc, pb + jr * 32 * kc, c + ir * 8 * ldc + jr * 32, ldc, beta: true, aStride: 8) } } }
            let g = 2.0 * Double(m * nc * kc * reps) / (now() - t0) / 1e9 / 109
            line += String(format: " ldc%d %.0f%%", ldc, 100 * g)
            c.deallocate()
        }
        print(line)
    }
}
