import XCTest
@testable import Engine

/// `Transpose16.matrix` against its definition, and its threaded form bitwise equal to it.
final class Transpose16Tests: XCTestCase {
    func testThreadedMatrixTransposeMatchesDefinition() {
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
                XCTAssertTrue(same, "\(rows)×\(cols), \(threads) threads")
            }
        }
    }
}
