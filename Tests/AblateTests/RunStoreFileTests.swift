import XCTest
@testable import Ablate
import Engine

/// Opening files: migrations from an older schema, and files that must be refused.
final class RunStoreFileTests: XCTestCase {
    func testMigratesFromSchemaVersion1() throws {
        let dir = try TempDir()
        let path = dir.path("old.sqlite")
        // A database as the first schema made it: runs without sweep membership.
        let old = try RunStore(path: path, schemaVersion: 1)
        XCTAssertEqual(try old.schemaVersionOnDisk(), 1)
        var c = RunConfig()
        c.gamma = 0
        c.alpha = 0.75
        let json = try c.canonicalJSON()
        let id = RunIdentity.id(canonicalJSON: json)
        try old.db.execute("""
            INSERT INTO runs (id, sweep, config_json, protocol_version, status, seed, queued_at) VALUES (?, 'alpha', ?, ?, 'finished', 0, 'then')
            """, [.text(id), .text(json), SQLiteValue(EngineProtocol.version)])
        try old.db.execute("INSERT INTO metrics (run_id, name, value) VALUES (?, 'AP', 0.311)", [.text(id)])

        let store = try RunStore(path: path)
        XCTAssertEqual(try store.schemaVersionOnDisk(), RunStore.schemaVersion)
        XCTAssertEqual(try store.select("SELECT sweep, paper_table, run_id FROM sweep_runs").rows,
                       [[.text("alpha"), .text("1a"), .text(id)]])
        let table = try store.select("SELECT alpha, AP, runs FROM table_1a")
        XCTAssertEqual(table.rows.count, 1)
        XCTAssertEqual(table.rows[0][0].double, 0.75)
        XCTAssertEqual(try XCTUnwrap(table.rows[0][1].double), 31.1, accuracy: 1e-9)
    }

    /// Several processes opening one new file at once (two `ablate sweep`s on a fresh --db): each
    /// must get a working store. SQLite does not call the busy handler for the switch to WAL, so
    /// without a retry one opener failed with "database is locked" (a CI failure of
    /// SweepProcessTests.testTwoConcurrentSweepsOnOneDatabaseNeverRunAConfigTwice).
    func testConcurrentOpenersOfANewFileAllSucceed() throws {
        let dir = try TempDir()
        for round in 0..<30 {
            let path = dir.path("fresh-\(round).sqlite")
            let openers = 6
            let failures = OpenFailures()
            let start = DispatchSemaphore(value: 0)
            let group = DispatchGroup()
            for _ in 0..<openers {
                group.enter()
                Thread.detachNewThread {
                    start.wait()
                    do { _ = try RunStore(path: path).records(sweep: "none") } catch { failures.add("\(error)") }
                    group.leave()
                }
            }
            for _ in 0..<openers { start.signal() }
            group.wait()
            XCTAssertEqual(failures.all, [], "round \(round)")
            if !failures.all.isEmpty { break }
        }
    }

    func testRefusesAFileThatIsNotSQLite() throws {
        let dir = try TempDir()
        let path = dir.path("results.sqlite")
        try Data("id,AP\n1,0.3\n".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try RunStore(path: path)) {
            XCTAssertEqual("\($0)", "\(path): not an SQLite database (its first 16 bytes are not the SQLite header); refusing to use it as a results database")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "id,AP\n1,0.3\n", "left untouched")
    }

    func testRefusesACorruptDatabase() throws {
        let dir = try TempDir()
        let path = dir.path("results.sqlite")
        var c = RunConfig()
        for i in 0..<50 {
            c.seed = UInt64(i)
            try RunStore(path: path).plan([try PlannedRun(config: c)], sweep: "s", profile: "p", table: nil)
        }
        // Keep the header, scribble over the rest of the first page and beyond.
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: path))
        try handle.truncate(atOffset: 4096 * 3)
        handle.seek(toFileOffset: 100)
        handle.write(Data(repeating: 0xA5, count: 4096 * 3 - 100))
        try handle.close()
        try? FileManager.default.removeItem(atPath: path + "-wal")
        try? FileManager.default.removeItem(atPath: path + "-shm")
        XCTAssertThrowsError(try RunStore(path: path)) {
            let text = "\($0)"
            XCTAssertTrue(text.hasPrefix("\(path): the SQLite file is corrupt") || text.contains("not an ablate results database"), text)
        }
    }

    func testRefusesAForeignSQLiteDatabase() throws {
        let dir = try TempDir()
        let path = dir.path("other.sqlite")
        let db = try SQLiteDatabase(path: path)
        try db.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
        XCTAssertThrowsError(try RunStore(path: path)) {
            XCTAssertEqual("\($0)", "\(path): an SQLite database of another application (tables photos), not an ablate results database; pass another --db")
        }
        let tagged = dir.path("tagged.sqlite")
        try SQLiteDatabase(path: tagged).execute("PRAGMA application_id = 42")
        XCTAssertThrowsError(try RunStore(path: tagged)) { XCTAssertTrue("\($0)".contains("application_id 0x0000002a")) }
    }

    func testRefusesANewerSchema() throws {
        let dir = try TempDir()
        let path = dir.path("new.sqlite")
        let store = try RunStore(path: path)
        try store.db.execute("PRAGMA user_version = \(RunStore.schemaVersion + 1)")
        XCTAssertThrowsError(try RunStore(path: path)) { XCTAssertTrue("\($0)".contains("written by a newer ablate")) }
    }

    func testMissingDatabaseForReadCommands() throws {
        let dir = try TempDir()
        XCTAssertThrowsError(try RunStore(path: dir.path("none.sqlite"), create: false)) {
            XCTAssertTrue("\($0)".contains("no results database here"))
        }
    }

    func testWALModeAndApplicationID() throws {
        let dir = try TempDir()
        let store = try RunStore(path: dir.path("r.sqlite"))
        XCTAssertEqual(try store.db.scalar("PRAGMA journal_mode")?.string, "wal")
        XCTAssertEqual(try store.db.scalar("PRAGMA application_id")?.int, Int(RunStore.applicationID))
    }
}

/// Error texts collected from several threads.
private final class OpenFailures: @unchecked Sendable {
    private let lock = NSLock()
    private var texts: [String] = []
    func add(_ text: String) { lock.lock(); texts.append(text); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return texts }
}
