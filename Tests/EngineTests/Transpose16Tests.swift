import XCTest
@testable import Engine

/// `Transpose16.transpose` (16-row and 8×8-block forms) and `Transpose16.matrix` against their
/// definition, and the threaded form bitwise equal to it.
final class Transpose16Tests: XCTestCase {
    /// Runs `body` with the 16-register (`SGEMM.wideTile`) and the 8×8-block transpose.
    func withBothForms(_ body: (String) -> Void) {
        let saved = SGEMM.wideTile
        defer { SGEMM.wideTile = saved }
        for wide in [true, false] {
            SGEMM.wideTile = wide
            body(wide ? "16-row form" : "8×8 blocks")
        }
    }

    func testInRegisterTransposeMatchesDefinition() {
        var rng = SeededRandom(seed: 12)
        let rows = (0..<16).map { _ in SIMD16<Float>((0..<16).map { _ in Float(rng.normal()) }) }
        withBothForms { form in
            var x = rows
            x.withUnsafeMutableBufferPointer { Transpose16.transpose($0.baseAddress!) }
            for i in 0..<16 { for j in 0..<16 {
                XCTAssertEqual(x[i][j].bitPattern, rows[j][i].bitPattern, "\(form): element (\(i), \(j))")
            } }
        }
    }

    func testThreadedMatrixTransposeMatchesDefinition() {
        withBothForms { form in matrixTransposeMatchesDefinition(form) }
    }

    func matrixTransposeMatchesDefinition(_ form: String) {
        var rng = SeededRandom(seed: 11)
        // (rows, cols): partial 16-row blocks, partial column blocks, and shapes big enough to
        // take the threaded path (rows·cols ≥ 65536): the Winograd weight copies 256×2304, 65536×9.
        for (rows, cols) in [(5, 7), (37, 21), (256, 2304), (300, 230), (65536, 9)] {
            let src = (0..<(rows * cols)).map { _ in Float(rng.normal()) }
            let ldd = (rows + 15) / 16 * 16 + 16
            var expected = [Float](repeating: .nan, count: cols * ldd)
            for j in 0..<cols {
                for i in 0..<ldd where i < (rows + 15) / 16 * 16 { expected[j * ldd + i] = i < rows ? src[i * cols + j] : 0 }
            }
            for threads in [1, 2, 3] {
                var dst = [Float](repeating: .nan, count: cols * ldd)
                let ctx = ComputeContext(threads: threads)
                src.withUnsafeBufferPointer { s in
                    dst.withUnsafeMutableBufferPointer { d in
                        Transpose16.matrix(s.baseAddress!, rows: rows, cols: cols, lds: cols, srcCount: rows * cols,
                                           into: d.baseAddress!, ldd: ldd, ctx: ctx)
                    }
                }
                let same = zip(dst, expected).allSatisfy { $0.bitPattern == $1.bitPattern }
                XCTAssertTrue(same, "\(form): \(rows)×\(cols), \(threads) threads")
            }
        }
    }
}
