import XCTest
@testable import Engine

final class KernelProbeTests: XCTestCase {
    func testPeak() throws {
        guard ProcessInfo.processInfo.environment["ENGINE_BENCH"] == "1" else { throw XCTSkip("") }
        print(String(format: "peak 1 thread: %.1f GFLOP/s", PeakProbe.measure(threads: 1)))
        print(String(format: "peak 2 threads: %.1f GFLOP/s", PeakProbe.measure(threads: 2)))
    }
}
