import CSQLite

/// A failed SQLite call: result code, SQLite's message, and the SQL (if any) that failed.
struct SQLiteError: Error, CustomStringConvertible {
    var code: Int32
    var message: String
    var sql: String?

    /// The file is not an SQLite database or is damaged (`SQLITE_NOTADB` / `SQLITE_CORRUPT`).
    var isCorruption: Bool {
        let primary = code & 0xff
        return primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT
    }

    /// Another connection holds the lock longer than the busy timeout.
    var isBusy: Bool {
        let primary = code & 0xff
        return primary == SQLITE_BUSY || primary == SQLITE_LOCKED
    }

    var description: String {
        var text = "SQLite error \(code): \(message)"
        if let sql { text += " (in: \(sql.prefix(200)))" }
        return text
    }
}
