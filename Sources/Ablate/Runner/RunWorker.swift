import Engine
import Foundation

/// The `ablate worker` process: executes one claimed run and records everything about it.
///
/// A heartbeat thread (own database connection) stamps `heartbeat_at` every `heartbeatInterval`
/// seconds and watches for SIGINT/SIGTERM and for the death of the sweep that spawned it; in those
/// cases it marks the run `killed` and exits. Results are stored only while the run is still this
/// worker's (a run requeued as stale is not overwritten by a late worker).
struct RunWorker {
    var dbPath: String
    var runID: String
    var directory: URL
    var threads: Int
    var heartbeatInterval: Double
    /// The sweep's pid; if our parent changes, the sweep died and the run is abandoned.
    var parentPID: Int?
    var executor: RunExecutor

    /// Exit codes of `ablate worker`.
    enum Code {
        static let ok: Int32 = 0
        static let failed: Int32 = 1
        static let notOurs: Int32 = 4
        static let killed: Int32 = 130
    }

    func run() throws -> Int32 {
        let pid = Int(getpid())
        let store = try RunStore(path: dbPath, create: false)
        guard try store.attach(id: runID, pid: pid), let record = try store.record(id: runID) else {
            FileHandle.standardError.write(Data("ablate worker: run \(runID) is not running (not claimed, or taken over)\n".utf8))
            return Code.notOurs
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config: RunConfig
        do { config = try RunConfig.decode(json: record.configJSON) } catch {
            try store.end(id: runID, as: .failed, message: "stored config does not decode: \(error)", pid: pid)
            return Code.failed
        }
        let heart = Heartbeat(dbPath: dbPath, runID: runID, pid: pid, interval: heartbeatInterval, parentPID: parentPID)
        try heart.start()
        let sink = LogSink(store: store, runID: runID, csv: directory.appendingPathComponent("train_log.csv"))
        let start = Date()
        let outcome: RunOutcome
        do {
            outcome = try executor.execute(config: config, directory: directory, threads: threads) { sink.append($0) }
        } catch {
            heart.stop()
            try store.end(id: runID, as: .failed, message: "\(error)", pid: pid)
            FileHandle.standardError.write(Data("ablate worker: run \(runID) failed: \(error)\n".utf8))
            return Code.failed
        }
        heart.stop()
        if let error = sink.error { throw error }
        let wall = Date().timeIntervalSince(start)
        guard try store.complete(id: runID, pid: pid, outcome: outcome, wallSeconds: wall) else {
            FileHandle.standardError.write(Data("ablate worker: run \(runID) was requeued or killed meanwhile; result discarded\n".utf8))
            return Code.notOurs
        }
        try RunArtifacts.writeMetrics(outcome.metrics, to: directory.appendingPathComponent("metrics.json"))
        return Code.ok
    }
}

/// Stores training-log rows as the executor reports them (database + CSV).
private final class LogSink: @unchecked Sendable {
    private let lock = NSLock()
    private let store: RunStore
    private let runID: String
    private let csv: FileHandle?
    private(set) var error: Error?

    init(store: RunStore, runID: String, csv: URL) {
        self.store = store
        self.runID = runID
        _ = FileManager.default.createFile(atPath: csv.path, contents: Data(RunArtifacts.trainLogHeader.utf8))
        self.csv = FileHandle(forWritingAtPath: csv.path)
        self.csv?.seekToEndOfFile()
    }

    func append(_ row: TrainLogRow) {
        lock.lock(); defer { lock.unlock() }
        do { try store.appendTrainLog(id: runID, row) } catch { if self.error == nil { self.error = error } }
        csv?.write(Data(RunArtifacts.csvLine(row).utf8))
    }
}

/// The worker's heartbeat thread; also the place where signals and a vanished parent end the run.
private final class Heartbeat: @unchecked Sendable {
    let dbPath: String, runID: String, pid: Int, interval: Double, parentPID: Int?
    private let lock = NSLock()
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)
    /// Signalled by `stop` so the loop's 0.1 s tick does not delay the end of the run.
    private let wake = DispatchSemaphore(value: 0)

    init(dbPath: String, runID: String, pid: Int, interval: Double, parentPID: Int?) {
        self.dbPath = dbPath; self.runID = runID; self.pid = pid; self.interval = interval; self.parentPID = parentPID
    }

    func start() throws {
        let box = StoreBox(try RunStore(path: dbPath, create: false))
        SignalWatch.install()
        let thread = Thread { [self] in self.loop(box.store) }
        thread.start()
    }

    func stop() {
        lock.lock(); stopped = true; lock.unlock()
        wake.signal()
        done.wait()
    }

    private var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

    private func loop(_ store: RunStore) {
        var last = Date.distantPast
        while !isStopped {
            if SignalWatch.received != 0 { abandon(store, "killed by signal \(SignalWatch.received)") }
            if let parentPID, Int(getppid()) != parentPID { abandon(store, "killed: the sweep (pid \(parentPID)) that started this worker is gone") }
            if Date().timeIntervalSince(last) >= interval {
                last = Date()
                // A busy database is retried on the next tick; a lost run is left to `complete`.
                _ = try? store.heartbeat(id: runID, pid: pid)
            }
            _ = wake.wait(timeout: .now() + min(0.1, interval))
        }
        done.signal()
    }

    private func abandon(_ store: RunStore, _ message: String) -> Never {
        _ = try? store.end(id: runID, as: .killed, message: message, pid: pid)
        FileHandle.standardError.write(Data("ablate worker: run \(runID) \(message)\n".utf8))
        exit(RunWorker.Code.killed)
    }
}

/// Hands a connection to the thread that alone uses it from then on.
private final class StoreBox: @unchecked Sendable {
    let store: RunStore
    init(_ store: RunStore) { self.store = store }
}
