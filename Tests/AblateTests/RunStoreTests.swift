import XCTest
@testable import Ablate
import Engine

final class RunStoreTests: XCTestCase {
    private func config(alpha: Double, gamma: Double = 2) -> RunConfig {
        var c = RunConfig()
        c.alpha = alpha
        c.gamma = gamma
        return c
    }

    func testIdenticalConfigsAreOneRunAcrossSweeps() throws {
        let dir = try TempDir()
        let store = try RunStore(path: dir.path("r.sqlite"))
        let a = try PlannedRun(config: config(alpha: 0.75, gamma: 0))
        let b = try PlannedRun(config: config(alpha: 0.25, gamma: 0))
        XCTAssertEqual(try store.plan([a, b], sweep: "alpha", profile: "quick", table: "1a"), 2)
        XCTAssertEqual(try store.plan([a], sweep: "gamma", profile: "quick", table: "1b"), 0)
        XCTAssertEqual(try store.db.scalar("SELECT COUNT(*) FROM runs")?.int, 2)
        XCTAssertEqual(try store.db.scalar("SELECT COUNT(*) FROM sweep_runs WHERE run_id = ?", [.text(a.id)])?.int, 2)
        // Planning again changes nothing.
        XCTAssertEqual(try store.plan([a, b], sweep: "alpha", profile: "quick", table: "1a"), 0)
        XCTAssertEqual(try store.db.scalar("SELECT COUNT(*) FROM sweep_runs")?.int, 3)
    }

    func testClaimsNeverHandOutARunTwice() throws {
        let dir = try TempDir()
        let path = dir.path("r.sqlite")
        let plan = try (0..<6).map { try PlannedRun(config: config(alpha: 0.1 * Double($0 + 1))) }
        try RunStore(path: path).plan(plan, sweep: "s", profile: "quick", table: nil)
        let first = try RunStore(path: path), second = try RunStore(path: path)
        var claimed: [String] = []
        for i in 0..<8 {
            let store = i % 2 == 0 ? first : second
            if let run = try store.claimNext(ids: plan.map(\.id), claimant: Claimant(host: "h", pid: 100 + i % 2, gitCommit: "c")) {
                claimed.append(run.id)
            }
        }
        XCTAssertEqual(claimed, plan.map(\.id), "in plan order, each once")
    }

    func testResumeAfterSimulatedCrash() throws {
        let dir = try TempDir()
        let store = try RunStore(path: dir.path("r.sqlite"))
        let runs = try [0.25, 0.5, 0.75].map { try PlannedRun(config: config(alpha: $0)) }
        try store.plan(runs, sweep: "s", profile: "quick", table: nil)
        let ids = runs.map(\.id)
        // Run 0 finishes; run 1 is claimed by a worker on another host that then goes silent;
        // run 2 by a worker on this host whose pid no longer exists.
        let claimant = Claimant(host: "here", pid: 1, gitCommit: "c")
        let r0 = try XCTUnwrap(try store.claimNext(ids: ids, claimant: claimant))
        XCTAssertTrue(try store.complete(id: r0.id, pid: 1, outcome: RunOutcome(status: .finished, metrics: ["AP": 0.3]), wallSeconds: 1))
        let r1 = try XCTUnwrap(try store.claimNext(ids: ids, claimant: Claimant(host: "elsewhere", pid: 7, gitCommit: "c")))
        let r2 = try XCTUnwrap(try store.claimNext(ids: ids, claimant: Claimant(host: "here", pid: 999_999_99, gitCommit: "c")))
        try store.appendTrainLog(id: r1.id, TrainLogRow(iteration: 1, lossCls: 1, lossBox: 1, lr: 0.01, seconds: 1))

        // A fresh heartbeat from elsewhere is trusted; the dead local pid is not.
        XCTAssertEqual(try store.requeueStale(ids: ids, graceSeconds: 60, host: "here"), [r2.id])
        // Later, the other host's heartbeat is stale too.
        XCTAssertEqual(try store.requeueStale(ids: ids, graceSeconds: 60, host: "here", now: Clock.now() + 120), [r1.id])
        XCTAssertEqual(try store.statusCounts(ids: ids), [.finished: 1, .queued: 2])
        // The late worker of r1 cannot overwrite anything.
        XCTAssertFalse(try store.heartbeat(id: r1.id, pid: 7))
        XCTAssertFalse(try store.complete(id: r1.id, pid: 7, outcome: RunOutcome(status: .finished, metrics: ["AP": 0.9]), wallSeconds: 1))
        // Rerun: the finished run is skipped, the others are claimed again, starting clean.
        let again = try XCTUnwrap(try store.claimNext(ids: ids, claimant: claimant))
        XCTAssertEqual(again.id, r1.id)
        XCTAssertEqual(again.attempts, 2)
        XCTAssertTrue(try store.trainLog(id: r1.id).isEmpty)
        XCTAssertEqual(try store.claimNext(ids: ids, claimant: claimant)?.id, r2.id)
        XCTAssertNil(try store.claimNext(ids: ids, claimant: claimant))
        XCTAssertEqual(try store.metrics(id: r0.id), ["AP": 0.3])
    }

    func testKilledAndFailedRunsAreQueuedByTheNextPlanButResultsAreNot() throws {
        let dir = try TempDir()
        let store = try RunStore(path: dir.path("r.sqlite"))
        let runs = try [0.25, 0.5, 0.75].map { try PlannedRun(config: config(alpha: $0)) }
        try store.plan(runs, sweep: "s", profile: "quick", table: nil)
        let c = Claimant(host: "h", pid: 3, gitCommit: "c")
        let ids = runs.map(\.id)
        let a = try XCTUnwrap(try store.claimNext(ids: ids, claimant: c))
        let b = try XCTUnwrap(try store.claimNext(ids: ids, claimant: c))
        let d = try XCTUnwrap(try store.claimNext(ids: ids, claimant: c))
        XCTAssertTrue(try store.end(id: a.id, as: .killed, message: "ctrl-c", pid: 3))
        XCTAssertTrue(try store.end(id: b.id, as: .failed, message: "boom"))
        XCTAssertTrue(try store.complete(id: d.id, pid: 3, outcome: RunOutcome(status: .diverged, metrics: [:]), wallSeconds: 1))
        try store.plan(runs, sweep: "s", profile: "quick", table: nil)
        XCTAssertEqual(try store.statusCounts(ids: ids), [.queued: 2, .diverged: 1])
    }

    func testNonFiniteMetricsAreNotStoredAndSaidSo() throws {
        let dir = try TempDir()
        let store = try RunStore(path: dir.path("r.sqlite"))
        let run = try PlannedRun(config: config(alpha: 0.5))
        try store.plan([run], sweep: "s", profile: "quick", table: nil)
        _ = try store.claimNext(ids: [run.id], claimant: Claimant(host: "h", pid: 3, gitCommit: "c"))
        XCTAssertTrue(try store.complete(id: run.id, pid: 3, outcome: RunOutcome(status: .finished, metrics: ["AP": .nan, "AP50": 0.5]), wallSeconds: 1))
        XCTAssertEqual(try store.metrics(id: run.id), ["AP50": 0.5])
        XCTAssertTrue(try store.record(id: run.id)?.message?.contains("non-finite metrics not stored: AP") == true)
    }

    func testResolveByPrefix() throws {
        let dir = try TempDir()
        let store = try RunStore(path: dir.path("r.sqlite"))
        let run = try PlannedRun(config: config(alpha: 0.5))
        try store.plan([run], sweep: "s", profile: "quick", table: nil)
        XCTAssertEqual(try store.resolve(runID: String(run.id.prefix(6))).id, run.id)
        XCTAssertThrowsError(try store.resolve(runID: "zz")) { XCTAssertTrue("\($0)".contains("no run with id 'zz'")) }
    }
}
