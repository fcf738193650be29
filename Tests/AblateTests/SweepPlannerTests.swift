import XCTest
@testable import Ablate
import Engine

final class SweepPlannerTests: XCTestCase {
    func testGridExpandsAndDuplicatesCollapse() throws {
        let dir = try TempDir()
        // γ = 0 appears twice in the grid: the duplicate configs are one run.
        let file = try dir.writeSpec("g", """
            { "name": "g", "table": "1b", "base": {"loss": "focal"},
              "grid": { "gamma": [0, 2, 0], "alpha": [0.25, 0.75] } }
            """)
        let plan = try SweepPlanner.plan(try ExperimentSpec.load(file: file), profile: "quick")
        XCTAssertEqual(plan.count, 4)
        XCTAssertEqual(Set(plan.map(\.id)).count, 4)
        XCTAssertEqual(plan.map(\.config.gamma), [0, 0, 2, 2])
        XCTAssertEqual(plan.map(\.config.alpha), [0.25, 0.75, 0.25, 0.75])
        XCTAssertTrue(plan.allSatisfy { $0.config.iterations == 10 }, "shared profile applied")
    }

    func testLayeringOrderProfileBaseSpecProfileRowsGrid() throws {
        let dir = try TempDir()
        let file = try dir.writeSpec("x", """
            { "name": "x", "base": {"depth": 34, "scale": 100},
              "rows": [ {"loss": "ohem"}, {"loss": "focal", "scale": 120} ],
              "grid": { "seed": [0, 1] },
              "profiles": { "quick": { "config": {"scale": 110}, "grid": {"seed": [5]} } } }
            """, profiles: #"{"quick": {"depth": 18, "iterations": 7}}"#)
        let plan = try SweepPlanner.plan(try ExperimentSpec.load(file: file), profile: "quick")
        XCTAssertEqual(plan.map(\.config.depth), [34, 34], "base overrides the shared profile")
        XCTAssertEqual(plan.map(\.config.scale), [110, 120], "spec profile over base, row over spec profile")
        XCTAssertEqual(plan.map(\.config.seed), [5, 5], "profile grid replaces the axis")
        XCTAssertEqual(plan.map(\.config.loss), [.ohem, .focal])
        XCTAssertEqual(plan[0].config.iterations, 7)
    }

    func testShardsPartitionThePlan() throws {
        let dir = try TempDir()
        let spec = try ExperimentSpec.load(file: try dir.writeSpec("gamma", smallGammaSpec))
        let all = try SweepPlanner.plan(spec, profile: "quick").map(\.id)
        let shards = try (0..<4).map { try SweepPlanner.plan(spec, profile: "quick", shard: Shard(index: $0, count: 4)).map(\.id) }
        XCTAssertEqual(shards.flatMap { $0 }.sorted(), all.sorted())
        XCTAssertEqual(Set(shards.flatMap { $0 }).count, all.count)
        XCTAssertNil(Shard("4/4"))
        XCTAssertNil(Shard("1/0"))
        XCTAssertEqual(Shard("3/8"), Shard(index: 3, count: 8))
    }

    func testBadSpecsNameFileAndPlace() throws {
        let dir = try TempDir()
        let syntax = try dir.writeSpec("s", "{\n  \"name\": \"s\",\n  \"grid\": { \"alpha\": [0.1,, 0.2] }\n}")
        XCTAssertThrowsError(try ExperimentSpec.load(file: syntax)) {
            XCTAssertTrue("\($0)".contains("s.json:3:"), "\($0)")
            XCTAssertTrue("\($0)".contains("expected a value"), "\($0)")
        }
        let typo = try dir.writeSpec("t", #"{"name": "t", "rows": [{"alpha": 0.5}, {"gama": 2}]}"#)
        XCTAssertThrowsError(try SweepPlanner.plan(try ExperimentSpec.load(file: typo), profile: "quick")) {
            let text = "\($0)"
            XCTAssertTrue(text.contains("t.json: rows[1]"), text)
            XCTAssertTrue(text.contains("unknown run-config key 'gama'"), text)
        }
        let type = try dir.writeSpec("u", #"{"name": "u", "grid": {"depth": ["deep"]}}"#)
        XCTAssertThrowsError(try SweepPlanner.plan(try ExperimentSpec.load(file: type), profile: "quick")) {
            XCTAssertTrue("\($0)".contains("depth"), "\($0)")
        }
        XCTAssertThrowsError(try SweepPlanner.plan(try ExperimentSpec.load(file: type), profile: "nope")) {
            XCTAssertTrue("\($0)".contains("no profile 'nope'"), "\($0)")
        }
        let emptyAxis = try dir.writeSpec("e", #"{"name": "e", "grid": {"alpha": []}}"#)
        XCTAssertThrowsError(try ExperimentSpec.load(file: emptyAxis)) {
            XCTAssertTrue("\($0)".contains("grid.alpha: expected a non-empty array"), "\($0)")
        }
    }

    /// Every shipped spec parses and plans under every profile: the paper's row counts under
    /// paper-proxy; gamma's quick profiles are its reduced 3 × 2 grid (the README's main job).
    func testShippedSpecsPlan() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let expected = ["alpha": 7, "gamma": 21, "anchors": 7, "ohem": 10, "depth-scale": 10, "flstar": 4, "noprior": 2]
        let quick = ["gamma": 6]
        for (name, count) in expected {
            let spec = try ExperimentSpec.load(file: root.appendingPathComponent("experiments/\(name).json").path)
            for profile in ["quick", "quick-long", "paper-proxy"] {
                let want = profile.hasPrefix("quick") ? quick[name] ?? count : count
                XCTAssertEqual(try SweepPlanner.plan(spec, profile: profile).count, want, "\(name) \(profile)")
            }
        }
        // Calibration specs live one folder down and take profiles.json from experiments/.
        let calibration = root.appendingPathComponent("experiments/calibration")
        let files = try FileManager.default.contentsOfDirectory(atPath: calibration.path).filter { $0.hasSuffix(".json") }
        XCTAssertFalse(files.isEmpty)
        for file in files {
            let spec = try ExperimentSpec.load(file: calibration.appendingPathComponent(file).path)
            XCTAssertNil(spec.table, file)
            XCTAssertGreaterThanOrEqual(try SweepPlanner.plan(spec, profile: "quick").count, 1, file)
        }
    }

    /// experiments/quick.json (the issue's quick config, `ablate train`) is exactly the run that
    /// `ablate sweep gamma --profile quick-long` plans for FL γ 2 α .25, so the two cannot drift.
    func testQuickConfigIsTheQuickLongFocalRun() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOfFile: root.appendingPathComponent("experiments/quick.json").path, encoding: .utf8)
        let quick = try PlannedRun(config: try RunConfig.decode(json: text))
        let plan = try SweepPlanner.plan(try ExperimentSpec.load(file: root.appendingPathComponent("experiments/gamma.json").path),
                                         profile: "quick-long")
        XCTAssertEqual(plan.filter { $0.config.gamma == 2 && $0.config.alpha == 0.25 }.map(\.configJSON), [quick.configJSON])
    }

    func testJSONParserReportsLineAndColumn() {
        XCTAssertThrowsError(try JSONParser.parse("{\"a\": 1,\n \"a\": 2}")) {
            XCTAssertEqual("\($0)", "2:2: duplicate key 'a'")
        }
        XCTAssertThrowsError(try JSONParser.parse("[01]")) { XCTAssertTrue("\($0)".hasPrefix("1:2:")) }
        XCTAssertEqual(try JSONParser.parse(#"{"x": [1, 2.5e3, true, null, "é\n"]}"#).text, #"{"x":[1,2.5e3,true,null,"é\n"]}"#)
    }
}
