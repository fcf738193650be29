import Dispatch

/// Measures this machine's FP32 FMA peak with a register-only SIMD16 loop (denominator of the
/// "% of peak" figures in docs/BENCHMARKS.md): 16 independent chains where 16 SIMD16 fit in
/// registers (`VectorRegisters`), 6 elsewhere (12 AVX2 registers; 16 would spill and measure
/// the stack, ~38 instead of ~100 GFLOP/s on an AVX2 host).
public enum PeakProbe {
    /// GFLOP/s of independent SIMD16 FMA chains on `threads` threads (best of `tries`).
    public static func measure(threads: Int, iterations iters: Int = 20_000_000, best tries: Int = 5) -> Double {
        let ctx = ComputeContext(threads: threads)
        var best = 0.0
        for _ in 0..<tries {
            let wide = SGEMM.wideTile
            let t0 = Clock.now(threads: threads)
            var sink = [Float](repeating: 0, count: threads)
            sink.withUnsafeMutableBufferPointer { s in
                let sp = s.baseAddress!
                ctx.parallel(threads) { t in
                    sp[t] = wide ? chains(iters, seed: Float(t) * 1e-9) : chains6(iters, seed: Float(t) * 1e-9)
                }
            }
            let dt = Double(Clock.now(threads: threads) - t0)
            let flops = Double(threads) * Double(iters) * (wide ? 16 : 6) * 16 * 2
            best = max(best, flops / dt)
            if sink[0] == 42 { print("") }
        }
        return best
    }

    /// GFLOP/s of the SGEMM 8×32 microkernel on one thread with both packed operands in L1
    /// (kc = 128, 64-byte aligned), best of 5: the ceiling any GEMM on this core can reach at
    /// that moment. On the shared VM of docs/BENCHMARKS.md it flips between ~50% and ~95% of
    /// `measure` (within a minute, even within one process) while `measure` stays put; the cause
    /// is outside the program and not established, so conv figures are read against both.
    /// `kc` sets the operands' footprint (A 64·kc, B 128·kc bytes): `ablate bench ceiling` times
    /// kc = 16…256 side by side to tell L1 capacity from execution-port contention.
    public static func microkernelInL1(kc: Int = SGEMM.kc, best tries: Int = 5) -> Double {
        let reps = 20_000 * 128 / kc
        let a = Tensor.allocate(16 * kc), b = Tensor.allocate(SGEMM.nr * kc), c = Tensor.allocate(8 * SGEMM.nr)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        a.update(repeating: 1e-3, count: 16 * kc); b.update(repeating: 1e-3, count: SGEMM.nr * kc)
        c.update(repeating: 0, count: 8 * SGEMM.nr)
        var best = 0.0
        for _ in 0..<tries {
            let t0 = Clock.threadCPU()
            for _ in 0..<reps {
                SGEMM.kernel8x32(kc, a, b, c, SGEMM.nr, mr: 8, nr: SGEMM.nr, beta: true, aStride: 16)
            }
            let dt = Double(Clock.threadCPU() - t0)
            best = max(best, 2.0 * Double(8 * SGEMM.nr * kc * reps) / dt)
        }
        return best
    }

    @inline(never)
    static func chains(_ n: Int, seed: Float) -> Float {
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
        return s.hsum
    }

    /// `chains` with 6 chains (hosts with few vector registers).
    @inline(never)
    static func chains6(_ n: Int, seed: Float) -> Float {
        typealias V = SIMD16<Float>
        let m = V(repeating: 0.999999), a = V(repeating: seed)
        var x0 = V(repeating: 1), x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0
        for _ in 0..<n {
            x0 = x0.addingProduct(x0, m); x1 = x1.addingProduct(x1, m); x2 = x2.addingProduct(x2, m)
            x3 = x3.addingProduct(x3, m); x4 = x4.addingProduct(x4, m); x5 = x5.addingProduct(x5, a)
        }
        return (x0 + x1 + x2 + x3 + x4 + x5).hsum
    }
}
