import XCTest
@testable import Ablate
import Engine

/// The SQL views and their rendering.
final class TableViewTests: XCTestCase {
    private func ap(_ v: Double) -> [String: Double] { ["AP": v, "AP50": v + 0.2, "AP75": v + 0.05] }

    func testTable1bPicksBestAlphaPerGammaAndAveragesSeeds() throws {
        let dir = try TempDir()
        let store = try RunStore(path: dir.path("r.sqlite"))
        var c = RunConfig()
        for (gamma, alpha, seed, value) in [(0.0, 0.25, 0, 0.10), (0.0, 0.75, 0, 0.30), (2.0, 0.25, 0, 0.34),
                                            (2.0, 0.25, 1, 0.36), (2.0, 0.75, 0, 0.20)] {
            c.gamma = gamma; c.alpha = alpha; c.seed = UInt64(seed)
            try insertFinished(store, config: c, sweep: "gamma", table: "1b", metrics: ap(value))
        }
        let all = try store.select("SELECT gamma, alpha, runs FROM table_1b_all")
        XCTAssertEqual(all.rows.count, 4)
        let best = try store.select("SELECT profile, gamma, alpha, AP, AP50, AP75, runs, diverged FROM table_1b")
        XCTAssertEqual(best.columns, ["profile", "gamma", "alpha", "AP", "AP50", "AP75", "runs", "diverged"])
        XCTAssertEqual(best.rows.map { $0[2].double }, [0.75, 0.25])
        XCTAssertEqual(try XCTUnwrap(best.rows[1][3].double), 35.0, accuracy: 1e-9, "mean of two seeds, in percent")
        XCTAssertEqual(best.rows[1][6].int, 2)

        let md = try TableRenderer(store: store).render(table: "1b", profile: nil, format: .md, paper: true)
        XCTAssertEqual(md, """
            Table 1b — varying γ for FL (best α of .25/.5/.75 per γ) — profile quick, protocol \(EngineProtocol.version)

            | γ | α | AP | AP50 | AP75 | runs | paper α | paper AP | paper AP50 | paper AP75 |
            | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
            | 0 | 0.75 | 30.0 | 50.0 | 35.0 | 1 | 0.75 | 31.1 | 49.4 | 33.0 |
            | 2 | 0.25 | 35.0 | 55.0 | 40.0 | 2 | 0.25 | 34.0 | 52.5 | 36.5 |

            Kendall τ between our and the paper's AP orderings (2 matched rows): 1.00

            """)
    }

    func testRunsOfAnOlderProfileLeaveTheTableWhenTheSweepIsPlannedAgain() throws {
        let dir = try TempDir()
        let store = try RunStore(path: dir.path("r.sqlite"))
        var c = RunConfig()
        c.gamma = 0; c.alpha = 0.5
        let old = try insertFinished(store, config: c, sweep: "alpha", table: "1a", metrics: ap(0.3))
        c.anchorScale = 2    // the profile changed; same row of the table
        let new = try PlannedRun(config: c)
        try store.plan([new], sweep: "alpha", profile: "quick", table: "1a", currentPlan: [new.id])
        let claimed = try XCTUnwrap(try store.claimNext(ids: [new.id], claimant: Claimant(host: "h", pid: 1, gitCommit: "c")))
        XCTAssertTrue(try store.complete(id: claimed.id, pid: 1, outcome: RunOutcome(status: .finished, metrics: ap(0.1)), wallSeconds: 1))
        let rows = try store.select("SELECT alpha, AP, runs FROM table_1a").rows
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(try XCTUnwrap(rows[0][1].double), 10, accuracy: 1e-9, "only the current plan's run")
        XCTAssertEqual(rows[0][2].int, 1)
        XCTAssertEqual(try store.record(id: old)?.status, .finished, "the old run stays in the database")
    }

    func testOtherProtocolVersionsAndUnfinishedRunsAreHidden() throws {
        let dir = try TempDir()
        let store = try RunStore(path: dir.path("r.sqlite"))
        var c = RunConfig()
        c.gamma = 0
        c.alpha = 0.5
        let id = try insertFinished(store, config: c, sweep: "alpha", table: "1a", metrics: ap(0.3))
        c.alpha = 0.9
        try store.plan([try PlannedRun(config: c)], sweep: "alpha", profile: "quick", table: "1a")
        XCTAssertEqual(try store.select("SELECT alpha FROM table_1a").rows, [[.real(0.5)]])
        try store.db.execute("UPDATE runs SET protocol_version = protocol_version - 1 WHERE id = ?", [.text(id)])
        XCTAssertEqual(try store.select("SELECT alpha FROM table_1a").rows, [])
        XCTAssertThrowsError(try TableRenderer(store: store).render(table: "1a", profile: nil, format: .md, paper: false)) {
            XCTAssertTrue("\($0)".contains("run `ablate sweep alpha --profile quick` first"), "\($0)")
        }
    }

    func testTable1dAnd3And1eColumns() throws {
        let dir = try TempDir()
        let store = try RunStore(path: dir.path("r.sqlite"))
        var ohem = RunConfig()
        ohem.loss = .ohem; ohem.gamma = 0; ohem.ohemBatch = 128; ohem.ohemNMS = 0.5; ohem.ohemPositiveFraction = 0.25
        try insertFinished(store, config: ohem, sweep: "ohem", table: "1d", metrics: ap(0.2))
        var fl = RunConfig()
        try insertFinished(store, config: fl, sweep: "ohem", table: "1d", metrics: ap(0.3))
        XCTAssertEqual(try store.select("SELECT method, batch_size, nms_thr FROM table_1d").rows,
                       [[.text("OHEM 1:3"), .integer(128), .real(0.5)], [.text("FL"), .null, .null]])
        var star = RunConfig()
        star.loss = .flStar; star.gamma = 4; star.beta = 0
        try insertFinished(store, config: star, sweep: "flstar", table: "3", metrics: ap(0.33))
        fl.seed = 9
        try insertFinished(store, config: fl, sweep: "flstar", table: "3", metrics: ap(0.34))
        XCTAssertEqual(try store.select("SELECT loss, gamma, beta FROM table_3").rows,
                       [[.text("FL"), .integer(2), .null], [.text("FL*"), .integer(4), .integer(0)]])
        var big = RunConfig()
        big.depth = 34; big.scale = 192
        var m = ap(0.3)
        m["APs"] = 0.1; m["APm"] = 0.3; m["APl"] = 0.5; m["inference_ms"] = 12.5
        try insertFinished(store, config: big, sweep: "depth-scale", table: "1e", metrics: m)
        let e = try store.select("SELECT * FROM table_1e")
        XCTAssertEqual(e.columns, ["profile", "depth", "scale", "AP", "AP50", "AP75", "APs", "APm", "APl", "time_ms", "runs", "diverged"])
        XCTAssertEqual(e.rows[0][9].double, 12.5)
        let csv = try TableRenderer(store: store).render(table: "1e", profile: "quick", format: .csv, paper: false)
        XCTAssertEqual(csv.split(separator: "\n").first, "depth,scale,AP,AP50,AP75,APS,APM,APL,time (ms),runs")
        let tex = try TableRenderer(store: store).render(table: "3", profile: "quick", format: .tex, paper: true)
        XCTAssertTrue(tex.contains("loss & $\\gamma$ & $\\beta$ & AP"), tex)
        XCTAssertTrue(tex.contains("FL* & 4 & 0 & 33.0 & 53.0 & 38.0 & 1 & 33.9 & 51.8 & 36.4 \\\\"), tex)
    }

    func testDivergedRowsSayDiverged() throws {
        let dir = try TempDir()
        let store = try RunStore(path: dir.path("r.sqlite"))
        var c = RunConfig()
        c.gamma = 0; c.alpha = 0.1
        let run = try PlannedRun(config: c)
        try store.plan([run], sweep: "alpha", profile: "quick", table: "1a")
        _ = try store.claimNext(ids: [run.id], claimant: Claimant(host: "h", pid: 2, gitCommit: "c"))
        _ = try store.complete(id: run.id, pid: 2, outcome: RunOutcome(status: .diverged, metrics: [:]), wallSeconds: 1)
        let md = try TableRenderer(store: store).render(table: "1a", profile: nil, format: .md, paper: false)
        XCTAssertTrue(md.contains("| 0.1 | diverged | diverged | diverged | 0 (+1 diverged) |"), md)
    }

    func testKendallTau() {
        XCTAssertEqual(KendallTau.tauB([1, 2, 3, 4], [10, 20, 30, 40]), 1)
        XCTAssertEqual(KendallTau.tauB([1, 2, 3, 4], [4, 3, 2, 1]), -1)
        // One discordant pair of six: (5 - 1) / 6.
        XCTAssertEqual(try XCTUnwrap(KendallTau.tauB([1, 2, 3, 4], [1, 2, 4, 3])), 4.0 / 6.0, accuracy: 1e-12)
        // Ties (τ-b): x = [1,1,2], y = [1,2,3]: C = 2, D = 0, ties in x = 1 → 2 / sqrt(2·3).
        XCTAssertEqual(try XCTUnwrap(KendallTau.tauB([1, 1, 2], [1, 2, 3])), 2 / 6.0.squareRoot(), accuracy: 1e-12)
        XCTAssertNil(KendallTau.tauB([1], [1]))
        XCTAssertNil(KendallTau.tauB([1, 1], [1, 2]))
    }
}
