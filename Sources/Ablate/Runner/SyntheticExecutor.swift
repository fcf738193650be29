import Engine
import Foundation

/// TEST-ONLY executor: pretends to train so that the runner (worker processes, heartbeats,
/// Ctrl-C, kill -9, shards, merge) can be tested for real. Its metrics are a fixed smooth
/// function of the config — they are not results and must never be reported as such.
///
/// Environment: `ABLATE_SYNTHETIC_SECONDS` (sleep per run, default 0.3),
/// `ABLATE_SYNTHETIC_SPIN` (instead of sleeping, burn this many ×10⁷ dependent multiply-adds,
/// about 40 ms each on the dev machine: a fixed amount of single-threaded CPU work, for
/// measuring `--jobs` scaling),
/// `ABLATE_SYNTHETIC_ROWS` (train-log rows, default 5), `ABLATE_SYNTHETIC_FAIL_ALPHA` (runs
/// with this α throw, to test failed runs), `ABLATE_SYNTHETIC_CRASH_ALPHA` (runs with this α
/// SIGKILL their own worker after the first log row, to test a worker that dies silently).
struct SyntheticExecutor: RunExecutor {
    var seconds: Double = 0.3
    var spin: Int = 0
    var rows: Int = 5
    var failAlpha: Double? = nil
    var crashAlpha: Double? = nil

    static func fromEnvironment() -> SyntheticExecutor {
        let env = ProcessInfo.processInfo.environment
        var e = SyntheticExecutor()
        if let s = env["ABLATE_SYNTHETIC_SECONDS"].flatMap(Double.init) { e.seconds = max(0, s) }
        if let s = env["ABLATE_SYNTHETIC_SPIN"].flatMap(Int.init) { e.spin = max(0, s) }
        if let s = env["ABLATE_SYNTHETIC_ROWS"].flatMap(Int.init) { e.rows = max(1, s) }
        e.failAlpha = env["ABLATE_SYNTHETIC_FAIL_ALPHA"].flatMap(Double.init)
        e.crashAlpha = env["ABLATE_SYNTHETIC_CRASH_ALPHA"].flatMap(Double.init)
        return e
    }

    func execute(config: RunConfig, directory: URL, threads: Int,
                 log: @escaping @Sendable (TrainLogRow) -> Void) throws -> RunOutcome {
        if let failAlpha, failAlpha == config.alpha { throw ExecutorError.synthetic("asked to fail for alpha \(failAlpha)") }
        let start = Date()
        var sink = 1.0
        for row in 0..<rows {
            if spin > 0 {
                sink = SyntheticExecutor.burn(units: spin / rows + (row < spin % rows ? 1 : 0), seed: sink)
            } else {
                Thread.sleep(forTimeInterval: seconds / Double(rows))
            }
            let it = (row + 1) * max(1, config.iterations / rows)
            let decay = exp(-Double(row) / Double(rows))
            log(TrainLogRow(iteration: it, lossCls: 0.1 + decay, lossBox: 0.05 + 0.5 * decay, lr: config.baseLR,
                            seconds: Date().timeIntervalSince(start)))
            if let crashAlpha, crashAlpha == config.alpha { kill(getpid(), SIGKILL) }
        }
        let diverged = !config.priorInit && config.loss == .focal && config.gamma == 0
        // Keeps the burned work observable, so the optimiser cannot drop it.
        let note = "synthetic executor (test only): metrics are not results" + (sink == 0.125 ? "." : "")
        if diverged { return RunOutcome(status: .diverged, metrics: [:], message: note) }
        return RunOutcome(status: .finished, metrics: SyntheticExecutor.metrics(for: config), message: note)
    }

    /// A fixed amount of CPU work: units × 10⁷ dependent multiply-adds (not optimised away).
    static func burn(units: Int, seed: Double) -> Double {
        var x = seed
        for _ in 0..<(units * 10_000_000) { x = x * 0.999_999_9 + 1e-9 }
        return x
    }

    /// Deterministic pseudo-metrics shaped roughly like the paper's trends (best near γ = 2,
    /// α = 0.25 for FL), so tables and orderings have something to show in tests.
    static func metrics(for c: RunConfig) -> [String: Double] {
        let bestAlpha = c.gamma >= 1 ? 0.25 : 0.75
        var ap = 0.30 + 0.04 * exp(-pow(c.gamma - 2, 2) / 2) - 0.3 * pow(c.alpha - bestAlpha, 2)
        ap += 0.01 * Double(c.aspectRatios.count) + 0.002 * Double(min(c.scalesPerOctave, 3))
        ap += 0.00002 * Double(c.scale) + 0.0005 * Double(c.depth)
        ap += 0.001 * Double(c.seed % 3)
        if c.loss == .ohem { ap -= 0.02 + 0.00002 * Double(c.ohemBatch) }
        if c.loss == .flStar { ap -= 0.002 * c.beta }
        ap = min(max(ap, 0), 1)
        var m: [String: Double] = [
            "AP": ap, "AP50": min(1, ap * 1.55), "AP75": ap * 1.06,
            "APs": ap * 0.45, "APm": ap * 1.1, "APl": ap * 1.35,
            "AR1": ap * 0.9, "AR10": ap * 1.4, "AR100": ap * 1.5,
            "ARs": ap * 0.8, "ARm": ap * 1.5, "ARl": ap * 1.8,
            "inference_ms": 1e-4 * Double(c.scale * c.scale) * Double(c.depth) / 18,
        ]
        for (i, name) in ["circle", "square", "triangle"].enumerated() {
            m["AP/\(name)"] = ap * (0.9 + 0.1 * Double(i))
        }
        return m
    }
}
