import Engine
import Foundation

/// The real executor: trains RetinaNet on `config` with the Engine, predicts on the validation
/// split and evaluates with COCOKit (`ExperimentRun`). Pretrained backbones are shared through
/// `runs/pretrained/` beside the run directories (or `$ABLATE_BACKBONE_CACHE`).
struct TrainerExecutor: RunExecutor {
    static let cacheEnvironmentKey = "ABLATE_BACKBONE_CACHE"

    /// The shared backbone cache of runs under `runsRoot` (`runs/<sweep>/<id>` → `runs/pretrained`).
    static func cacheDirectory(runsRoot: URL) -> URL {
        ProcessInfo.processInfo.environment[cacheEnvironmentKey].map { URL(fileURLWithPath: $0) }
            ?? runsRoot.appendingPathComponent("pretrained")
    }

    func prepare(configs: [RunConfig], runsRoot: URL, threads: Int) throws {
        let cache = PretrainedBackboneCache(directory: Self.cacheDirectory(runsRoot: runsRoot))
        var seen = Set<String>()
        for config in configs where config.backboneInit == "pretrained" {
            let recipe = BackbonePretrainer(runConfig: config)
            guard seen.insert(recipe.cacheName).inserted else { continue }
            _ = try cache.backbone(for: recipe, threads: threads) { line in
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        }
    }

    func execute(config: RunConfig, directory: URL, threads: Int,
                 log: @escaping @Sendable (TrainLogRow) -> Void) throws -> RunOutcome {
        let cache = Self.cacheDirectory(runsRoot: directory.deletingLastPathComponent().deletingLastPathComponent())
        let run = ExperimentRun(config: config, directory: directory, threads: threads, backboneCache: cache)
        let result = try run.execute(progress: { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }, log: { entry in
            log(TrainLogRow(entry))
            FileHandle.standardError.write(Data((TrainProgressLine.format(entry) + "\n").utf8))
        })
        switch result.status {
        case .finished:
            return RunOutcome(status: .finished, metrics: result.metrics, message: nil)
        case .diverged(let it):
            return RunOutcome(status: .diverged, metrics: [:], message: "non-finite loss at iteration \(it)")
        }
    }
}

extension TrainLogRow {
    init(_ e: TrainLogEntry) {
        self.init(iteration: e.iteration, lossCls: e.lossCls, lossBox: e.lossBox, lr: e.lr, seconds: e.seconds)
    }
}

/// The one-line progress report of a training run: iteration, losses, LR, speed, ETA.
enum TrainProgressLine {
    static func format(_ e: TrainLogEntry) -> String {
        let remaining = e.imagesPerSecond > 0
            ? Double(e.iterations - e.iteration) * e.seconds / Double(max(1, e.iteration)) : 0
        return String(format: "iter %d/%d  loss_cls %.4f  loss_box %.4f  lr %.5f  %.1f img/s  pos/img %.1f  %@ elapsed, ETA %@",
                      e.iteration, e.iterations, e.lossCls, e.lossBox, e.lr, e.imagesPerSecond, e.positivesPerImage,
                      duration(e.seconds), duration(remaining))
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%dh%02dm", t / 3600, (t % 3600) / 60) : String(format: "%dm%02ds", t / 60, t % 60)
    }
}
