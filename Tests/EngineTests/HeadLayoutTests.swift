import XCTest
@testable import Engine

/// `HeadOutputs.toNHWC` / `fromNHWC` (16×16 transposes with partial channel and position
/// blocks) against the index formula, and their round trip.
final class HeadLayoutTests: XCTestCase {
    func testNHWCConversionsMatchIndexFormula() {
        for (n, c, h, w) in [(3, 90, 5, 7), (2, 36, 1, 1), (1, 16, 4, 4), (2, 17, 3, 6)] {
            var rng = SeededRandom(seed: UInt64(c * 100 + h))
            let x = Tensor(n: n, c: c, h: h, w: w, values: (0..<(n * c * h * w)).map { _ in Float(rng.normal()) })
            for threads in [1, 2] {
                let ctx = ComputeContext(threads: threads)
                let nhwc = Tensor()
                HeadOutputs.toNHWC(x, nhwc, ctx: ctx)
                XCTAssertEqual(nhwc.count, x.count)
                for i in 0..<n { for ch in 0..<c { for p in 0..<(h * w) {
                    XCTAssertEqual(nhwc.data[(i * h * w + p) * c + ch], x.data[(ch * n + i) * h * w + p], "n\(n) c\(c) \(h)×\(w)")
                } } }
                let back = Tensor()
                HeadOutputs.fromNHWC(nhwc, n: n, c: c, h: h, w: w, into: back, ctx: ctx)
                XCTAssertEqual(back.toArray(), x.toArray(), "round trip n\(n) c\(c) \(h)×\(w)")
            }
        }
    }
}
