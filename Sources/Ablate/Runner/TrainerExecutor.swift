import Engine
import Foundation

/// The real executor: trains RetinaNet on `config`, predicts on the validation split and
/// evaluates with COCOKit. Not wired yet — the Engine's trainer lands on another branch; until
/// then every sweep fails with `ExecutorError.trainerUnavailable` before planning any work.
struct TrainerExecutor: RunExecutor {
    func checkAvailable() throws { throw ExecutorError.trainerUnavailable }

    func execute(config: RunConfig, directory: URL, threads: Int,
                 log: @escaping @Sendable (TrainLogRow) -> Void) throws -> RunOutcome {
        throw ExecutorError.trainerUnavailable
    }
}
