import XCTest
@testable import Ablate
import Engine

final class CommandLineTests: XCTestCase {
    func testArgumentErrorsNameTheArgument() {
        let options = SweepCommand.options + [CommonOptions.help]
        XCTAssertThrowsError(try Arguments(["gamma", "--jbos", "2"], command: "sweep", options: options)) {
            XCTAssertTrue("\($0)".hasPrefix("unknown option '--jbos' for `ablate sweep`"), "\($0)")
        }
        XCTAssertThrowsError(try Arguments(["gamma", "--jobs"], command: "sweep", options: options)) {
            XCTAssertTrue("\($0)".hasPrefix("option '--jobs' needs a value (N)"), "\($0)")
        }
        XCTAssertThrowsError(try Arguments(["--jobs", "two"], command: "sweep", options: options).int("jobs", min: 1)) {
            XCTAssertTrue("\($0)".hasPrefix("option '--jobs': expected an integer ≥ 1, got 'two'"), "\($0)")
        }
        XCTAssertThrowsError(try Arguments(["--dry-run=yes"], command: "sweep", options: options)) {
            XCTAssertTrue("\($0)".hasPrefix("option '--dry-run' takes no value"), "\($0)")
        }
        let ok = try? Arguments(["gamma", "--jobs=2", "--dry-run", "--", "--odd"], command: "sweep", options: options)
        XCTAssertEqual(ok?.string("jobs"), "2")
        XCTAssertEqual(ok?.has("dry-run"), true)
        XCTAssertEqual(ok?.positionals, ["gamma", "--odd"])
    }

    func testExitCodesAndHelp() throws {
        XCTAssertEqual(CommandRegistry.main(["frob"]), 2)
        XCTAssertEqual(CommandRegistry.main(["table", "9z"]), 2)
        XCTAssertEqual(CommandRegistry.main(["sweep", "--help"]), 0)
        XCTAssertEqual(CommandRegistry.main([]), 2)
        let dir = try TempDir()
        XCTAssertEqual(CommandRegistry.main(["table", "1a", "--db", dir.path("missing.sqlite")]), 1)
        for command in CommandRegistry.all {
            XCTAssertTrue(command.help.contains("usage: ablate \(command.name)"), command.name)
        }
        XCTAssertFalse(CommandRegistry.overview.contains("worker"), "internal command hidden")
        XCTAssertFalse(SweepCommand.help.contains("--executor"), "test-only switch hidden")
    }

    func testPlotCommandsWriteSVG() throws {
        let dir = try TempDir()
        XCTAssertEqual(CommandRegistry.main(["plot", "fig1", "--out", dir.path("f1.svg")]), 0)
        XCTAssertTrue(try String(contentsOfFile: dir.path("f1.svg"), encoding: .utf8).contains("γ = 2"))
        try "1,0.8\n1,0.6\n0,0.01\n0,0.3\n".write(toFile: dir.path("scores.csv"), atomically: true, encoding: .utf8)
        XCTAssertEqual(CommandRegistry.main(["plot", "fig4", "--scores", dir.path("scores.csv"), "--out", dir.path("f4")]), 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.path("f4-negative.svg")))
        XCTAssertEqual(CommandRegistry.main(["plot", "fig4"]), 2, "fig4 without scores is a usage error")

        let store = try RunStore(path: dir.path("r.sqlite"))
        let id = try insertFinished(store, config: RunConfig(), sweep: "gamma", table: "1b", metrics: ["AP": 0.3])
        try store.appendTrainLog(id: id, TrainLogRow(iteration: 10, lossCls: 1.2, lossBox: 0.5, lr: 0.01, seconds: 1))
        try store.appendTrainLog(id: id, TrainLogRow(iteration: 20, lossCls: 0.8, lossBox: 0.4, lr: 0.01, seconds: 2))
        XCTAssertEqual(CommandRegistry.main(["plot", "loss", String(id.prefix(8)), "--db", dir.path("r.sqlite"),
                                             "--out", dir.path("loss.svg")]), 0)
        let svg = try String(contentsOfFile: dir.path("loss.svg"), encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2)
    }
}
