import XCTest
@testable import Engine

/// Fast packed SGEMM against the naive triple loop, on ragged shapes and every operand layout.
final class SGEMMTests: XCTestCase {
    func randomArray(_ count: Int, _ rng: inout SeededRandom) -> [Float] {
        (0..<count).map { _ in Float(rng.uniform(-1, 1)) }
    }

    /// Tolerance: |fast − naive| ≤ 1e-5·k·max|a|·max|b| (Float accumulation vs Double).
    func testFastMatchesNaive() {
        var rng = SeededRandom(seed: 1)
        let shapes = [(1, 1, 1), (8, 32, 16), (13, 45, 300), (37, 600, 77), (64, 100, 600), (3, 1030, 9), (300, 130, 260)]
        // (64, 100, 600) and (300, 130, 260): narrow C → row-split path (`SGEMM.gemmRowSplit`)
        for threads in [1, 2] {
            let ctx = ComputeContext(threads: threads)
            for (m, n, k) in shapes {
                for (ta, tb) in [(false, false), (true, false), (false, true)] {
                    let a = randomArray(m * k, &rng), b = randomArray(k * n, &rng)
                    var c0 = randomArray(m * n, &rng)
                    var c1 = c0
                    a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
                        let ar = ta ? MatrixRef(pa.baseAddress!, rowStride: 1, colStride: m)
                                    : MatrixRef(pa.baseAddress!, rowStride: k, colStride: 1)
                        let br = tb ? MatrixRef(pb.baseAddress!, rowStride: 1, colStride: k)
                                    : MatrixRef(pb.baseAddress!, rowStride: n, colStride: 1)
                        for acc in [false, true] {
                            c0.withUnsafeMutableBufferPointer {
                                SGEMM.gemm(m: m, n: n, k: k, a: ar, b: .matrix(br), c: $0.baseAddress!, ldc: n,
                                           accumulate: acc, ctx: ctx)
                            }
                            c1.withUnsafeMutableBufferPointer {
                                SGEMM.naive(m: m, n: n, k: k, a: ar, b: br, c: $0.baseAddress!, ldc: n, accumulate: acc)
                            }
                        }
                    } }
                    let tol = Float(1e-5 * Double(k)) + 1e-5
                    for i in 0..<(m * n) where abs(c0[i] - c1[i]) > tol {
                        XCTFail("gemm \(m)x\(n)x\(k) ta=\(ta) tb=\(tb) t=\(threads): \(c0[i]) vs \(c1[i]) at \(i)")
                        break
                    }
                }
            }
        }
    }

    /// The block `gemm` prefetches during each B block is the one it packs next: walking a thread's
    /// columns in the column loop's order (column blocks of `nc`, K blocks of `kc` within each),
    /// every block's `nextBlock` is the following block, and the last one's is empty.
    func testNextBlockIsTheBlockPackedNext() {
        for (k, jStart, colEnd) in [(576, 0, 2048), (300, 96, 700), (128, 0, 32), (1, 0, 1), (1152, 64, 64 + SGEMM.nc)] {
            var blocks: [(rows: Range<Int>, jc: Int, nc: Int)] = []
            var jc = jStart
            while jc < colEnd {
                let ncur = min(SGEMM.nc, colEnd - jc)
                var pc = 0
                while pc < k { blocks.append((pc..<min(k, pc + SGEMM.kc), jc, ncur)); pc += SGEMM.kc }
                jc += ncur
            }
            for (i, b) in blocks.enumerated() {
                let next = SGEMM.nextBlock(pc: b.rows.lowerBound, kc: b.rows.count, jc: b.jc, nc: b.nc, k: k, colEnd: colEnd)
                if i + 1 < blocks.count {
                    let want = blocks[i + 1]
                    XCTAssertTrue(next.rows == want.rows && next.jc == want.jc && next.nc == want.nc,
                                  "k \(k), block \(i): next \(next), packed next \(want)")
                } else {
                    XCTAssertTrue(next.rows.isEmpty, "k \(k): the last block has no successor, got \(next)")
                }
            }
        }
    }

    /// Throughput on conv-shaped GEMMs (only with ENGINE_BENCH=1; prints GFLOP/s and % of peak).
    func testThroughput() throws {
        guard ProcessInfo.processInfo.environment["ENGINE_BENCH"] == "1" else { throw XCTSkip("set ENGINE_BENCH=1") }
        var rng = SeededRandom(seed: 2)
        for threads in [1, 2] {
            let ctx = ComputeContext(threads: threads)
            for (m, n, k) in [(64, 8192, 576), (128, 2048, 1152), (256, 512, 2304), (1024, 1024, 1024)] {
                let a = randomArray(m * k, &rng), b = randomArray(k * n, &rng)
                var c = [Float](repeating: 0, count: m * n)
                var best = Double.infinity
                a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                    for _ in 0..<8 {
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        SGEMM.gemm(m: m, n: n, k: k, a: MatrixRef(pa.baseAddress!, rowStride: k, colStride: 1),
                                   b: .matrix(MatrixRef(pb.baseAddress!, rowStride: n, colStride: 1)),
                                   c: pc.baseAddress!, ldc: n, accumulate: false, ctx: ctx)
                        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0))
                    }
                } } }
                let gf = 2.0 * Double(m * n * k) / best
                print(String(format: "SGEMM %4dx%5dx%4d threads %d: %6.1f GFLOP/s (%4.1f%% of %d)", m, n, k, threads, gf,
                             100 * gf / (245.0 * Double(threads)), 245 * threads))
            }
        }
    }
}
