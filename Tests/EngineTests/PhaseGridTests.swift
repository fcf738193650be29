import XCTest
@testable import Engine

/// Stride-2 convolutions on the phase-decomposed grid (forward, weight gradient, input gradient)
/// against direct Double loops, entry by entry, and 1 vs 2 threads bitwise.
final class PhaseGridTests: XCTestCase {
    /// dW[o][c][ky][kx] = Σ dy[o][q]·x_patch and dx[c][i][iy][ix] = Σ dy·w, by direct loops in Double.
    static func naiveGradients(x: [Float], _ g: ConvGeometry, w: [Float], dy: [Float], o: Int) -> (dw: [Double], dx: [Double]) {
        var dw = [Double](repeating: 0, count: o * g.patch), dx = [Double](repeating: 0, count: x.count)
        for oc in 0..<o { for i in 0..<g.n { for oy in 0..<g.oh { for ox in 0..<g.ow {
            let d = Double(dy[((oc * g.n + i) * g.oh + oy) * g.ow + ox])
            for c in 0..<g.c { for ky in 0..<g.kh {
                let iy = oy * g.stride - g.pad + ky
                if iy < 0 || iy >= g.h { continue }
                for kx in 0..<g.kw {
                    let ix = ox * g.stride - g.pad + kx
                    if ix < 0 || ix >= g.w { continue }
                    let xi = ((c * g.n + i) * g.h + iy) * g.w + ix, wi = ((oc * g.c + c) * g.kh + ky) * g.kw + kx
                    dw[wi] += d * Double(x[xi])
                    dx[xi] += d * Double(w[wi])
                }
            } }
        } } } }
        return (dw, dx)
    }

    func testStride2MatchesNaive() {
        var rng = SeededRandom(seed: 77)
        // (n, c, h, w, o, k, pad): stem-like 7×7/2 on 3 channels (even and odd sizes), 3×3/2 stage
        // transitions (GEMM and small-O weight-gradient paths), P6/P7-like tiny maps, 1×1/2 downsample.
        let cases = [(2, 3, 22, 19, 32, 7, 3), (1, 3, 13, 16, 8, 7, 3), (2, 16, 23, 21, 32, 3, 1), (2, 5, 9, 8, 4, 3, 1),
                     (2, 16, 2, 2, 16, 3, 1), (1, 4, 1, 1, 3, 3, 1), (2, 16, 9, 11, 32, 1, 0), (1, 3, 6, 5, 2, 1, 0)]
        for (n, c, h, w, o, k, p) in cases {
            let g = ConvGeometry(n: n, c: c, h: h, w: w, kh: k, kw: k, stride: 2, pad: p)
            // 1×1 output maps (P7-like) take the implicit-im2col path: the grid would be mostly padding.
            XCTAssertEqual(ConvKernels.usesPaddedGrid(g), g.oh * g.ow >= 4, "\(g)")
            let x = (0..<(n * c * h * w)).map { _ in Float(rng.normal()) }
            let wt = (0..<(o * c * k * k)).map { _ in Float(rng.normal()) }
            let outCount = o * g.columns
            let dy = (0..<outCount).map { _ in Float(rng.normal()) }
            var slow = [Float](repeating: 0, count: outCount)
            ConvKernels.naiveForward(x: x, g, w: wt, outChannels: o, out: &slow)
            let (dwRef, dxRef) = Self.naiveGradients(x: x, g, w: wt, dy: dy, o: o)
            var results: [[Float]] = []
            for threads in [1, 2] {
                let ctx = ComputeContext(threads: threads)
                var out = [Float](repeating: .nan, count: outCount)
                var dw = [Float](repeating: 0, count: wt.count), dx = [Float](repeating: .nan, count: x.count)
                ConvKernels.forward(x: x, g, w: wt, outChannels: o, out: &out, accumulate: false, ctx: ctx)
                ConvKernels.weightGrad(x: x, g, dy: dy, outChannels: o, dw: &dw, ctx: ctx)
                ConvKernels.inputGrad(dy: dy, g, w: wt, outChannels: o, dx: &dx, ctx: ctx)
                let tol = 1e-4 * Float(c * k * k)
                for i in 0..<outCount { XCTAssertEqual(out[i], slow[i], accuracy: tol, "fwd \(g) \(i)") }
                for i in 0..<dw.count {
                    XCTAssertEqual(Double(dw[i]), dwRef[i], accuracy: 1e-4 * Double(g.columns), "dw \(g) \(i)")
                }
                for i in 0..<dx.count { XCTAssertEqual(Double(dx[i]), dxRef[i], accuracy: 1e-4 * Double(o * k * k), "dx \(g) \(i)") }
                results.append(out + dw + dx)
            }
            XCTAssertEqual(results[0], results[1], "1 vs 2 threads not bitwise equal: \(g)")
        }
    }

    /// The stem's weight gradient on a 4·128² input (147 patch rows, 4·67² grid positions)
    /// against Double loops, bitwise equal for 1, 2 and 3 threads (3 splits the 10 row groups
    /// unevenly).
    func testStemWeightGradMatchesNaiveForAnyThreadCount() {
        var rng = SeededRandom(seed: 91)
        let g = ConvGeometry(n: 4, c: 3, h: 128, w: 128, kh: 7, kw: 7, stride: 2, pad: 3)
        let o = 16
        let x = (0..<(g.n * g.c * g.h * g.w)).map { _ in Float(rng.normal()) }
        let wt = [Float](repeating: 0, count: o * g.patch)
        let dy = (0..<(o * g.columns)).map { _ in Float(rng.normal()) }
        var dwRef = [Double](repeating: 0, count: wt.count)
        for oc in 0..<o { for i in 0..<g.n { for oy in 0..<g.oh { for ox in 0..<g.ow {
            let d = Double(dy[((oc * g.n + i) * g.oh + oy) * g.ow + ox])
            for c in 0..<g.c { for ky in 0..<g.kh {
                let iy = oy * 2 - g.pad + ky
                if iy < 0 || iy >= g.h { continue }
                for kx in 0..<g.kw {
                    let ix = ox * 2 - g.pad + kx
                    if ix >= 0 && ix < g.w { dwRef[((oc * g.c + c) * g.kh + ky) * g.kw + kx] += d * Double(x[((c * g.n + i) * g.h + iy) * g.w + ix]) }
                }
            } }
        } } } }
        var results: [[Float]] = []
        for threads in [1, 2, 3] {
            var dw = [Float](repeating: 0, count: wt.count)
            ConvKernels.weightGrad(x: x, g, dy: dy, outChannels: o, dw: &dw, ctx: ComputeContext(threads: threads))
            for i in 0..<dw.count { XCTAssertEqual(Double(dw[i]), dwRef[i], accuracy: 1e-5 * Double(g.columns), "dw \(i), \(threads) threads") }
            results.append(dw)
        }
        XCTAssertEqual(results[0], results[1], "1 vs 2 threads not bitwise equal")
        XCTAssertEqual(results[0], results[2], "1 vs 3 threads not bitwise equal")
    }

    func testPhaseSplitRoundTrip() {
        // unpad(pad(x)) = x for pixels the grid covers; the rest (never read) comes back as 0.
        var rng = SeededRandom(seed: 5)
        let ctx = ComputeContext(threads: 2)
        for (h, w, k, p) in [(11, 10, 3, 1), (16, 16, 7, 3), (7, 9, 1, 0)] {
            let g = ConvGeometry(n: 2, c: 3, h: h, w: w, kh: k, kw: k, stride: 2, pad: p)
            let grid = ConvKernels.PaddedGrid(g)
            let x = (0..<(g.n * g.c * h * w)).map { _ in Float(rng.normal()) }
            let buf = UnsafeMutablePointer<Float>.allocate(capacity: grid.bufferCount)
            defer { buf.deallocate() }
            x.withUnsafeBufferPointer { ConvKernels.pad($0.baseAddress!, g, grid, into: buf, ctx: ctx) }
            var back = [Float](repeating: .nan, count: x.count)
            ConvKernels.unpadPhases(UnsafePointer(buf), g, grid, into: &back, ctx: ctx)
            for c in 0..<g.c { for i in 0..<g.n { for iy in 0..<h { for ix in 0..<w {
                let j = ((c * g.n + i) * h + iy) * w + ix
                let covered = (iy + p) / 2 < grid.hp && (ix + p) / 2 < grid.wp && (k > 1 || ((iy + p) % 2 == 0 && (ix + p) % 2 == 0))
                XCTAssertEqual(back[j], covered ? x[j] : 0, "\(g) (\(c),\(i),\(iy),\(ix))")
            } } } }
        }
    }
}
