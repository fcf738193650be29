import Foundation

/// Read-only questions about runs, metrics and logs.
extension RunStore {
    func record(id: String) throws -> RunRecord? {
        try db.query("SELECT \(RunRecord.columns) FROM runs WHERE id = ?", [.text(id)]).first.map(RunRecord.init)
    }

    /// The runs with these ids, in no particular order.
    func records(ids: [String]) throws -> [RunRecord] {
        var out: [RunRecord] = []
        // Chunked to stay far below SQLite's bound-parameter limit.
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            out += try db.query("SELECT \(RunRecord.columns) FROM runs WHERE id IN (\(marks))", chunk.map { .text($0) })
                .map(RunRecord.init)
        }
        return out
    }

    /// Runs, newest first, optionally only of one sweep (membership) and/or one status.
    func records(sweep: String? = nil, status: RunStatus? = nil) throws -> [RunRecord] {
        var clauses: [String] = []
        var values: [SQLiteValue] = []
        if let sweep {
            clauses.append("id IN (SELECT run_id FROM sweep_runs WHERE sweep = ?)")
            values.append(.text(sweep))
        }
        if let status { clauses.append("status = ?"); values.append(.text(status.rawValue)) }
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        return try db.query("SELECT \(RunRecord.columns) FROM runs \(filter) ORDER BY queued_at DESC, id", values)
            .map(RunRecord.init)
    }

    /// Finds a run by its id or a unique prefix of it.
    func resolve(runID: String) throws -> RunRecord {
        let pattern = runID.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
        let matches = try db.query("SELECT \(RunRecord.columns) FROM runs WHERE id LIKE ? ORDER BY id LIMIT 6",
                                   [.text(pattern)]).map(RunRecord.init)
        if let exact = matches.first(where: { $0.id == runID }) { return exact }
        guard !matches.isEmpty else { throw StoreError.unknownRun(path: path, id: runID) }
        guard matches.count == 1 else { throw StoreError.ambiguousRun(path: path, id: runID, matches: matches.map(\.id)) }
        return matches[0]
    }

    func metrics(id: String) throws -> [String: Double] {
        var out: [String: Double] = [:]
        for row in try db.query("SELECT name, value FROM metrics WHERE run_id = ?", [.text(id)]) {
            if let name = row[0].string, let value = row[1].double { out[name] = value }
        }
        return out
    }

    func trainLog(id: String) throws -> [TrainLogRow] {
        try db.query("""
            SELECT iteration, loss_cls, loss_box, lr, seconds FROM train_log WHERE run_id = ? ORDER BY iteration
            """, [.text(id)]).map {
            TrainLogRow(iteration: $0[0].int ?? 0, lossCls: $0[1].double ?? .nan, lossBox: $0[2].double ?? .nan,
                        lr: $0[3].double ?? .nan, seconds: $0[4].double ?? .nan)
        }
    }

    /// How many of `ids` are in each status.
    /// The last training iteration a run logged (nil before its first log row).
    func latestIteration(id: String) throws -> Int? {
        try db.scalar("SELECT MAX(iteration) FROM train_log WHERE run_id = ?", [.text(id)])?.int
    }

    func statusCounts(ids: [String]) throws -> [RunStatus: Int] {
        var counts: [RunStatus: Int] = [:]
        for run in try records(ids: ids) { counts[run.status, default: 0] += 1 }
        return counts
    }

    /// Sweeps and profiles that planned runs for a paper table, with the time of their latest
    /// finished run (ISO text), newest first.
    func profiles(table: String) throws -> [(profile: String, latest: String?)] {
        try db.query("""
            SELECT s.profile, MAX(r.finished_at) FROM sweep_runs s JOIN runs r ON r.id = s.run_id
            WHERE s.paper_table = ? GROUP BY s.profile ORDER BY MAX(r.finished_at) DESC
            """, [.text(table)]).map { ($0[0].string ?? "", $0[1].string) }
    }

    /// A whole view or query as column names plus rows.
    func select(_ sql: String, _ values: [SQLiteValue] = []) throws -> (columns: [String], rows: [[SQLiteValue]]) {
        let statement = try SQLiteStatement(db, sql).bind(values)
        let columns = (0..<statement.columnCount).map { statement.columnName($0) }
        return (columns, try statement.rows())
    }
}
