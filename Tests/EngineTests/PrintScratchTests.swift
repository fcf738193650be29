import XCTest
@testable import Engine
final class PrintScratchTests: XCTestCase {
    func testPrint() {
        for v in [FixedMath.exp(1.2345), FixedMath.log(123.456), FixedMath.sin(2.5), FixedMath.cos(-7.25)] {
            print("PIN", String(v.bitPattern, radix: 16))
        }
    }
}
