import XCTest
@testable import Ablate

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
}
