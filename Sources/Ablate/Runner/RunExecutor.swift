import Engine
import Foundation

/// The seam between the runner and the engine: trains and evaluates one config.
///
/// `execute` writes its artifacts (gt.json, preds.json, checkpoint.safetensors) into `directory`,
/// calls `log` as training progresses (the worker stores each row in `train_log` and
/// `train_log.csv`) and returns the outcome; the worker stores it in `metrics` and writes
/// metrics.json. A run whose loss becomes non-finite returns `.diverged`, not an error; a thrown
/// error marks the run `failed` with the error's text.
protocol RunExecutor: Sendable {
    /// Throws a clear error if this executor cannot run at all (checked before a sweep plans).
    func checkAvailable() throws
    func execute(config: RunConfig, directory: URL, threads: Int,
                 log: @escaping @Sendable (TrainLogRow) -> Void) throws -> RunOutcome
    /// Work shared by the runs about to start (pretrained backbones), done once with all cores
    /// before the workers start, so parallel workers do not wait on each other for it.
    func prepare(configs: [RunConfig], runsRoot: URL, threads: Int) throws
}

extension RunExecutor {
    func checkAvailable() throws {}
    func prepare(configs: [RunConfig], runsRoot: URL, threads: Int) throws {}
}

/// Errors of the executors.
enum ExecutorError: Error, CustomStringConvertible {
    case unknownExecutor(String)
    case synthetic(String)

    var description: String {
        switch self {
        case .unknownExecutor(let name):
            return "--executor: unknown executor '\(name)' (known: trainer; synthetic is for tests only)"
        case .synthetic(let message):
            return "synthetic executor: \(message)"
        }
    }
}

/// Chooses the executor. The default is the real trainer; `synthetic` (hidden `--executor
/// synthetic` or `ABLATE_EXECUTOR=synthetic`) exists only so the tests can drive the runner's
/// processes, heartbeats and signals for real. It is never chosen by default.
enum ExecutorChoice {
    static let environmentKey = "ABLATE_EXECUTOR"

    static func make(_ name: String?) throws -> RunExecutor {
        let chosen = name ?? ProcessInfo.processInfo.environment[environmentKey] ?? "trainer"
        switch chosen {
        case "trainer": return TrainerExecutor()
        case "synthetic": return SyntheticExecutor.fromEnvironment()
        default: throw ExecutorError.unknownExecutor(chosen)
        }
    }
}
