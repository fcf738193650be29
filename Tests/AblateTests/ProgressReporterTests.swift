import XCTest
@testable import Ablate

/// The sweep ETA: running runs count by what they still need, not as half a run each.
final class ProgressReporterTests: XCTestCase {
    func testNearlyFinishedRunsLeaveAlmostNothing() throws {
        // Two 3000 s runs at 96% and 100% (the case that used to print 25 min).
        let left = try XCTUnwrap(ProgressReporter.secondsLeft(queued: 0, running: 2, jobs: 2, meanRunSeconds: nil,
                                                              activeRuns: [(0.96, 2880), (1.0, 3000)]))
        XCTAssertEqual(left, 120, accuracy: 1)
    }

    func testQueuedRunsShareTheJobs() throws {
        // One run half done (100 s of a projected 200), two queued, two jobs: (100 left + 2·200) / 2.
        let left = try XCTUnwrap(ProgressReporter.secondsLeft(queued: 2, running: 1, jobs: 2, meanRunSeconds: 150,
                                                              activeRuns: [(0.5, 100)]))
        XCTAssertEqual(left, 250, accuracy: 1e-9)
    }

    func testFinishedMeanIsAFloorAndNothingKnownGivesNil() throws {
        XCTAssertNil(ProgressReporter.secondsLeft(queued: 3, running: 1, jobs: 1, meanRunSeconds: nil, activeRuns: [(0.01, 5)]))
        // A run elsewhere (not projected here) counts as half a run at the finished mean.
        let left = try XCTUnwrap(ProgressReporter.secondsLeft(queued: 1, running: 1, jobs: 1, meanRunSeconds: 60, activeRuns: []))
        XCTAssertEqual(left, 90, accuracy: 1e-9)
    }
}
