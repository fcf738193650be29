import CSQLite
import Foundation

/// One connection to an SQLite file. Not thread-safe: use one connection per thread (the worker's
/// heartbeat thread opens its own). Opened with a busy timeout so that parallel workers and sweeps
/// can share a file; write transactions are `BEGIN IMMEDIATE` so they queue on the lock instead of
/// failing when a reader upgrades.
final class SQLiteDatabase {
    let handle: OpaquePointer
    let path: String
    /// How long a call waits for another connection's lock before failing with `SQLITE_BUSY`.
    let busyTimeout: TimeInterval

    /// Opens (and with `create`, creates) the database at `path`.
    init(path: String, create: Bool = true, readOnly: Bool = false, busyTimeoutMs: Int32 = 30_000) throws {
        var db: OpaquePointer?
        var flags = SQLITE_OPEN_NOMUTEX
        if readOnly {
            flags |= SQLITE_OPEN_READONLY
        } else {
            flags |= SQLITE_OPEN_READWRITE
            if create { flags |= SQLITE_OPEN_CREATE }
        }
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close(db) }
            throw SQLiteError(code: rc, message: message, sql: nil)
        }
        self.handle = db
        self.path = path
        self.busyTimeout = TimeInterval(busyTimeoutMs) / 1000
        sqlite3_busy_timeout(db, busyTimeoutMs)
        sqlite3_extended_result_codes(db, 1)
    }

    deinit { sqlite3_close_v2(handle) }

    func error(_ code: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: code, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    /// Runs one or more statements without parameters.
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteError(code: rc, message: text, sql: sql)
        }
    }

    /// Runs one statement with parameters.
    func execute(_ sql: String, _ values: [SQLiteValue]) throws {
        try SQLiteStatement(self, sql).bind(values).run()
    }

    /// All rows of a query.
    func query(_ sql: String, _ values: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
        try SQLiteStatement(self, sql).bind(values).rows()
    }

    /// The first column of the first row, or nil.
    func scalar(_ sql: String, _ values: [SQLiteValue] = []) throws -> SQLiteValue? {
        try query(sql, values).first?.first
    }

    /// Rows changed by the last INSERT/UPDATE/DELETE on this connection.
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE`), committing on return and rolling
    /// back on any thrown error. `readOnly` makes it a deferred transaction instead: a consistent
    /// snapshot for several reads without taking the write lock.
    func inTransaction<T>(readOnly: Bool = false, _ body: () throws -> T) throws -> T {
        try execute(readOnly ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }
}
