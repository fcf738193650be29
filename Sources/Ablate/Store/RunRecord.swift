import Foundation

/// One row of `runs` as the program reads it.
struct RunRecord: Sendable, Equatable {
    var id: String
    var sweep: String
    var configJSON: String
    var protocolVersion: Int
    var status: RunStatus
    var seed: Int
    var gitCommit: String?
    var host: String?
    var pid: Int?
    var attempts: Int
    var message: String?
    var queuedAt: String
    var startedAt: String?
    var finishedAt: String?
    var wallSeconds: Double?
    /// Seconds since 1970 (UTC) of the last sign of life of the run's worker.
    var heartbeatAt: Double?

    static let columns = "id, sweep, config_json, protocol_version, status, seed, git_commit, host, pid, attempts, message, queued_at, started_at, finished_at, wall_seconds, heartbeat_at"

    init(row: [SQLiteValue]) {
        id = row[0].string ?? ""
        sweep = row[1].string ?? ""
        configJSON = row[2].string ?? ""
        protocolVersion = row[3].int ?? 0
        status = RunStatus(rawValue: row[4].string ?? "") ?? .failed
        seed = row[5].int ?? 0
        gitCommit = row[6].string
        host = row[7].string
        pid = row[8].int
        attempts = row[9].int ?? 0
        message = row[10].string
        queuedAt = row[11].string ?? ""
        startedAt = row[12].string
        finishedAt = row[13].string
        wallSeconds = row[14].double
        heartbeatAt = row[15].double
    }
}

/// One row of the training log, reported while a run trains.
struct TrainLogRow: Sendable, Equatable {
    var iteration: Int
    var lossCls: Double
    var lossBox: Double
    /// Learning rate in effect at this iteration.
    var lr: Double
    /// Seconds since the run's training started.
    var seconds: Double
}

/// Timestamps as stored: ISO-8601 UTC text for humans, seconds since 1970 for heartbeats.
enum Clock {
    static func now() -> Double { Date().timeIntervalSince1970 }

    static func iso(_ seconds: Double = now()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}
