import CSQLite

/// A prepared statement: prepared in `init`, finalized in `deinit`. Bind with `bind`, then
/// iterate with `step()` (true while a row is available) or run once with `run()`.
final class SQLiteStatement {
    private let handle: OpaquePointer
    private let db: SQLiteDatabase
    let sql: String

    init(_ db: SQLiteDatabase, _ sql: String) throws {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(db.handle, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw db.error(rc, sql: sql)
        }
        self.handle = stmt
        self.db = db
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds values to the `?` parameters in order (1-based in SQLite).
    @discardableResult
    func bind(_ values: [SQLiteValue]) throws -> SQLiteStatement {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(handle, index)
            case .integer(let v): rc = sqlite3_bind_int64(handle, index, v)
            case .real(let v): rc = sqlite3_bind_double(handle, index, v)
            case .text(let v): rc = sqlite3_bind_text(handle, index, v, -1, csqlite_transient())
            }
            guard rc == SQLITE_OK else { throw db.error(rc, sql: sql) }
        }
        return self
    }

    /// Advances to the next row; false when the statement is done.
    func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw db.error(rc, sql: sql)
        }
    }

    /// Runs the statement to completion, ignoring rows.
    func run() throws {
        while try step() {}
        sqlite3_reset(handle)
    }

    /// All rows, each as an array of column values.
    func rows() throws -> [[SQLiteValue]] {
        var out: [[SQLiteValue]] = []
        while try step() { out.append((0..<columnCount).map { column($0) }) }
        sqlite3_reset(handle)
        return out
    }

    var columnCount: Int { Int(sqlite3_column_count(handle)) }

    func columnName(_ i: Int) -> String { String(cString: sqlite3_column_name(handle, Int32(i))) }

    func column(_ i: Int) -> SQLiteValue {
        let index = Int32(i)
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, index))
        case SQLITE_NULL: return .null
        default:
            guard let text = sqlite3_column_text(handle, index) else { return .null }
            return .text(String(cString: text))
        }
    }
}

/// A value in or out of SQLite.
enum SQLiteValue: Equatable, Sendable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    var string: String? {
        switch self {
        case .text(let s): return s
        case .integer(let v): return String(v)
        case .real(let v): return String(v)
        case .null: return nil
        }
    }

    var double: Double? {
        switch self {
        case .integer(let v): return Double(v)
        case .real(let v): return v
        case .text(let s): return Double(s)
        case .null: return nil
        }
    }

    var int: Int? {
        switch self {
        case .integer(let v): return Int(v)
        case .real(let v): return Int(exactly: v)
        case .text(let s): return Int(s)
        case .null: return nil
        }
    }

    var description: String { string ?? "NULL" }
}

extension SQLiteValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    init(stringLiteral value: String) { self = .text(value) }
    init(integerLiteral value: Int64) { self = .integer(value) }
    init(floatLiteral value: Double) { self = .real(value) }
    init(_ value: Int) { self = .integer(Int64(value)) }
    init(_ value: Double) { self = .real(value) }
    init(_ value: String?) { self = value.map { .text($0) } ?? .null }
}
