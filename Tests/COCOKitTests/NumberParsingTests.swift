import Foundation
import XCTest
@testable import COCOKit

/// The reader's numbers must equal Python's `float()` of the token, i.e. correctly rounded
/// (glibc/Darwin `strtod` is correctly rounded and serves as the reference here).
final class NumberParsingTests: XCTestCase {
    private func parse(_ token: String) throws -> Double {
        let r = JSONByteReader(bytes: Array(token.utf8), name: "t")
        return try r.readNumber()
    }

    func testRandomTokensMatchStrtod() throws {
        var rng = SplitMix(seed: 42)
        var checked = 0
        for _ in 0..<200_000 {
            let digits = 1 + Int(rng.next() % 19)
            var m = ""
            for d in 0..<digits { m.append(Character(String(d == 0 ? 1 + rng.next() % 9 : rng.next() % 10))) }
            let point = Int(rng.next() % UInt64(digits + 1))
            var token = point == digits ? m : String(m.prefix(point == 0 ? 1 : point)) + "." + String(m.dropFirst(point == 0 ? 1 : point))
            if token.hasSuffix(".") { token += "0" }
            if rng.next() % 3 == 0 { token += "e\(Int(rng.next() % 61) - 30)" }
            if rng.next() % 4 == 0 { token = "-" + token }
            let expected = strtod(token, nil)
            let got = try parse(token)
            XCTAssertEqual(got.bitPattern, expected.bitPattern, token)
            if got.bitPattern != expected.bitPattern { break }
            checked += 1
        }
        XCTAssertEqual(checked, 200_000)
    }

    func testShortestReprOfRandomDoublesRoundTrips() throws {
        var rng = SplitMix(seed: 7)
        for _ in 0..<100_000 {
            let v = Double(bitPattern: rng.next() & 0x3FFF_FFFF_FFFF_FFFF | 0x3000_0000_0000_0000)  // ~1e-77 … 1e+77
            let f = Double(Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0x4FFF_FFFF))  // float32 values printed as doubles
            for x in [v, f] where x.isFinite {
                XCTAssertEqual(try parse("\(x)").bitPattern, x.bitPattern, "\(x)")
            }
        }
    }

    func testEdgeTokens() throws {
        let cases: [(String, Double)] = [
            ("0", 0), ("-0", -0.0), ("1e400", .infinity), ("-1e400", -.infinity), ("1e-400", 0),
            ("2.2250738585072014e-308", 2.2250738585072014e-308), ("4.9e-324", Double.leastNonzeroMagnitude),
            ("1.7976931348623157e308", 1.7976931348623157e308), ("9007199254740993", 9007199254740992),
            ("0.1", 0.1), ("123456789012345678901234567890", 1.2345678901234568e29),
            ("0.30000000000000004", 0.30000000000000004), ("1E2", 100), ("1e+2", 100),
        ]
        for (t, v) in cases {
            let got = try parse(t)
            XCTAssertEqual(got.bitPattern, v.bitPattern, t)
        }
        XCTAssertTrue(try parse("NaN").isNaN)
        XCTAssertEqual(try parse("-Infinity"), -.infinity)
        for bad in ["01", "1.", ".5", "-", "1e", "+1", "1.e5", "--1"] {
            XCTAssertThrowsError(try parse(bad), bad)
        }
    }
}

/// A tiny deterministic generator for tests (SplitMix64).
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
}
