import XCTest
@testable import Engine

/// Implicit-im2col convolution (forward, weight gradient, input gradient) against direct loops.
final class ConvKernelTests: XCTestCase {
    func testForwardAndGradientsMatchNaive() {
        var rng = SeededRandom(seed: 31)
        // (n, c, h, w, o, k, stride, pad) — includes 1×1 maps with stride 2 (P7), odd sizes, and
        // maps wider than one 32-column panel.
        let cases = [(2, 3, 9, 7, 5, 3, 1, 1), (1, 4, 1, 1, 3, 3, 2, 1), (2, 5, 2, 3, 4, 3, 2, 1), (1, 3, 13, 11, 4, 7, 2, 3),
                     (2, 6, 5, 40, 3, 1, 1, 0), (3, 4, 7, 9, 6, 1, 2, 0), (1, 2, 37, 35, 3, 3, 1, 1), (2, 3, 8, 8, 2, 3, 1, 0),
                     (2, 5, 17, 19, 37, 3, 1, 1), (2, 3, 20, 18, 32, 7, 2, 3), (1, 6, 33, 30, 17, 1, 1, 0),
                     (3, 18, 4, 4, 40, 3, 1, 1), (3, 9, 3, 3, 33, 3, 2, 1)]
        // (2, 5, 17, …) … (1, 6, 33, …): ≥ 16 output channels → weight gradient by GEMM (padded grid,
        // strided, 1×1); the last two: tiny maps (stage 4's 4×4, P6-like 3×3/2) through the explicit
        // im2col matrix
        for threads in [1, 2] {
            let ctx = ComputeContext(threads: threads)
            for (n, c, h, w, o, k, s, p) in cases {
                let g = ConvGeometry(n: n, c: c, h: h, w: w, kh: k, kw: k, stride: s, pad: p)
                let x = (0..<(n * c * h * w)).map { _ in Float(rng.normal()) }
                let wt = (0..<(o * c * k * k)).map { _ in Float(rng.normal()) }
                let outCount = o * g.columns
                var fast = [Float](repeating: .nan, count: outCount), slow = fast
                ConvKernels.forward(x: x, g, w: wt, outChannels: o, out: &fast, accumulate: false, ctx: ctx)
                ConvKernels.naiveForward(x: x, g, w: wt, outChannels: o, out: &slow)
                for i in 0..<outCount { XCTAssertEqual(fast[i], slow[i], accuracy: 1e-4 * Float(c * k * k), "fwd \(g) \(i)") }

                // Weight gradient = Σ dy·x_patch; input gradient = Σ dy·w, checked via the adjoint
                // identity ⟨conv(x), dy⟩ = ⟨x, dx⟩ = ⟨w, dw⟩.
                let dy = (0..<outCount).map { _ in Float(rng.normal()) }
                var dw = [Float](repeating: 0, count: wt.count), dx = [Float](repeating: .nan, count: x.count)
                ConvKernels.weightGrad(x: x, g, dy: dy, outChannels: o, dw: &dw, ctx: ctx)
                ConvKernels.inputGrad(dy: dy, g, w: wt, outChannels: o, dx: &dx, ctx: ctx)
                let ip = zip(slow, dy).map { Double($0) * Double($1) }.reduce(0, +)
                let viaX = zip(x, dx).map { Double($0) * Double($1) }.reduce(0, +)
                let viaW = zip(wt, dw).map { Double($0) * Double($1) }.reduce(0, +)
                XCTAssertEqual(viaX, ip, accuracy: 1e-4 * max(1, abs(ip)) * Double(c * k * k), "dx \(g)")
                XCTAssertEqual(viaW, ip, accuracy: 1e-4 * max(1, abs(ip)) * Double(c * k * k), "dw \(g)")
                var dw2 = [Float](repeating: 0, count: wt.count)
                ConvKernels.weightGradPacked(x: x, g, dy: dy, outChannels: o, dw: &dw2, ctx: ctx)
                for i in 0..<dw.count { XCTAssertEqual(dw[i], dw2[i], accuracy: 1e-4 * Float(g.columns), "dw NT vs packed \(g)") }
                // Entry-wise dx against a one-hot probe of the naive forward for a few inputs.
                for _ in 0..<3 {
                    let j = rng.int(below: x.count)
                    var e = [Float](repeating: 0, count: x.count); e[j] = 1
                    var col = [Float](repeating: 0, count: outCount)
                    ConvKernels.naiveForward(x: e, g, w: wt, outChannels: o, out: &col)
                    let ref = zip(col, dy).map { Double($0) * Double($1) }.reduce(0, +)
                    XCTAssertEqual(Double(dx[j]), ref, accuracy: 1e-4 * Double(o * k * k), "dx[\(j)] \(g)")
                }
            }
        }
    }
}
