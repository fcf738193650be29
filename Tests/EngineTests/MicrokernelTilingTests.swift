import XCTest
@testable import Engine

/// The two register tilings of the GEMM microkernels (`SGEMM.wideTile`: 16 accumulators in one
/// 8×32 tile, or register-sized 6×16 / 2×32 / 4×16 passes for hosts with few vector registers) compute every C element
/// as the same FMA chain, so they must agree bitwise: kernel by kernel on partial tiles, through
/// SGEMM, and through whole training steps of a RetinaNet (direct and Winograd convolutions).
final class MicrokernelTilingTests: XCTestCase {
    /// Runs `body` with each tiling and returns both results; restores the host's tiling.
    func bothTilings<T>(_ body: () throws -> T) rethrows -> (wide: T, narrow: T) {
        let saved = SGEMM.wideTile
        defer { SGEMM.wideTile = saved }
        SGEMM.wideTile = true
        let wide = try body()
        SGEMM.wideTile = false
        return (wide, try body())
    }

    func random(_ count: Int, _ rng: inout SeededRandom) -> [Float] { (0..<count).map { _ in Float(rng.uniform(-1, 1)) } }

    func testKernelsAgreeOnPartialTiles() {
        var rng = SeededRandom(seed: 41)
        let kc = 37, ld = 40
        let a = random(16 * kc * ld, &rng), b = random(kc * ld, &rng), c0 = random(8 * ld, &rng)
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
            let ap = pa.baseAddress!, bp = pb.baseAddress!
            for rows in 1...8 {
                // B rows 32 floats apart (a packed panel: the narrow tile's whole-tile path) or wider.
                for beta in [false, true] { for ldb in [ld, 32] {
                    let rowsA = bothTilings { () -> [Float] in
                        var c = c0
                        c.withUnsafeMutableBufferPointer { SGEMM.kernelRowsA(kc, ap, kc, bp, ldb, $0.baseAddress!, ld, rows: rows, beta: beta) }
                        return c
                    }
                    XCTAssertEqual(rowsA.wide, rowsA.narrow, "kernelRowsA rows \(rows) beta \(beta) ldb \(ldb)")
                    XCTAssertNotEqual(rowsA.wide, c0)
                    let strided = bothTilings { () -> [Float] in
                        var c = c0
                        c.withUnsafeMutableBufferPointer { SGEMM.kernelStridedA(kc, ap, 24, bp, ldb, $0.baseAddress!, ld, rows: rows, beta: beta) }
                        return c
                    }
                    XCTAssertEqual(strided.wide, strided.narrow, "kernelStridedA rows \(rows) beta \(beta) ldb \(ldb)")
                } }
                for beta in [false, true] {
                    for nr in [1, 16, 17, 32] {
                        let packed = bothTilings { () -> [Float] in
                            var c = c0
                            c.withUnsafeMutableBufferPointer {
                                SGEMM.kernel8x32(kc, ap, bp, $0.baseAddress!, ld, mr: rows, nr: nr, beta: beta, aStride: 16)
                            }
                            return c
                        }
                        XCTAssertEqual(packed.wide, packed.narrow, "kernel8x32 mr \(rows) nr \(nr) beta \(beta)")
                        // Untouched outside the mr × nr tile.
                        for r in 0..<8 { for j in 0..<ld where r >= rows || j >= nr {
                            XCTAssertEqual(packed.narrow[r * ld + j], c0[r * ld + j], "kernel8x32 wrote outside its tile")
                        } }
                    }
                }
            }
        } }
    }

    func testSGEMMAgrees() {
        var rng = SeededRandom(seed: 42)
        for (m, n, k) in [(13, 45, 300), (37, 600, 77), (64, 100, 600), (300, 130, 260)] {
            let a = random(m * k, &rng), b = random(k * n, &rng), c0 = random(m * n, &rng)
            let r = bothTilings { () -> [Float] in
                var c = c0
                a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer {
                    SGEMM.gemm(m: m, n: n, k: k, a: MatrixRef(pa.baseAddress!, rowStride: k, colStride: 1),
                               b: .matrix(MatrixRef(pb.baseAddress!, rowStride: n, colStride: 1)), c: $0.baseAddress!, ldc: n,
                               accumulate: true, ctx: ComputeContext(threads: 2))
                } } }
                return c
            }
            XCTAssertEqual(r.wide, r.narrow, "gemm \(m)×\(n)×\(k)")
        }
    }

    func testTrainingStepsAgree() throws {
        var winograd = RetinaNetTests.tinyConfig()
        winograd.backbone.width = 16; winograd.fpnChannels = 16; winograd.headChannels = 16
        for (label, config, minTiles) in [("direct", RetinaNetTests.tinyConfig(), nil), ("Winograd", winograd, 1)] {
            let r = try bothTilings { try RetinaNetTests.trainSteps(threads: 2, seed: 7, config: config, winogradMinTiles: minTiles) }
            XCTAssertEqual(r.wide.0, r.narrow.0, "\(label): logits after three SGD steps")
            XCTAssertEqual(r.wide.1, r.narrow.1, "\(label): parameters after three SGD steps")
        }
    }
}
