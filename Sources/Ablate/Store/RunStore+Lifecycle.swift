import Engine
import Foundation

/// Who claims a run: recorded in the run so that a dead worker can be recognised.
struct Claimant: Sendable {
    var host: String
    var pid: Int
    var gitCommit: String
}

/// What a finished execution returns.
struct RunOutcome: Sendable, Equatable {
    /// `.finished` or `.diverged`.
    var status: RunStatus
    /// `cocoeval --json` names (AP … ARl) as fractions, `inference_ms` per image, `AP/<category>`.
    var metrics: [String: Double]
    var message: String?
}

extension RunStore {
    /// Records the planned runs of a sweep (identical configs are one run) and their membership,
    /// then queues again those of them that were killed or failed. Returns the number of runs that
    /// were new to the database.
    ///
    /// `currentPlan`: the ids of the whole plan of this sweep and profile (all shards). Runs that
    /// belonged to the sweep under an older version of its spec or profile leave the membership,
    /// so the tables show only runs of the current plan; the runs themselves stay in `runs`.
    @discardableResult
    func plan(_ runs: [PlannedRun], sweep: String, profile: String, table: String?, currentPlan: Set<String>? = nil) throws -> Int {
        try db.inTransaction {
            if let currentPlan {
                let members = try db.query("SELECT run_id FROM sweep_runs WHERE sweep = ? AND profile = ?", [.text(sweep), .text(profile)])
                for row in members {
                    guard let id = row[0].string, !currentPlan.contains(id) else { continue }
                    try db.execute("DELETE FROM sweep_runs WHERE sweep = ? AND profile = ? AND run_id = ?", [.text(sweep), .text(profile), .text(id)])
                }
            }
            var inserted = 0
            let now = Clock.iso()
            let insertRun = try SQLiteStatement(db, """
                INSERT OR IGNORE INTO runs (id, sweep, config_json, protocol_version, status, seed, queued_at)
                VALUES (?, ?, ?, ?, 'queued', ?, ?)
                """)
            let insertMember = try SQLiteStatement(db, """
                INSERT OR IGNORE INTO sweep_runs (sweep, profile, paper_table, run_id, position) VALUES (?, ?, ?, ?, ?)
                """)
            let requeue = try SQLiteStatement(db, """
                UPDATE runs SET status = 'queued', queued_at = ? WHERE id = ? AND status IN ('killed', 'failed')
                """)
            for (position, run) in runs.enumerated() {
                try insertRun.bind([.text(run.id), .text(sweep), .text(run.configJSON),
                                    SQLiteValue(EngineProtocol.version), .integer(Int64(bitPattern: run.config.seed)),
                                    .text(now)]).run()
                inserted += db.changes
                try insertMember.bind([.text(sweep), .text(profile), SQLiteValue(table), .text(run.id),
                                       SQLiteValue(position)]).run()
                try requeue.bind([.text(now), .text(run.id)]).run()
            }
            return inserted
        }
    }

    /// Queues again the `running` runs among `ids` whose worker is gone: on this host its pid no
    /// longer exists, or (any host) its heartbeat is older than `graceSeconds`. Returns their ids.
    @discardableResult
    func requeueStale(ids: [String], graceSeconds: Double, host: String, now: Double = Clock.now()) throws -> [String] {
        let running = try records(ids: ids).filter { $0.status == .running }
        var requeued: [String] = []
        for run in running {
            let beat = run.heartbeatAt ?? 0
            let pidGone = run.host == host && (run.pid.map { !ProcessLiveness.isAlive(pid: $0) } ?? true)
            guard pidGone || now - beat > graceSeconds else { continue }
            let why = pidGone
                ? "requeued: worker pid \(run.pid ?? 0) on \(host) is gone"
                : "requeued: no heartbeat from \(run.host ?? "?") pid \(run.pid ?? 0) for \(Int(now - beat)) s"
            try db.inTransaction {
                try db.execute("""
                    UPDATE runs SET status = 'queued', message = ?, queued_at = ?
                    WHERE id = ? AND status = 'running' AND heartbeat_at IS ?
                    """, [.text(why), .text(Clock.iso(now)), .text(run.id), run.heartbeatAt.map { .real($0) } ?? .null])
                if db.changes == 1 { requeued.append(run.id) }
            }
        }
        return requeued
    }

    /// Atomically takes the first queued run of `ids` (in that order) and marks it running for
    /// `claimant`; nil when none is queued. Two sweeps on one database never get the same run.
    func claimNext(ids: [String], claimant: Claimant) throws -> RunRecord? {
        try db.inTransaction {
            let queued = Set(try records(ids: ids).filter { $0.status == .queued }.map(\.id))
            guard let id = ids.first(where: queued.contains) else { return nil }
            let now = Clock.now()
            try db.execute("""
                UPDATE runs SET status = 'running', host = ?, pid = ?, git_commit = ?, started_at = ?,
                    heartbeat_at = ?, attempts = attempts + 1, finished_at = NULL, wall_seconds = NULL
                WHERE id = ? AND status = 'queued'
                """, [.text(claimant.host), SQLiteValue(claimant.pid), .text(claimant.gitCommit),
                      .text(Clock.iso(now)), .real(now), .text(id)])
            guard db.changes == 1 else { return nil }
            // A rerun starts clean: drop what an earlier, unfinished attempt left.
            try db.execute("DELETE FROM metrics WHERE run_id = ?", [.text(id)])
            try db.execute("DELETE FROM train_log WHERE run_id = ?", [.text(id)])
            return try record(id: id)
        }
    }

    /// The worker `pid` takes over a claimed run (heartbeats now come from it).
    func attach(id: String, pid: Int) throws -> Bool {
        try db.inTransaction {
            try db.execute("UPDATE runs SET pid = ?, heartbeat_at = ? WHERE id = ? AND status = 'running'",
                           [SQLiteValue(pid), .real(Clock.now()), .text(id)])
            return db.changes == 1
        }
    }

    /// Records a sign of life; false if the run is no longer this worker's (requeued or killed).
    func heartbeat(id: String, pid: Int) throws -> Bool {
        try db.inTransaction {
            try db.execute("UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running' AND pid = ?",
                           [.real(Clock.now()), .text(id), SQLiteValue(pid)])
            return db.changes == 1
        }
    }

    func appendTrainLog(id: String, _ row: TrainLogRow) throws {
        try db.inTransaction {
            try db.execute("""
                INSERT OR REPLACE INTO train_log (run_id, iteration, loss_cls, loss_box, lr, seconds)
                VALUES (?, ?, ?, ?, ?, ?)
                """, [.text(id), SQLiteValue(row.iteration), finite(row.lossCls), finite(row.lossBox),
                      finite(row.lr), finite(row.seconds)])
        }
    }

    /// Stores the outcome of worker `pid`'s run in one transaction; false (and nothing written)
    /// if the run is no longer this worker's.
    func complete(id: String, pid: Int, outcome: RunOutcome, wallSeconds: Double) throws -> Bool {
        try db.inTransaction {
            guard let run = try record(id: id), run.status == .running, run.pid == pid else { return false }
            var message = outcome.message
            let dropped = outcome.metrics.filter { !$0.value.isFinite }.map(\.key).sorted()
            if !dropped.isEmpty {
                message = [message, "non-finite metrics not stored: \(dropped.joined(separator: ", "))"]
                    .compactMap { $0 }.joined(separator: "; ")
            }
            let insert = try SQLiteStatement(db, "INSERT OR REPLACE INTO metrics (run_id, name, value) VALUES (?, ?, ?)")
            for (name, value) in outcome.metrics.sorted(by: { $0.key < $1.key }) where value.isFinite {
                try insert.bind([.text(id), .text(name), .real(value)]).run()
            }
            try db.execute("""
                UPDATE runs SET status = ?, finished_at = ?, wall_seconds = ?, heartbeat_at = ?, message = ?
                WHERE id = ?
                """, [.text(outcome.status.rawValue), .text(Clock.iso()), .real(wallSeconds), .real(Clock.now()),
                      SQLiteValue(message), .text(id)])
            return true
        }
    }

    /// Ends a running run as `failed` or `killed`. With `pid`, only if it is still that worker's.
    @discardableResult
    func end(id: String, as status: RunStatus, message: String, pid: Int? = nil) throws -> Bool {
        try db.inTransaction {
            try db.execute("""
                UPDATE runs SET status = ?, message = ?, finished_at = ?,
                    wall_seconds = (julianday('now') - julianday(started_at)) * 86400.0
                WHERE id = ? AND status = 'running' AND (? IS NULL OR pid = ?)
                """,
                [.text(status.rawValue), .text(message), .text(Clock.iso()), .text(id),
                 pid.map { SQLiteValue($0) } ?? .null, pid.map { SQLiteValue($0) } ?? .null])
            return db.changes == 1
        }
    }

    private func finite(_ x: Double) -> SQLiteValue { x.isFinite ? .real(x) : .null }
}

/// Whether a process id exists on this host (signal 0 probes without sending anything).
enum ProcessLiveness {
    static func isAlive(pid: Int) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid_t(pid), 0) == 0 { return true }
        return errno == EPERM
    }
}
