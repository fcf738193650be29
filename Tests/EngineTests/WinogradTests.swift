import XCTest
import Foundation
@testable import Engine

/// Winograd F(4×4, 3×3) convolutions against the direct kernels: forward (with bias and ReLU),
/// input gradient and weight gradient, one map and several maps (head levels) at once, odd sizes,
/// output channels that are not multiples of 16, 1 and 2 threads. Tolerance: relative L2 error
/// 2e-5 per tensor (measured 1e-6…3e-6 in float32).
final class WinogradTests: XCTestCase {
    func relativeError(_ a: [Float], _ b: [Float]) -> Double {
        var d = 0.0, n = 0.0
        for i in 0..<b.count { d += Double(a[i] - b[i]) * Double(a[i] - b[i]); n += Double(b[i]) * Double(b[i]) }
        return d.squareRoot() / max(n.squareRoot(), 1e-30)
    }

    func check(n: Int, c: Int, o: Int, sizes: [(h: Int, w: Int)], threads: Int, relu: Bool, seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        let ctx = ComputeContext(threads: threads)
        let plan = WinogradPlan(batch: n, sizes: sizes)
        func rnd(_ k: Int) -> [Float] { (0..<k).map { _ in Float(rng.normal()) } }
        let xs = sizes.map { rnd(n * c * $0.h * $0.w) }, dys = sizes.map { rnd(n * o * $0.h * $0.w) }
        let w = rnd(o * c * 9), bias = rnd(o)
        let geoms = sizes.map { ConvGeometry(n: n, c: c, h: $0.h, w: $0.w, kh: 3, kw: 3, stride: 1, pad: 1) }
        let label = "n\(n) c\(c) o\(o) \(sizes) threads \(threads)"
        let xT = xs.map { Tensor(n: 1, c: $0.count, h: 1, w: 1, values: $0) }, dyT = dys.map { Tensor(n: 1, c: $0.count, h: 1, w: 1, values: $0) }
        let u = ctx.winogradWeights.get(max(WinogradConv.weightsCount(cIn: c, cOut: o), WinogradConv.weightsCount(cIn: o, cOut: c)))
        let taps = ctx.winogradTaps.get(WinogradConv.weightScratchCount(cIn: c, cOut: o))

        // Forward with bias (+ ReLU).
        WinogradConv.forwardWeights(w, outChannels: o, inChannels: c, into: u, scratch: taps, ctx: ctx)
        let xp = plan.input.get(plan.paddedCount(channels: c))
        WinogradConv.pack(plan, sources: xT.map { UnsafePointer($0.data) }, channels: c, into: xp, ctx: ctx)
        let yp = ctx.winogradOut.get(plan.paddedCount(channels: o))
        WinogradConv.convolve(plan, input: xp, cIn: c, u: u, cOut: o, output: yp, ctx: ctx)
        let outs = geoms.map { Tensor(n: 1, c: o * $0.columns) }
        bias.withUnsafeBufferPointer {
            WinogradConv.unpack(plan, yp, channels: o, into: outs.map(\.data),
                                epilogues: [ConvEpilogue(scale: nil, shift: $0.baseAddress!, residual: nil, relu: relu)], ctx: ctx)
        }
        for (l, g) in geoms.enumerated() {
            var ref = [Float](repeating: 0, count: o * g.columns)
            ConvKernels.naiveForward(x: xs[l], g, w: w, outChannels: o, out: &ref)
            for oc in 0..<o { for i in 0..<g.columns { let v = ref[oc * g.columns + i] + bias[oc]; ref[oc * g.columns + i] = relu ? max(v, 0) : v } }
            XCTAssertLessThan(relativeError(outs[l].toArray(), ref), 2e-5, "forward level \(l) \(label)")
        }

        // Input gradient.
        let gp = plan.grad.get(plan.paddedCount(channels: o))
        WinogradConv.pack(plan, sources: dyT.map { UnsafePointer($0.data) }, channels: o, into: gp, ctx: ctx)
        WinogradConv.inputGradWeights(w, outChannels: o, inChannels: c, into: u, scratch: taps, ctx: ctx)
        let dxp = ctx.winogradOut.get(plan.paddedCount(channels: c))
        WinogradConv.convolve(plan, input: gp, cIn: o, u: u, cOut: c, output: dxp, ctx: ctx)
        let dxs = geoms.map { Tensor(n: 1, c: c * $0.n * $0.h * $0.w) }
        WinogradConv.unpack(plan, dxp, channels: c, into: dxs.map(\.data), epilogues: [.none], ctx: ctx)
        let reference = ComputeContext(threads: 1)
        reference.winogradEnabled = false
        for (l, g) in geoms.enumerated() {
            var ref = [Float](repeating: 0, count: c * g.n * g.h * g.w)
            ConvKernels.inputGrad(dy: dys[l], g, w: w, outChannels: o, dx: &ref, ctx: reference)
            XCTAssertLessThan(relativeError(dxs[l].toArray(), ref), 2e-5, "input gradient level \(l) \(label)")
        }

        // Weight gradient accumulates into dW.
        let start = rnd(o * c * 9)
        var dw = start, ref = start
        WinogradConv.weightGrad(plan, input: xp, cIn: c, grad: gp, cOut: o, dw: &dw, ctx: ctx)
        for (l, g) in geoms.enumerated() {
            ConvKernels.weightGrad(x: xs[l], g, dy: dys[l], outChannels: o, dw: &ref, ctx: reference)
        }
        XCTAssertLessThan(relativeError(dw, ref), 2e-5, "weight gradient \(label)")
        // The kernels read the tensors' storage through raw pointers taken above: keep them alive.
        withExtendedLifetime((xT, dyT, outs, dxs)) {}
    }

    func testMatchesDirectKernels() {
        check(n: 2, c: 16, o: 16, sizes: [(8, 8)], threads: 1, relu: false, seed: 1)
        check(n: 2, c: 32, o: 20, sizes: [(7, 9)], threads: 2, relu: true, seed: 2)
        check(n: 3, c: 32, o: 90, sizes: [(13, 11), (7, 6), (4, 3), (2, 2), (1, 1)], threads: 2, relu: false, seed: 3)
        check(n: 2, c: 48, o: 36, sizes: [(16, 16), (8, 8), (4, 4), (2, 2), (1, 1)], threads: 1, relu: true, seed: 4)
        // Many tiles: chunked pipeline and the two-group weight gradient.
        check(n: 4, c: 16, o: 24, sizes: [(37, 29)], threads: 2, relu: false, seed: 5)
        check(n: 1, c: 160, o: 144, sizes: [(5, 6)], threads: 2, relu: false, seed: 6)
    }

    /// A conv layer and a multi-level head conv through the Winograd path: finite differences.
    func testLayerGradients() throws {
        let ctx = ComputeContext(threads: 2)
        ctx.winogradMinTiles = 1
        var rng = SeededRandom(seed: 21)
        let conv = Conv2d(name: "w", inputChannels: 16, outputChannels: 5, kernelSize: 3, padding: 1, bias: true, fusedReLU: false,
                          ctx: ctx)
        conv.weight.fillNormal(std: 0.2, rng: &rng); conv.bias?.fillNormal(std: 0.2, rng: &rng)
        let x = Tensor(n: 2, c: 16, h: 6, w: 7)
        GradCheck.randomFill(x, &rng)
        let y = try conv.forward(x)
        XCTAssertTrue(conv.usedWinograd)
        let r = (0..<y.count).map { _ in Float(rng.normal()) }
        try GradCheck.check([GradCheck.input("x", x) { conv.gradInput }, GradCheck.param(conv.weight), GradCheck.param(conv.bias!)],
                            loss: { GradCheck.projection(try conv.forward(x), r) },
                            backward: {
                                conv.weight.zeroGrad(); conv.bias?.zeroGrad()
                                conv.backward(Tensor(n: y.n, c: y.c, h: y.h, w: y.w, values: r))
                            })

        let level = LevelConv2d(Conv2d(name: "lv", inputChannels: 16, outputChannels: 6, kernelSize: 3, padding: 1, bias: true,
                                       ctx: ctx), levels: 3)
        level.base.weight.fillNormal(std: 0.2, rng: &rng); level.base.bias?.fillNormal(std: 0.2, rng: &rng)
        let xs = [(5, 6), (3, 3), (1, 2)].map { s -> Tensor in let t = Tensor(n: 2, c: 16, h: s.0, w: s.1); GradCheck.randomFill(t, &rng); return t }
        let ys = try level.forward(xs)
        XCTAssertTrue(level.usedWinograd)
        let rs = ys.map { y in (0..<y.count).map { _ in Float(rng.normal()) } }
        try GradCheck.check([GradCheck.input("x0", xs[0]) { level.levels[0].gradInput },
                             GradCheck.input("x2", xs[2]) { level.levels[2].gradInput },
                             GradCheck.param(level.base.weight), GradCheck.param(level.base.bias!)],
                            loss: { zip(try level.forward(xs), rs).reduce(0) { $0 + GradCheck.projection($1.0, $1.1) } },
                            backward: {
                                level.base.weight.zeroGrad(); level.base.bias?.zeroGrad()
                                _ = level.backward(zip(ys, rs).map { Tensor(n: $0.n, c: $0.c, h: $0.h, w: $0.w, values: $1) })
                            })
    }
}

/// Convolve timing of the few-tile shapes with and without `WinogradConv.weightStationary`,
/// interleaved in one process (ENGINE_BENCH=1): prints "WINOGRAD_WS {json}" lines.
final class WinogradChunkBenchmarkTests: XCTestCase {
    func testWeightStationaryTiming() throws {
        guard ProcessInfo.processInfo.environment["ENGINE_BENCH"] == "1" else { throw XCTSkip("set ENGINE_BENCH=1") }
        let threads = Int(ProcessInfo.processInfo.environment["ENGINE_BENCH_THREADS"] ?? "1") ?? 1
        for (c, side) in [(128, 8), (256, 8), (64, 16)] {
            let ctx = ComputeContext(threads: threads)
            let plan = WinogradPlan(batch: 8, sizes: [(h: side, w: side)])
            var rng = SeededRandom(seed: 1)
            let w = (0..<(c * c * 9)).map { _ in Float(rng.normal() * 0.05) }
            let x = (0..<(c * 8 * side * side)).map { _ in Float(rng.normal()) }
            let u = ctx.winogradWeights.get(WinogradConv.weightsCount(cIn: c, cOut: c))
            let taps = ctx.winogradTaps.get(WinogradConv.weightScratchCount(cIn: c, cOut: c))
            w.withUnsafeBufferPointer { WinogradConv.forwardWeights($0.baseAddress!, outChannels: c, inChannels: c, into: u, scratch: taps, ctx: ctx) }
            let xp = plan.input.get(plan.paddedCount(channels: c))
            x.withUnsafeBufferPointer { WinogradConv.pack(plan, sources: [$0.baseAddress!], channels: c, into: xp, ctx: ctx) }
            let yp = ctx.winogradOut.get(plan.paddedCount(channels: c))
            var best = [Double.infinity, .infinity]
            for _ in 0..<7 {
                for (i, ws) in [false, true].enumerated() {
                    WinogradConv.weightStationary = ws
                    let t0 = Clock.wall()
                    for _ in 0..<5 { WinogradConv.convolve(plan, input: xp, cIn: c, u: u, cOut: c, output: yp, ctx: ctx) }
                    best[i] = min(best[i], Double(Clock.wall() - t0) / 5e6)
                }
            }
            WinogradConv.weightStationary = true
            print("WINOGRAD_WS {\"c\":\(c),\"tiles\":\(plan.tiles),\"threads\":\(threads),\"chunked_ms\":\(best[0]),\"stationary_ms\":\(best[1])}")
        }
    }
}

/// Forward-pipeline chunk size sweep (`WinogradConv.forwardChunkBytes`) on the network's Winograd
/// shapes, interleaved in one process (ENGINE_BENCH=1; sizes from ENGINE_BENCH_CHUNK_BYTES, a comma
/// list): prints "WINOGRAD_CHUNK {json}" lines.
final class WinogradChunkSizeBenchmarkTests: XCTestCase {
    func testChunkSizeSweep() throws {
        guard ProcessInfo.processInfo.environment["ENGINE_BENCH"] == "1" else { throw XCTSkip("set ENGINE_BENCH=1") }
        let threads = Int(ProcessInfo.processInfo.environment["ENGINE_BENCH_THREADS"] ?? "1") ?? 1
        let heads = [(h: 16, w: 16), (h: 8, w: 8), (h: 4, w: 4), (h: 2, w: 2), (h: 1, w: 1)]
        let bytes = (ProcessInfo.processInfo.environment["ENGINE_BENCH_CHUNK_BYTES"] ?? "196608,393216,786432")
            .split(separator: ",").compactMap { Int($0) }
        for (label, c, sizes) in [("heads 128²", 64, heads), ("stage 1 at 128²", 32, [(h: 32, w: 32)]),
                                  ("stage 2 at 128²", 64, [(h: 16, w: 16)]), ("stage 3 at 256²", 128, [(h: 16, w: 16)]),
                                  ("heads 256²", 64, heads.map { (h: $0.h * 2, w: $0.w * 2) })] {
            let ctx = ComputeContext(threads: threads)
            let plan = WinogradPlan(batch: 8, sizes: sizes)
            var rng = SeededRandom(seed: 1)
            let w = (0..<(c * c * 9)).map { _ in Float(rng.normal() * 0.05) }
            let xs = sizes.map { s in (0..<(c * 8 * s.h * s.w)).map { _ in Float(rng.normal()) } }
            let u = ctx.winogradWeights.get(WinogradConv.weightsCount(cIn: c, cOut: c))
            let taps = ctx.winogradTaps.get(WinogradConv.weightScratchCount(cIn: c, cOut: c))
            w.withUnsafeBufferPointer { WinogradConv.forwardWeights($0.baseAddress!, outChannels: c, inChannels: c, into: u, scratch: taps, ctx: ctx) }
            let xp = plan.input.get(plan.paddedCount(channels: c))
            let ptrs = xs.map { a -> UnsafeMutablePointer<Float> in
                let p = UnsafeMutablePointer<Float>.allocate(capacity: a.count); p.initialize(from: a, count: a.count); return p
            }
            defer { ptrs.forEach { $0.deallocate() } }
            WinogradConv.pack(plan, sources: ptrs.map { UnsafePointer($0) }, channels: c, into: xp, ctx: ctx)
            let yp = ctx.winogradOut.get(plan.paddedCount(channels: c))
            var best = [Double](repeating: .infinity, count: bytes.count)
            for _ in 0..<7 {
                for (i, b) in bytes.enumerated() {
                    WinogradConv.forwardChunkBytes = b
                    let t0 = Clock.wall()
                    for _ in 0..<5 { WinogradConv.convolve(plan, input: xp, cIn: c, u: u, cOut: c, output: yp, ctx: ctx) }
                    best[i] = min(best[i], Double(Clock.wall() - t0) / 5e6)
                }
            }
            WinogradConv.forwardChunkBytes = 196_608
            let cells = zip(bytes, best).map { "\"\($0)\":\($1)" }.joined(separator: ",")
            print("WINOGRAD_CHUNK {\"shape\":\"\(label)\",\"c\":\(c),\"tiles\":\(plan.tiles),\"threads\":\(threads),\(cells)}")
        }
    }
}

/// Weight-gradient chunk sweep (`WinogradConv.weightGradChunkTiles`, the K of each transform-domain
/// GEMM call and how often the dU accumulators are read and written) on the network's Winograd
/// shapes, interleaved in one process (ENGINE_BENCH=1; tile counts from ENGINE_BENCH_WGRAD_TILES,
/// a comma list): prints "WINOGRAD_WGRAD_CHUNK {json}" lines.
final class WinogradWeightGradChunkBenchmarkTests: XCTestCase {
    func testWeightGradChunkSweep() throws {
        guard ProcessInfo.processInfo.environment["ENGINE_BENCH"] == "1" else { throw XCTSkip("set ENGINE_BENCH=1") }
        let threads = Int(ProcessInfo.processInfo.environment["ENGINE_BENCH_THREADS"] ?? "1") ?? 1
        let chunks = (ProcessInfo.processInfo.environment["ENGINE_BENCH_WGRAD_TILES"] ?? "32,64,128,256")
            .split(separator: ",").compactMap { Int($0) }
        let heads = [(h: 32, w: 32), (h: 16, w: 16), (h: 8, w: 8), (h: 4, w: 4), (h: 2, w: 2)]
        for (label, c, sizes) in [("heads 256²", 64, heads), ("stage 1 at 256²", 32, [(h: 64, w: 64)]),
                                  ("stage 2 at 256²", 64, [(h: 32, w: 32)]), ("stage 3 at 256²", 128, [(h: 16, w: 16)])] {
            let ctx = ComputeContext(threads: threads)
            let plan = WinogradPlan(batch: 8, sizes: sizes)
            var rng = SeededRandom(seed: 1)
            let xp = plan.input.get(plan.paddedCount(channels: c)), gp = plan.grad.get(plan.paddedCount(channels: c))
            for i in 0..<plan.positions {
                for cb in 0..<(c / 16) {
                    for l in 0..<16 {
                        let o = (cb * plan.padVectors + Int(plan.posOffset[i])) * 16 + l
                        xp[o] = Float(rng.normal()); gp[o] = Float(rng.normal())
                    }
                }
            }
            let dw = UnsafeMutablePointer<Float>.allocate(capacity: c * c * 9)
            defer { dw.deallocate() }
            var best = [Double](repeating: .infinity, count: chunks.count)
            let saved = WinogradConv.weightGradChunkTiles
            for _ in 0..<5 {
                for (i, tc) in chunks.enumerated() {
                    WinogradConv.weightGradChunkTiles = tc
                    dw.update(repeating: 0, count: c * c * 9)
                    let t0 = Clock.wall()
                    for _ in 0..<3 { WinogradConv.weightGrad(plan, input: xp, cIn: c, grad: gp, cOut: c, dw: dw, ctx: ctx) }
                    best[i] = min(best[i], Double(Clock.wall() - t0) / 3e6)
                }
            }
            WinogradConv.weightGradChunkTiles = saved
            let cells = zip(chunks, best).map { "\"\($0)\":\($1)" }.joined(separator: ",")
            print("WINOGRAD_WGRAD_CHUNK {\"shape\":\"\(label)\",\"c\":\(c),\"tiles\":\(plan.tiles),\"threads\":\(threads),\(cells)}")
        }
    }
}
