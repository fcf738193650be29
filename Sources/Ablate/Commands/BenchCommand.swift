import Engine
import Foundation

/// `ablate bench train-step` / `ablate bench conv`: the engine's speed on the benchmark
/// network, and its GEMM and convolution throughput on conv shapes against the machine's peak.
enum BenchCommand: AblateCommand {
    static let name = "bench"
    static let abstract = "time the engine: median training step and inference batch of the benchmark RetinaNet"
    static let usage = "train-step [--size N] [--batch N] [--threads N] [--iterations N] [--winograd-min-tiles N] [--no-chain] [--json]\n       ablate bench conv [--threads N] [--reps N] [--json]\n       ablate bench ceiling [--seconds N]"
    static let discussion = """
    The network (issue 3's benchmark): ResNet-18 layout with widths 32/64/128/256, FPN 64 on
    C3–C5 with P6/P7, heads 4 × (3×3 conv 64 + ReLU), 10 classes × 9 anchors, random images of
    SIZE×SIZE. A training step is forward + focal loss + smooth L1 + backward + SGD. Compare with
    PyTorch on the same network: python3 bench/engine_vs_torch.py (see docs/BENCHMARKS.md).

    `conv` measures the FP32 FMA peak of THREADS threads (register-only SIMD16 loop), then, for
    3×3 stride-1 convolutions with C = 64…256 on 16²…64² maps (batch 8), the GFLOP/s and % of
    that peak of a plain SGEMM of the convolution's M×N×K (dense operands) and of the direct
    (im2col-free) convolution kernels: forward, weight gradient, input gradient. Best of REPS;
    single-threaded figures use the thread's CPU time, so a busy machine hurts them less. It also
    times the GEMM microkernel alone with its operands in L1, before and after the table: on a
    shared VM that ceiling can sit far below the register-only peak (see docs/BENCHMARKS.md).

    `ceiling` prints, about once a second for SECONDS (default 20), the 1-thread register-only
    FMA peak and the microkernel's in-L1 rate as % of it for K blocks of 16…256 (operands of
    3…48 KiB; L1 is 32 KiB): when every column drops together, even the 3 KiB one, another tenant
    is sharing the core's execution ports, not its L1. Run it beside a benchmark to read that
    benchmark's figures.

    All three print the GEMM register tiling in use: 16 SIMD16 accumulators per 8×32 tile where
    the host has AVX-512, passes of 6×16 and 2×32 (12 and 8 AVX2 registers) elsewhere (AVX2,
    arm64), which give the same results; FOCAL_MICROKERNEL=wide or =narrow in the environment
    forces one (A/B runs). They also print the GEMM's packed B block, sized to a quarter of the
    core's L2 (FOCAL_GEMM_NC=N sets its column count instead). FOCAL_GEMM_PREFETCH=0 turns off
    the GEMM's software prefetch of dense B and C and its packing of the next B block during the
    current one's kernels, FOCAL_HUGE_PAGES=0 the transparent huge pages for large tensors
    (Linux); both for A/B runs, same results.
    train-step also names what runs its parallel regions: polling helper threads by default,
    Dispatch with FOCAL_THREAD_POOL=dispatch or more threads than cores (same results).
    """
    static let options: [OptionSpec] = [
        OptionSpec(name: "size", value: "N", help: "image side in pixels (default 128)"),
        OptionSpec(name: "batch", value: "N", help: "images per step (default 8)"),
        OptionSpec(name: "threads", value: "N", help: "compute threads (train-step default 2, conv default 1)"),
        OptionSpec(name: "iterations", value: "N", help: "timed steps (default 10)"),
        OptionSpec(name: "reps", value: "N", help: "conv: repetitions per shape, best kept (default 5)"),
        OptionSpec(name: "winograd-min-tiles", value: "N", help: "train-step: fewest 4×4 output tiles for a Winograd conv (default 16)"),
        OptionSpec(name: "no-chain", value: nil, help: "train-step: run the head convs (and, at inference, each BasicBlock's two convs) one by one, not as a blocked Winograd chain"),
        OptionSpec(name: "seconds", value: "N", help: "ceiling: how long to sample (default 20)"),
        OptionSpec(name: "json", value: nil, help: "print one JSON object instead of text"),
    ]

    static func run(_ args: Arguments) throws -> Int32 {
        let what = try args.positionals(exactly: ["what"])[0]
        switch what {
        case "train-step": return try trainStep(args)
        case "conv": return try conv(args)
        case "ceiling": return try ceiling(args)
        default: throw UsageError(command: name, message: "unknown benchmark '\(what)' (known: train-step, conv, ceiling)")
        }
    }

    static func conv(_ args: Arguments) throws -> Int32 {
        let threads = try args.int("threads", min: 1) ?? 1
        let reps = try args.int("reps", min: 1) ?? 5
        let peak = PeakProbe.measure(threads: threads)
        let ceilingBefore = PeakProbe.microkernelInL1()
        let rows = ConvBenchmark.run(threads: threads, reps: reps, shapes: ConvBenchmark.goalShapes)
        let ceilingAfter = PeakProbe.microkernelInL1()
        if args.has("json") {
            let d = ConvBenchmark.oneDecimal
            print("{\"threads\":\(threads),\"peak\":\(d(peak)),\"microkernel_l1\":[\(d(ceilingBefore)),\(d(ceilingAfter))],"
                  + "\"tiling\":\"\(VectorRegisters.tilingName)\",\"gemm_nc\":\(SGEMM.nc),"
                  + "\"shapes\":[" + rows.map(\.json).joined(separator: ",") + "]}")
            return 0
        }
        print(String(format: "FMA peak, %d thread(s): %.1f GFLOP/s", threads, peak))
        print("microkernel tiling: \(VectorRegisters.tilingName); \(HostCaches.blockingName)")
        print(String(format: "8×32 microkernel, operands in L1, 1 thread: %.1f GFLOP/s before, %.1f after (%.0f%% / %.0f%% of the 1-thread peak)",
                     ceilingBefore, ceilingAfter, 100 * ceilingBefore * Double(threads) / peak, 100 * ceilingAfter * Double(threads) / peak))
        print("shape                  M×N×K               SGEMM        conv forward  weight grad   input grad")
        func cell(_ g: Double) -> String { String(format: "%5.1f (%3.0f%%)", g, 100 * g / peak) }
        for r in rows {
            let label = r.label.padding(toLength: 22, withPad: " ", startingAt: 0)
            let mnk = "\(r.m)×\(r.n)×\(r.k)".padding(toLength: 19, withPad: " ", startingAt: 0)
            print("\(label) \(mnk) \(cell(r.plainGemm))  \(cell(r.forward))  \(cell(r.weightGrad))  \(cell(r.inputGrad))")
        }
        return 0
    }

    static func ceiling(_ args: Arguments) throws -> Int32 {
        let seconds = try args.int("seconds", min: 1) ?? 20
        let blocks = [16, 32, 64, 128, 256]
        print("microkernel tiling: \(VectorRegisters.tilingName)")
        print("time     FMA peak   in-L1 microkernel, % of that peak, by K block (operand KiB)")
        print("  s      GFLOP/s  " + blocks.map { String(format: "  kc%-3d(%2d)", $0, 192 * $0 / 1024) }.joined())
        let start = Date()
        while Date().timeIntervalSince(start) < Double(seconds) {
            let t = Date().timeIntervalSince(start)
            let peak = PeakProbe.measure(threads: 1, iterations: 2_000_000, best: 1)
            let cells = blocks.map { String(format: "  %9.0f%%", 100 * PeakProbe.microkernelInL1(kc: $0, best: 1) / peak) }
            print(String(format: "%5.1f  %9.1f  ", t, peak) + cells.joined())
            Thread.sleep(forTimeInterval: 0.5)
        }
        return 0
    }

    static func trainStep(_ args: Arguments) throws -> Int32 {
        let size = try args.int("size", min: 16) ?? 128
        let batch = try args.int("batch", min: 1) ?? 8
        let threads = try args.int("threads", min: 1) ?? 2
        let iterations = try args.int("iterations", min: 1) ?? 10
        let minTiles = try args.int("winograd-min-tiles", min: 1)
        let s = try TrainStepBenchmark.run(size: size, batch: batch, threads: threads, iterations: iterations,
                                           winogradMinTiles: minTiles, winogradChain: !args.has("no-chain"))
        if args.has("json") { print(s.json); return 0 }
        print(String(format: "train step (size %d, batch %d, %d threads): median %.1f ms, min %.1f ms over %d steps",
                     size, batch, threads, s.trainMedianMs, s.trainMinMs, iterations))
        print(String(format: "inference batch: median %.1f ms, min %.1f ms", s.inferenceMedianMs, s.inferenceMinMs))
        print(String(format: "convolution work: %.2f GFLOP per training step (%.0f GFLOP/s at the median)",
                     s.convGflopPerStep, s.convGflopPerStep / (s.trainMedianMs / 1000)))
        print("microkernel tiling: \(VectorRegisters.tilingName); \(HostCaches.blockingName); parallel regions: \(VectorRegisters.threadPoolName(threads: threads))")
        return 0
    }
}
