import XCTest
@testable import Engine

/// The L2-size parsing and the GEMM column block derived from it.
final class HostCachesTests: XCTestCase {
    func testParsesCacheSizes() {
        XCTAssertEqual(HostCaches.parseSize("512K\n"), 512 * 1024)
        XCTAssertEqual(HostCaches.parseSize("1M"), 1 << 20)
        XCTAssertEqual(HostCaches.parseSize("1048576"), 1 << 20)
        XCTAssertNil(HostCaches.parseSize(""))
        XCTAssertNil(HostCaches.parseSize("K"))
        XCTAssertNil(HostCaches.parseSize("big"))
    }

    func testColumnBlockIsAQuarterOfL2WithinBounds() {
        XCTAssertEqual(HostCaches.columnBlock(l2: 512 * 1024), 256)   // Zen 3
        XCTAssertEqual(HostCaches.columnBlock(l2: 1 << 20), 512)      // the Xeon of the earlier sessions
        XCTAssertEqual(HostCaches.columnBlock(l2: 2 << 20), 512)
        XCTAssertEqual(HostCaches.columnBlock(l2: 256 * 1024), 128)
        XCTAssertEqual(HostCaches.columnBlock(l2: 64 * 1024), 128)
        XCTAssertEqual(HostCaches.columnBlock(l2: nil), 512)
        XCTAssertEqual(SGEMM.nc % SGEMM.nr, 0)
    }

    func testDetectedL2IsPlausibleAndSizesTheBlock() throws {
        if let l2 = HostCaches.l2Bytes { XCTAssert(l2 >= 64 << 10 && l2 <= 256 << 20, "L2 of \(l2) bytes") }
        guard ProcessInfo.processInfo.environment["FOCAL_GEMM_NC"] == nil else { throw XCTSkip("FOCAL_GEMM_NC is set") }
        XCTAssertEqual(SGEMM.nc, HostCaches.columnBlock(l2: HostCaches.l2Bytes))
    }
}
