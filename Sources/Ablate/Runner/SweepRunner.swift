import Engine
import Foundation

/// Settings of one `ablate sweep` invocation.
struct SweepOptions: Sendable {
    var spec: ExperimentSpec
    var profile: String
    var dbPath: String
    var jobs: Int = 1
    var shard: Shard = .all
    /// nil: the default (real trainer); "synthetic" only in tests.
    var executorName: String?
    /// Threads per run; default: cores / jobs (at least 1).
    var threadsPerRun: Int?
    /// Seconds between a worker's heartbeats.
    var heartbeatInterval: Double = 5
    /// A running run whose heartbeat is older than this is considered dead and queued again.
    var staleAfter: Double = 60
    /// Root of run directories; default `runs/` beside the database.
    var runsDirectory: String?
}

/// What a sweep ended with.
struct SweepSummary: Sendable, Equatable {
    var planned: Int
    var newInDatabase: Int
    /// Runs this invocation executed (claimed and saw end).
    var executed: Int
    var counts: [RunStatus: Int]
    var interrupted: Bool

    /// All planned runs have a result (finished or diverged).
    var complete: Bool { (counts[.finished] ?? 0) + (counts[.diverged] ?? 0) == planned }
}

/// The sweep loop: plans into the database, then keeps up to `jobs` worker processes busy, one
/// run each, claiming runs atomically; waits for runs that another live sweep is running;
/// requeues runs whose worker died; reports progress; on SIGINT/SIGTERM stops its workers and
/// marks their runs `killed`.
final class SweepRunner {
    let options: SweepOptions
    let progress: ProgressReporter

    init(options: SweepOptions, progress: ProgressReporter) {
        self.options = options
        self.progress = progress
    }

    private struct Active {
        var child: ChildProcess
        var runID: String
        var started: Date
        var directory: URL
        var iterations: Int
        /// Fraction of the run's iterations logged so far (read from `train_log` about once a second).
        var fraction = 0.0
    }

    func run() throws -> SweepSummary {
        let plan = try SweepPlanner.plan(options.spec, profile: options.profile, shard: options.shard)
        let executor = try ExecutorChoice.make(options.executorName)
        try executor.checkAvailable()
        let store = try RunStore(path: options.dbPath)
        let fullPlan = options.shard == .all ? plan : try SweepPlanner.plan(options.spec, profile: options.profile)
        let added = try store.plan(plan, sweep: options.spec.name, profile: options.profile, table: options.spec.table,
                                   currentPlan: Set(fullPlan.map { $0.id }))
        let ids = plan.map(\.id)
        let iterationsByID = Dictionary(plan.map { ($0.id, $0.config.iterations) }, uniquingKeysWith: { a, _ in a })
        let host = Provenance.hostName()
        let claimant = Claimant(host: host, pid: Int(getpid()), gitCommit: Provenance.gitCommit())
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        // Threads per worker: the cores shared by the runs that will run beside it, so the last
        // run of a sweep (or a one-run sweep) gets every core instead of cores / jobs.
        func threadsForClaimedRun(alreadyActive: Int) throws -> Int {
            if let t = options.threadsPerRun { return t }
            let waiting = try store.statusCounts(ids: ids)[.queued] ?? 0
            return max(1, cores / max(1, min(options.jobs, alreadyActive + 1 + waiting)))
        }
        let runsRoot = options.runsDirectory.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: options.dbPath).deletingLastPathComponent().appendingPathComponent("runs")
        let exe = ChildProcess.currentExecutable()

        try store.requeueStale(ids: ids, graceSeconds: options.staleAfter, host: host)
        // Shared preparation (backbone pretraining) with all cores, before the signal handler is
        // installed: Ctrl-C here simply ends the process; the cache is written atomically.
        let pending = Set(try store.records(ids: ids).filter { $0.status != .finished && $0.status != .diverged }.map(\.id))
        try executor.prepare(configs: plan.filter { pending.contains($0.id) }.map(\.config), runsRoot: runsRoot, threads: cores)
        SignalWatch.install()
        var active: [Active] = []
        var executed = 0
        var durations: [Double] = []
        var lastStaleCheck = Date()
        var interrupted = false
        let startCounts = try store.statusCounts(ids: ids)
        progress.start(planned: plan.count, alreadyDone: (startCounts[.finished] ?? 0) + (startCounts[.diverged] ?? 0),
                       new: added, sweep: options.spec.name, profile: options.profile, shard: options.shard)

        while true {
            // Reap workers that ended; a worker that died without recording marks its run failed.
            active.removeAll { a in
                guard let exit = a.child.poll() else { return false }
                executed += 1
                durations.append(Date().timeIntervalSince(a.started))
                if exit != .status(0), let run = try? store.record(id: a.runID), run.status == .running {
                    _ = try? store.end(id: a.runID, as: .failed,
                                       message: "worker \(a.child.pid) ended with \(exit) without recording a result; see \(a.directory.path)/worker.log",
                                       pid: Int(a.child.pid))
                }
                return true
            }
            if SignalWatch.received != 0 {
                interrupted = true
                stopWorkers(active, store: store)
                active = []
                break
            }
            if Date().timeIntervalSince(lastStaleCheck) >= 1 {
                lastStaleCheck = Date()
                try store.requeueStale(ids: ids, graceSeconds: options.staleAfter, host: host)
                for i in active.indices {
                    let it = (try? store.latestIteration(id: active[i].runID)) ?? nil
                    active[i].fraction = min(1, Double(it ?? 0) / Double(max(1, active[i].iterations)))
                }
            }
            while active.count < options.jobs, let run = try store.claimNext(ids: ids, claimant: claimant) {
                let dir = runsRoot.appendingPathComponent(run.sweep).appendingPathComponent(run.id)
                do {
                    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                    let threads = try threadsForClaimedRun(alreadyActive: active.count)
                    var args = [exe, "worker", "--db", options.dbPath, "--run", run.id, "--dir", dir.path,
                                "--threads", String(threads), "--heartbeat", String(options.heartbeatInterval),
                                "--parent", String(getpid())]
                    if let name = options.executorName { args += ["--executor", name] }
                    let child = try ChildProcess.spawn(args, outputFile: dir.appendingPathComponent("worker.log").path)
                    active.append(Active(child: child, runID: run.id, started: Date(), directory: dir,
                                         iterations: iterationsByID[run.id] ?? 1))
                } catch {
                    try store.end(id: run.id, as: .failed, message: "could not start a worker: \(error)")
                }
            }
            let counts = try store.statusCounts(ids: ids)
            progress.update(counts: counts, planned: plan.count, activeHere: active.count, jobs: options.jobs,
                            meanRunSeconds: durations.isEmpty ? nil : durations.reduce(0, +) / Double(durations.count),
                            activeRuns: active.map { ($0.fraction, Date().timeIntervalSince($0.started)) })
            if active.isEmpty && (counts[.queued] ?? 0) == 0 && (counts[.running] ?? 0) == 0 { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        let counts = try store.statusCounts(ids: ids)
        progress.finish(counts: counts, planned: plan.count, interrupted: interrupted)
        return SweepSummary(planned: plan.count, newInDatabase: added, executed: executed, counts: counts,
                            interrupted: interrupted)
    }

    /// Ctrl-C: asks every worker to stop (they mark their run `killed`), waits up to 10 s, then
    /// kills stragglers and marks what is still running as killed.
    private func stopWorkers(_ active: [Active], store: RunStore) {
        for a in active { a.child.signal(SIGTERM) }
        let deadline = Date().addingTimeInterval(10)
        var pending = active
        while !pending.isEmpty && Date() < deadline {
            pending.removeAll { $0.child.poll() != nil }
            if !pending.isEmpty { Thread.sleep(forTimeInterval: 0.05) }
        }
        for a in pending { a.child.signal(SIGKILL); _ = a.child.wait() }
        for a in active {
            _ = try? store.end(id: a.runID, as: .killed, message: "killed: the sweep was interrupted")
        }
    }
}
