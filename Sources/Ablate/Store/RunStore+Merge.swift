import Foundation

/// What `merge` did with one source database.
struct MergeReport: Sendable, Equatable {
    var source: String
    /// Runs the target did not have.
    var added = 0
    /// Runs the target had without a result (queued, running, killed, failed) and the source had
    /// finished or diverged: replaced by the source's run, metrics and log.
    var upgraded = 0
    /// Runs both had; the target's row was kept.
    var kept = 0
}

extension RunStore {
    /// Copies the runs, metrics, logs and sweep membership of another results database (a shard)
    /// into this one. Identical configs are one run (same id); a result never loses to a
    /// non-result, and between two results the one already here is kept.
    func merge(from source: String) throws -> MergeReport {
        // Opening validates (and if needed migrates) the source the same way as any database.
        _ = try RunStore(path: source, create: false)
        var report = MergeReport(source: source)
        try db.execute("ATTACH DATABASE ? AS src", [.text(source)])
        defer { try? db.execute("DETACH DATABASE src") }
        let cols = RunRecord.columns
        let setCols = cols.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0 != "id" }.map { "\($0) = s.\($0)" }.joined(separator: ", ")
        try db.inTransaction {
            try db.execute("""
                CREATE TEMP TABLE incoming (id TEXT PRIMARY KEY, kind TEXT NOT NULL);
                INSERT INTO incoming SELECT s.id, 'new' FROM src.runs s WHERE s.id NOT IN (SELECT id FROM main.runs);
                INSERT INTO incoming SELECT s.id, 'upgrade' FROM src.runs s JOIN main.runs m ON m.id = s.id
                    WHERE s.status IN ('finished', 'diverged') AND m.status NOT IN ('finished', 'diverged');
                """)
            report.added = try db.scalar("SELECT COUNT(*) FROM incoming WHERE kind = 'new'")?.int ?? 0
            report.upgraded = try db.scalar("SELECT COUNT(*) FROM incoming WHERE kind = 'upgrade'")?.int ?? 0
            let total = try db.scalar("SELECT COUNT(*) FROM src.runs")?.int ?? 0
            report.kept = total - report.added - report.upgraded
            try db.execute("""
                INSERT INTO main.runs (\(cols)) SELECT \(cols) FROM src.runs WHERE id IN (SELECT id FROM incoming WHERE kind = 'new');
                DELETE FROM main.metrics WHERE run_id IN (SELECT id FROM incoming WHERE kind = 'upgrade');
                DELETE FROM main.train_log WHERE run_id IN (SELECT id FROM incoming WHERE kind = 'upgrade');
                UPDATE main.runs SET \(setCols) FROM (SELECT * FROM src.runs) AS s
                    WHERE s.id = main.runs.id AND main.runs.id IN (SELECT id FROM incoming WHERE kind = 'upgrade');
                INSERT OR IGNORE INTO main.metrics (run_id, name, value)
                    SELECT run_id, name, value FROM src.metrics WHERE run_id IN (SELECT id FROM incoming);
                INSERT OR IGNORE INTO main.train_log (run_id, iteration, loss_cls, loss_box, lr, seconds)
                    SELECT run_id, iteration, loss_cls, loss_box, lr, seconds FROM src.train_log
                    WHERE run_id IN (SELECT id FROM incoming);
                INSERT OR IGNORE INTO main.sweep_runs (sweep, profile, paper_table, run_id, position)
                    SELECT sweep, profile, paper_table, run_id, position FROM src.sweep_runs;
                DROP TABLE temp.incoming;
                """)
        }
        return report
    }
}
