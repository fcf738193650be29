import XCTest
@testable import Engine

/// `MaxPool2d` (3×3/2 pad 1: vector rows of 16 outputs plus a scalar tail) against direct loops:
/// values, and the gradient routed to the first maximum in scan order (ties, −∞, odd sizes).
final class MaxPoolTests: XCTestCase {
    func testMatchesDirectLoopsWithTies() throws {
        var rng = SeededRandom(seed: 77)
        for (n, c, h, w) in [(2, 3, 36, 37), (1, 2, 64, 64), (1, 1, 5, 33), (2, 2, 33, 70)] {
            for threads in [1, 2] {
                let ctx = ComputeContext(threads: threads)
                let pool = MaxPool2d(kernelSize: 3, stride: 2, padding: 1, ctx: ctx)
                // Few distinct values (many ties) and some −∞.
                let vals = (0..<(n * c * h * w)).map { _ -> Float in
                    let u = rng.uniform()
                    return u < 0.05 ? -.infinity : Float(rng.int(below: 4)) - 2
                }
                let x = Tensor(n: n, c: c, h: h, w: w, values: vals)
                let y = try pool.forward(x, training: true)
                let oh = (h - 1) / 2 + 1, ow = (w - 1) / 2 + 1
                XCTAssertEqual(y.count, n * c * oh * ow)
                var ref = [Float](repeating: 0, count: n * c * oh * ow)
                var refArg = [Int](repeating: 0, count: ref.count)
                for pl in 0..<(n * c) {
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            let y0 = max(2 * oy - 1, 0), x0 = max(2 * ox - 1, 0)
                            var best = -Float.infinity, bi = y0 * w + x0  // first position when all are −∞
                            for yy in y0..<min(2 * oy + 2, h) {
                                for xx in x0..<min(2 * ox + 2, w) {
                                    let v = vals[pl * h * w + yy * w + xx]
                                    if v > best { best = v; bi = yy * w + xx }
                                }
                            }
                            ref[(pl * oh + oy) * ow + ox] = best
                            refArg[(pl * oh + oy) * ow + ox] = bi
                        }
                    }
                }
                let out = y.toArray()
                XCTAssertTrue(out.elementsEqual(ref), "values \(n)×\(c)×\(h)×\(w) threads \(threads)")
                // The gradient of output o goes to its argmax: probe with dy = 1 + o.
                let dy = Tensor(n: n, c: c, h: oh, w: ow, values: (0..<ref.count).map { Float($0 % 97 + 1) })
                let dx = pool.backward(dy).toArray()
                var refDx = [Float](repeating: 0, count: vals.count)
                for o in 0..<ref.count { refDx[o / (oh * ow) * h * w + refArg[o]] += Float(o % 97 + 1) }
                XCTAssertTrue(dx.elementsEqual(refDx), "gradient \(n)×\(c)×\(h)×\(w) threads \(threads)")
            }
        }
    }
}
