import XCTest
@testable import Engine

/// `Rows` (BatchNorm's SIMD16 row passes) against the scalar formulas, bit for bit, with a tail
/// (n = 53), masks with zeros, negatives and −0, and values whose affine lands on ±0.
final class BatchNormRowsTests: XCTestCase {
    func testRowsMatchScalarFormulas() {
        var rng = SeededRandom(seed: 3)
        let n = 53
        var x = (0..<n).map { _ in Float(rng.normal()) }
        let dy = (0..<n).map { _ in Float(rng.normal()) }
        var mask = (0..<n).map { _ in Float(rng.normal()) }
        x[3] = 0.5; mask[4] = 0; mask[5] = -0.0; x[50] = 0.5  // x·(−2) + 1 = +0 exactly
        let a: Float = -2, b: Float = 1, k1: Float = 0.7, k2: Float = 0.01, k3: Float = 0.3, mean: Float = 0.1
        var out = [Float](repeating: 9, count: n)
        for relu in [false, true] {
            Rows.affine(x, into: &out, n, a, b, relu: relu)
            for i in 0..<n {
                let v = x[i] * a + b
                XCTAssertEqual((relu ? max(v, 0) : v).bitPattern, out[i].bitPattern, "affine relu \(relu) at \(i)")
            }
        }
        for useMask in [false, true] {
            mask.withUnsafeBufferPointer { mp in
                let m = useMask ? mp.baseAddress! : nil
                Rows.batchNormGrad(dy, mask: m, x: x, into: &out, n, k1: k1, k2: k2, k3: k3, mean: mean)
                for i in 0..<n {
                    let d = useMask ? (mask[i] > 0 ? dy[i] : 0) : dy[i]
                    XCTAssertEqual((k1 * d - k2 - k3 * (x[i] - mean)).bitPattern, out[i].bitPattern, "grad at \(i)")
                }
                Rows.scaledGrad(dy, mask: m, into: &out, n, a)
                for i in 0..<n {
                    let d = useMask ? (mask[i] > 0 ? dy[i] : 0) : dy[i]
                    XCTAssertEqual((d * a).bitPattern, out[i].bitPattern, "scaled at \(i)")
                }
            }
        }
    }
}
