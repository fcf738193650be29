import XCTest
import Foundation
@testable import Engine

/// Prints a tagged benchmark line and, with ENGINE_BENCH_OUT=path, appends it to that file too:
/// through `swift test` on Linux, lines this long (~6 KB of JSON) were sometimes missing from the
/// captured output together with XCTest's pass line (bench/engine_vs_torch.py reads the file).
func benchLine(_ line: String) {
    print(line)
    guard let path = ProcessInfo.processInfo.environment["ENGINE_BENCH_OUT"] else { return }
    if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
    if let h = FileHandle(forWritingAtPath: path) {
        h.seekToEndOfFile()
        h.write((line + "\n").data(using: .utf8)!)
        h.closeFile()
    }
}

/// Drives `TrainStepBenchmark` until `ablate bench train-step` exists. The timing run happens only
/// with ENGINE_BENCH=1 (bench/engine_vs_torch.py sets it and parses the "ENGINE_BENCH {json}"
/// lines); sizes, threads and iterations come from ENGINE_BENCH_SIZES / _THREADS / _ITERS;
/// ENGINE_BENCH_WINOGRAD=0 forces the direct convolution kernels (A/B runs); ENGINE_BENCH_FREEZE=k
/// freezes the backbone's stem and stages 1…k; ENGINE_BENCH_FOLD=0 runs inference without BN folding,
/// ENGINE_BENCH_WCACHE=0 without cached Winograd weights.
final class TrainStepBenchmarkTests: XCTestCase {
    /// Always runs: one tiny step so the benchmark code path stays working.
    func testBenchmarkRunsOnTinyInput() throws {
        let s = try TrainStepBenchmark.run(size: 64, batch: 1, threads: 1, iterations: 1, warmup: 0)
        XCTAssertGreaterThan(s.trainMedianMs, 0)
        XCTAssertGreaterThan(s.convGflopPerStep, 0)
        XCTAssertTrue(s.json.contains("\"size\":64"))
    }

    /// The two probes `ablate bench conv` reads its figures against: both positive and the
    /// microkernel, which does real FMAs on real operands, cannot beat the register-only peak by
    /// more than timing noise.
    func testPeakProbesAreConsistent() {
        let peak = PeakProbe.measure(threads: 1)
        let kernel = PeakProbe.microkernelInL1()
        XCTAssertGreaterThan(peak, 0)
        XCTAssertGreaterThan(kernel, 0)
        XCTAssertLessThan(kernel, peak * 1.3, "microkernel \(kernel) vs peak \(peak) GFLOP/s")
        for kc in [16, 256] {  // the K blocks `ablate bench ceiling` samples besides the default
            let k = PeakProbe.microkernelInL1(kc: kc, best: 1)
            XCTAssertGreaterThan(k, 0, "kc \(kc)")
            XCTAssertLessThan(k, peak * 1.3, "kc \(kc): microkernel \(k) vs peak \(peak) GFLOP/s")
        }
    }

    func testBenchmark() throws {
        let env = ProcessInfo.processInfo.environment
        guard env["ENGINE_BENCH"] == "1" else { throw XCTSkip("set ENGINE_BENCH=1") }
        let sizes = (env["ENGINE_BENCH_SIZES"] ?? "128,256").split(separator: ",").compactMap { Int($0) }
        let threads = (env["ENGINE_BENCH_THREADS"] ?? "2").split(separator: ",").compactMap { Int($0) }
        let iters = Int(env["ENGINE_BENCH_ITERS"] ?? "10") ?? 10
        let batch = Int(env["ENGINE_BENCH_BATCH"] ?? "8") ?? 8
        if env["ENGINE_BENCH_PEAK"] != "0" {
            for t in threads { benchLine("ENGINE_PEAK {\"threads\":\(t),\"gflops\":\(PeakProbe.measure(threads: t))}") }
        }
        // The GEMM microkernel's in-L1 rate as a fraction of the register-only peak, before and
        // after each measurement: on the shared VM of docs/BENCHMARKS.md it flips between ~0.5
        // and ~0.95 (cause outside the program, not established), and the engine's times move with it.
        func ceiling() -> Double { PeakProbe.microkernelInL1() / PeakProbe.measure(threads: 1) }
        for t in threads {
            for size in sizes {
                let before = ceiling()
                let s = try TrainStepBenchmark.run(size: size, batch: batch, threads: t, iterations: iters,
                                                   winograd: env["ENGINE_BENCH_WINOGRAD"] != "0",
                                                   freezeThroughStage: env["ENGINE_BENCH_FREEZE"].flatMap { Int($0) },
                                                   foldBatchNorm: env["ENGINE_BENCH_FOLD"] != "0",
                                                   cacheWinogradWeights: env["ENGINE_BENCH_WCACHE"] != "0")
                benchLine("ENGINE_BENCH " + s.json)
                benchLine("ENGINE_CEILING {\"size\":\(size),\"threads\":\(t),\"before\":\(before),\"after\":\(ceiling())}")
            }
        }
    }
}

/// Conv-shaped GEMM throughput (ENGINE_BENCH=1): prints "ENGINE_CONV {json}" lines;
/// ENGINE_CONV_SET=strided measures the network's strided convolutions, =tiny its convolutions on
/// 4×4 and smaller maps at 128², instead of the 3×3/1 set.
final class ConvBenchmarkTests: XCTestCase {
    func testConvThroughput() throws {
        let env = ProcessInfo.processInfo.environment
        guard env["ENGINE_BENCH"] == "1" else { throw XCTSkip("set ENGINE_BENCH=1") }
        let threads = (env["ENGINE_BENCH_THREADS"] ?? "1,2").split(separator: ",").compactMap { Int($0) }
        for t in threads {
            benchLine("ENGINE_PEAK {\"threads\":\(t),\"gflops\":\(PeakProbe.measure(threads: t))}")
            let rows: [ConvBenchmark.Row]
            switch env["ENGINE_CONV_SET"] {
            case "strided": rows = ConvBenchmark.run(threads: t, geometries: ConvBenchmark.stridedShapes)
            case "tiny": rows = ConvBenchmark.run(threads: t, geometries: ConvBenchmark.tinyShapes)
            default: rows = ConvBenchmark.run(threads: t)
            }
            for r in rows { benchLine("ENGINE_CONV {\"threads\":\(t),\(r.json.dropFirst())") }
        }
    }
}

/// Inference-path levers A/B in one process (ENGINE_BENCH=1): the benchmark network's inference
/// batch with BN folding and the Winograd weight cache on / off, variants interleaved over
/// repetitions so machine load hits all of them alike; prints "ENGINE_INFER_AB {json}" lines
/// (best and median wall ms per variant). ENGINE_BENCH_SIZES / _THREADS as above.
final class InferenceLeverBenchmarkTests: XCTestCase {
    func testInferenceLevers() throws {
        let env = ProcessInfo.processInfo.environment
        guard env["ENGINE_BENCH"] == "1" else { throw XCTSkip("set ENGINE_BENCH=1") }
        let sizes = (env["ENGINE_BENCH_SIZES"] ?? "128,256").split(separator: ",").compactMap { Int($0) }
        let threads = (env["ENGINE_BENCH_THREADS"] ?? "2").split(separator: ",").compactMap { Int($0) }
        let variants: [(String, Bool, Bool)] = [("fold+cache", true, true), ("fold", true, false), ("cache", false, true),
                                                ("neither", false, false)]
        for t in threads {
            for size in sizes {
                let ctx = ComputeContext(threads: t)
                let net = try RetinaNet(config: .benchmark, seed: 1, ctx: ctx)
                var rng = SeededRandom(seed: 2)
                let images = (0..<(8 * 3 * size * size)).map { _ in Float(rng.normal()) }
                var times = [[Double]](repeating: [], count: variants.count)
                for rep in 0..<6 {
                    for (i, v) in variants.enumerated() {
                        ctx.foldBatchNormAtInference = v.1
                        ctx.cacheWinogradWeightsAtInference = v.2
                        _ = try net.forward(images: images, batch: 8, height: size, width: size, training: false)
                        let t0 = Clock.wall()
                        _ = try net.forward(images: images, batch: 8, height: size, width: size, training: false)
                        if rep > 0 { times[i].append(Double(Clock.wall() - t0) / 1e6) }
                    }
                }
                let cells = zip(variants, times).map { v, ts -> String in
                    let s = ts.sorted()
                    return "\"\(v.0)\":{\"best_ms\":\(s[0]),\"median_ms\":\(s[s.count / 2])}"
                }
                benchLine("ENGINE_INFER_AB {\"size\":\(size),\"threads\":\(t)," + cells.joined(separator: ",") + "}")
            }
        }
    }
}
