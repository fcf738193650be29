import XCTest
@testable import Engine

/// Tensor storage: 64-byte aligned, and on Linux buffers of a huge page or more start on a huge
/// page (so `madvise(MADV_HUGEPAGE)` covers them from the first byte).
final class TensorAllocationTests: XCTestCase {
    func testAlignment() {
        for count in [1, 1000, Tensor.hugePageBytes / 4 - 16, Tensor.hugePageBytes / 4, 3 * Tensor.hugePageBytes / 4 + 5] {
            let p = Tensor.allocate(count)
            defer { p.deallocate() }
            let address = UInt(bitPattern: p)
            XCTAssertEqual(address % 64, 0, "\(count) floats")
            #if os(Linux)
            if Tensor.hugePages && count * 4 >= Tensor.hugePageBytes {
                XCTAssertEqual(address % UInt(Tensor.hugePageBytes), 0, "\(count) floats: not on a huge page boundary")
            }
            #endif
            // Every byte is usable.
            p.initialize(repeating: 1, count: count)
            XCTAssertEqual(p[count - 1], 1)
        }
    }
}
