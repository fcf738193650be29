import Foundation

/// The results database (`results.sqlite`): runs, metrics, training logs, sweep membership and
/// the table views, on SQLite in WAL mode with a busy timeout so that a sweep, its workers and a
/// second sweep can share one file. Every write is one transaction.
///
/// Opening validates the file: a non-SQLite or damaged file, an SQLite file of another
/// application, or a schema newer than this program is refused with a `StoreError`; an older
/// schema is migrated in place.
final class RunStore {
    let db: SQLiteDatabase
    let path: String

    /// Opens the database at `path`, creating it when `create` is true and it does not exist.
    /// `schemaVersion` below the current one leaves the schema at that version (for tests of
    /// migrations); it never downgrades.
    init(path: String, create: Bool = true, schemaVersion target: Int = RunStore.schemaVersion) throws {
        self.path = path
        let fm = FileManager.default
        let exists = fm.fileExists(atPath: path)
        if !exists && !create { throw StoreError.missing(path: path) }
        if exists { try RunStore.checkHeader(path: path) }
        do {
            db = try SQLiteDatabase(path: path, create: create)
            try db.execute("PRAGMA foreign_keys = ON")
            try validateAndMigrate(target: target)
            if target == RunStore.schemaVersion { try refreshViewsIfNeeded() }
        } catch let error as SQLiteError where error.isCorruption {
            throw StoreError.corrupt(path: path, detail: error.message)
        }
    }

    /// Refuses files that do not start with SQLite's 16-byte header (empty files are new).
    private static func checkHeader(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw StoreError.unreadable(path: path) }
        defer { try? handle.close() }
        let header = handle.readData(ofLength: 16)
        if header.isEmpty { return }
        if header != Data("SQLite format 3\u{0}".utf8) {
            throw StoreError.notSQLite(path: path)
        }
    }

    private func validateAndMigrate(target: Int) throws {
        // One snapshot: read separately, a concurrent opener's first migration could commit
        // between the reads and make a fresh file look like another application's.
        let (appID, version, tables) = try db.inTransaction(readOnly: true) {
            (Int32(truncatingIfNeeded: try db.scalar("PRAGMA application_id")?.int ?? 0),
             try db.scalar("PRAGMA user_version")?.int ?? 0,
             try db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                .compactMap { $0.first?.string })
        }
        if appID != RunStore.applicationID {
            if appID != 0 {
                throw StoreError.foreign(path: path, detail: String(format: "application_id 0x%08x", appID))
            }
            if !tables.isEmpty {
                throw StoreError.foreign(path: path, detail: "tables \(tables.sorted().joined(separator: ", "))")
            }
        }
        if version > RunStore.schemaVersion {
            throw StoreError.tooNew(path: path, version: version, known: RunStore.schemaVersion)
        }
        try enableWAL()
        guard version < target else { return }
        for step in version..<target {
            try db.inTransaction {
                // Re-read inside the lock: a concurrent opener may have migrated already.
                let current = try db.scalar("PRAGMA user_version")?.int ?? 0
                guard current == step else { return }
                try db.execute(RunStore.migrations[step])
                try db.execute("PRAGMA application_id = \(RunStore.applicationID)")
                try db.execute("PRAGMA user_version = \(step + 1)")
            }
        }
    }

    /// Switches the file to WAL (a no-op once it is). The switch needs an exclusive lock and SQLite
    /// does not call the busy handler for it, so an opener racing another one on a new file
    /// retries here for as long as the busy timeout would have waited.
    private func enableWAL() throws {
        let deadline = Date().addingTimeInterval(db.busyTimeout)
        while true {
            do {
                if try db.scalar("PRAGMA journal_mode")?.string?.lowercased() == "wal" { return }
                try db.execute("PRAGMA journal_mode = WAL")
                return
            } catch let error as SQLiteError where error.isBusy && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.005)
            }
        }
    }

    /// (Re)creates the views when the schema, the views or the protocol version changed.
    private func refreshViewsIfNeeded() throws {
        let stamp = RunStore.viewsStamp
        if try db.scalar("SELECT value FROM meta WHERE key = 'views'")?.string == stamp { return }
        try db.inTransaction {
            if try db.scalar("SELECT value FROM meta WHERE key = 'views'")?.string == stamp { return }
            for name in RunStore.viewNames.reversed() { try db.execute("DROP VIEW IF EXISTS \(name)") }
            try db.execute(RunStore.viewsSQL)
            try db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('views', ?)", [.text(stamp)])
        }
    }

    /// The schema version recorded in the file.
    func schemaVersionOnDisk() throws -> Int { try db.scalar("PRAGMA user_version")?.int ?? 0 }
}

/// Why a results database cannot be used.
enum StoreError: Error, CustomStringConvertible {
    case missing(path: String)
    case unreadable(path: String)
    case notSQLite(path: String)
    case corrupt(path: String, detail: String)
    case foreign(path: String, detail: String)
    case tooNew(path: String, version: Int, known: Int)
    case unknownRun(path: String, id: String)
    case ambiguousRun(path: String, id: String, matches: [String])

    var description: String {
        switch self {
        case .missing(let p):
            return "\(p): no results database here (run `ablate sweep …` first, or pass --db FILE)"
        case .unreadable(let p):
            return "\(p): cannot read the file (check its permissions)"
        case .notSQLite(let p):
            return "\(p): not an SQLite database (its first 16 bytes are not the SQLite header); refusing to use it as a results database"
        case .corrupt(let p, let d):
            return "\(p): the SQLite file is corrupt (\(d)); restore it from a copy or pass another --db"
        case .foreign(let p, let d):
            return "\(p): an SQLite database of another application (\(d)), not an ablate results database; pass another --db"
        case .tooNew(let p, let v, let k):
            return "\(p): schema version \(v) was written by a newer ablate (this one knows up to \(k)); update ablate"
        case .unknownRun(let p, let id):
            return "\(p): no run with id '\(id)' (see `ablate runs`)"
        case .ambiguousRun(let p, let id, let m):
            return "\(p): run id prefix '\(id)' matches \(m.count) runs (\(m.prefix(5).joined(separator: ", "))…); give more digits"
        }
    }
}
