import Foundation
import XCTest
@testable import Engine

final class FixedMathTests: XCTestCase {
    /// Within 4 ulp-ish (relative 1e-15) of Foundation over the ranges the dataset and anchors use.
    func testAgreesWithFoundation() {
        var r = SeededRandom(seed: 3)
        for _ in 0..<20_000 {
            let x = r.uniform(-20, 20)
            XCTAssertEqual(FixedMath.sin(x), Foundation.sin(x), accuracy: 1e-15 * max(1, abs(x)))
            XCTAssertEqual(FixedMath.cos(x), Foundation.cos(x), accuracy: 1e-15 * max(1, abs(x)))
            XCTAssertEqual(FixedMath.exp(x), Foundation.exp(x), accuracy: 4e-16 * Foundation.exp(x))
            let y = r.uniform(1e-3, 1e4)
            XCTAssertEqual(FixedMath.log(y), Foundation.log(y), accuracy: 4e-16 * max(1, abs(Foundation.log(y))))
            let e = r.uniform(-4, 4)
            XCTAssertEqual(FixedMath.exp2(e), Foundation.exp2(e), accuracy: 4e-16 * Foundation.exp2(e))
        }
        XCTAssertEqual(FixedMath.exp(0), 1)
        XCTAssertEqual(FixedMath.log(1), 0)
        XCTAssertEqual(FixedMath.exp2(1), 2)
        XCTAssertEqual(FixedMath.exp2(2.0 / 3.0), Foundation.pow(2, 2.0 / 3.0), accuracy: 1e-15)
        XCTAssertTrue(FixedMath.log(-1).isNaN)
        XCTAssertEqual(FixedMath.log(0), -.infinity)
        XCTAssertEqual(FixedMath.exp(1000), .infinity)
        XCTAssertEqual(FixedMath.exp(-1000), 0)
    }

    /// Pinned bit patterns: these must be identical on every platform (a change here changes
    /// every built-in image and anchor size).
    func testPinnedBits() {
        XCTAssertEqual(FixedMath.exp(1.2345).bitPattern, 0x400B_7E47_790D_A685)
        XCTAssertEqual(FixedMath.log(123.456).bitPattern, 0x4013_4377_4F3E_2362)
        XCTAssertEqual(FixedMath.sin(2.5).bitPattern, 0x3FE3_26AF_0DCF_CAB0)
        XCTAssertEqual(FixedMath.cos(-7.25).bitPattern, 0x3FE2_2C6F_50DC_3FBF)
    }
}
