import Foundation

/// Prints a sweep's progress to stderr: one rewritten line on a terminal, a line per change
/// otherwise (logs, CI), with an ETA (`secondsLeft`).
final class ProgressReporter {
    private let isTerminal: Bool
    private let quiet: Bool
    private var started = Date()
    private var lastLine = ""
    private var lastPrinted = Date()

    init(quiet: Bool = false) {
        self.quiet = quiet
        self.isTerminal = isatty(STDERR_FILENO) == 1
    }

    private func emit(_ text: String, terminalRewrite: Bool = false) {
        guard !quiet else { return }
        if isTerminal && terminalRewrite {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
        } else {
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
    }

    func start(planned: Int, alreadyDone: Int, new: Int, sweep: String, profile: String, shard: Shard) {
        started = Date()
        let shardText = shard.count > 1 ? ", shard \(shard)" : ""
        emit("sweep \(sweep) (profile \(profile)\(shardText)): \(planned) runs planned, \(new) new, \(alreadyDone) already done")
    }

    /// `activeRuns`: this process's running runs as (fraction of iterations done, seconds since
    /// start); before any run has ended they give the ETA's per-run time.
    func update(counts: [RunStatus: Int], planned: Int, activeHere: Int, jobs: Int, meanRunSeconds: Double?,
                activeRuns: [(fraction: Double, seconds: Double)] = []) {
        let done = (counts[.finished] ?? 0) + (counts[.diverged] ?? 0)
        let queued = counts[.queued] ?? 0
        let running = counts[.running] ?? 0
        let left = ProgressReporter.secondsLeft(queued: queued, running: running, jobs: jobs, meanRunSeconds: meanRunSeconds,
                                                activeRuns: activeRuns)
        let eta = left.map { "ETA \(ProgressReporter.clock($0))" } ?? "ETA --"
        var parts = ["[\(done)/\(planned) done", "\(running) running"]
        if !activeRuns.isEmpty {
            parts[1] += " (" + activeRuns.map { String(format: "%.0f%%", 100 * $0.fraction) }.joined(separator: ", ") + ")"
        }
        if activeHere < running { parts.append("\(running - activeHere) elsewhere") }
        if let f = counts[.failed], f > 0 { parts.append("\(f) failed") }
        if let k = counts[.killed], k > 0 { parts.append("\(k) killed") }
        let line = parts.joined(separator: ", ") + "] elapsed \(ProgressReporter.clock(Date().timeIntervalSince(started))) \(eta)"
        // Off a terminal, print when a run ends and otherwise once a minute.
        let key = "\(done) \(counts[.failed] ?? 0) \(counts[.killed] ?? 0)"
        if isTerminal {
            emit(line, terminalRewrite: true)
        } else if key != lastLine || Date().timeIntervalSince(lastPrinted) >= 60 {
            emit(line)
            lastPrinted = Date()
        }
        lastLine = key
    }

    /// Wall seconds until the sweep ends: the queued runs at the per-run estimate plus what the
    /// running runs here still need (their projection), shared over `jobs`, and never less than
    /// the longest running run's remainder; runs elsewhere or just started count as half a run.
    /// The per-run estimate is the larger of the finished runs' mean and the running runs'
    /// projection (runs that diverge end in seconds, so the mean alone can badly underestimate).
    /// nil before anything can be estimated.
    static func secondsLeft(queued: Int, running: Int, jobs: Int, meanRunSeconds: Double?,
                            activeRuns: [(fraction: Double, seconds: Double)]) -> Double? {
        let progressing = activeRuns.filter { $0.fraction >= 0.02 }
        let totals = progressing.map { $0.seconds / $0.fraction }
        let projected = totals.isEmpty ? nil : totals.reduce(0, +) / Double(totals.count)
        guard let perRun = [meanRunSeconds, projected].compactMap({ $0 }).max() else { return nil }
        let remainders = zip(progressing, totals).map { max(0, $1 - $0.seconds) }
        let unprojected = max(0, running - progressing.count)
        let work = Double(queued) * perRun + remainders.reduce(0, +) + 0.5 * Double(unprojected) * perRun
        return max(work / Double(max(1, jobs)), remainders.max() ?? 0)
    }

    func finish(counts: [RunStatus: Int], planned: Int, interrupted: Bool) {
        if isTerminal && !quiet { FileHandle.standardError.write(Data("\n".utf8)) }
        let summary = RunStatus.allCases.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }.joined(separator: ", ")
        let head = interrupted ? "interrupted: running runs marked killed; rerun the same command to resume" : "sweep done"
        emit("\(head) (\(summary); \(ProgressReporter.clock(Date().timeIntervalSince(started))))")
    }

    static func clock(_ seconds: Double) -> String {
        let s = max(0, Int(seconds.rounded()))
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
