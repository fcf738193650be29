import XCTest
import Dispatch
@testable import Engine

/// `SpinPool`, the helpers behind `ComputeContext.parallel`: every chunk of every region runs
/// exactly once, also over many short regions back to back (helpers that see a region late must
/// not run chunks of the next one), with idle gaps long enough for helpers to park, inside a chunk
/// of another region (falls back to Dispatch), and from two threads at once.
final class SpinPoolTests: XCTestCase {
    /// Runs `regions` regions of varying chunk counts on the pool itself (whatever the core count,
    /// which decides whether `ComputeContext` uses it) and checks the per-chunk run counts.
    @available(macOS 15.0, *)
    func checkRegions(threads: Int, regions: Int, idleEvery: Int = 0, file: StaticString = #filePath, line: UInt = #line) {
        var counts = [Int](repeating: 0, count: 64)
        for r in 0..<regions {
            let chunks = 2 + r % 37
            counts.withUnsafeMutableBufferPointer { b in
                let p = b.baseAddress!
                let ran = SpinPool.shared.run(chunks: chunks, threads: threads) { i in p[i] += 1 + r }  // disjoint per chunk
                XCTAssertTrue(ran, "the pool was busy", file: file, line: line)
            }
            for i in 0..<64 {
                let expected = i < chunks ? 1 + r : 0
                if counts[i] != expected {
                    XCTFail("region \(r), chunk \(i): \(counts[i]) instead of \(expected)", file: file, line: line)
                    return
                }
                counts[i] = 0
            }
            if idleEvery > 0 && r % idleEvery == 0 { usleep(2_000) }  // longer than SpinPool.spinSeconds
        }
    }

    func testEveryChunkRunsOnce() throws {
        guard #available(macOS 15.0, *) else { throw XCTSkip("SpinPool needs macOS 15 (Synchronization.Atomic)") }
        for threads in [2, 3] { checkRegions(threads: threads, regions: 100_000) }
    }

    func testHelpersWakeAfterParking() throws {
        guard #available(macOS 15.0, *) else { throw XCTSkip("SpinPool needs macOS 15 (Synchronization.Atomic)") }
        checkRegions(threads: 2, regions: 300, idleEvery: 3)
    }

    func testRegionInsideAChunk() {
        let ctx = ComputeContext(threads: 2)
        var out = [Int](repeating: 0, count: 8 * 8)
        out.withUnsafeMutableBufferPointer { b in
            let p = b.baseAddress!
            ctx.parallel(8) { i in ctx.parallel(8) { j in p[i * 8 + j] = i * 8 + j + 1 } }
        }
        XCTAssertEqual(out, Array(1...64))
    }

    func testTwoCallersAtOnce() {
        let ok = UnsafeMutablePointer<Bool>.allocate(capacity: 2)
        defer { ok.deallocate() }
        let box = UncheckedSendable(ok)
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            let ctx = ComputeContext(threads: 2)
            var sum = [Int](repeating: 0, count: 16)
            var good = true
            for r in 0..<2_000 {
                sum.withUnsafeMutableBufferPointer { b in
                    let p = b.baseAddress!
                    ctx.parallel(16) { i in p[i] = r + i }
                }
                good = good && sum == (0..<16).map { r + $0 }
            }
            box.value[k] = good
        }
        XCTAssertTrue(ok[0] && ok[1])
    }
}
