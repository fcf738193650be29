import Engine
import Foundation

/// `ablate bench train-step`: the engine's speed on the benchmark network.
enum BenchCommand: AblateCommand {
    static let name = "bench"
    static let abstract = "time the engine: median training step and inference batch of the benchmark RetinaNet"
    static let usage = "train-step [--size N] [--batch N] [--threads N] [--iterations N] [--json]"
    static let discussion = """
    The network (issue 3's benchmark): ResNet-18 layout with widths 32/64/128/256, FPN 64 on
    C3–C5 with P6/P7, heads 4 × (3×3 conv 64 + ReLU), 10 classes × 9 anchors, random images of
    SIZE×SIZE. A training step is forward + focal loss + smooth L1 + backward + SGD. Compare with
    PyTorch on the same network: python3 bench/engine_vs_torch.py (see docs/BENCHMARKS.md).
    """
    static let options: [OptionSpec] = [
        OptionSpec(name: "size", value: "N", help: "image side in pixels (default 128)"),
        OptionSpec(name: "batch", value: "N", help: "images per step (default 8)"),
        OptionSpec(name: "threads", value: "N", help: "compute threads (default 2)"),
        OptionSpec(name: "iterations", value: "N", help: "timed steps (default 10)"),
        OptionSpec(name: "json", value: nil, help: "print one JSON object instead of text"),
    ]

    static func run(_ args: Arguments) throws -> Int32 {
        let what = try args.positionals(exactly: ["what"])[0]
        guard what == "train-step" else { throw UsageError(command: name, message: "unknown benchmark '\(what)' (known: train-step)") }
        let size = try args.int("size", min: 16) ?? 128
        let batch = try args.int("batch", min: 1) ?? 8
        let threads = try args.int("threads", min: 1) ?? 2
        let iterations = try args.int("iterations", min: 1) ?? 10
        let s = try TrainStepBenchmark.run(size: size, batch: batch, threads: threads, iterations: iterations)
        if args.has("json") { print(s.json); return 0 }
        print(String(format: "train step (size %d, batch %d, %d threads): median %.1f ms, min %.1f ms over %d steps",
                     size, batch, threads, s.trainMedianMs, s.trainMinMs, iterations))
        print(String(format: "inference batch: median %.1f ms, min %.1f ms", s.inferenceMedianMs, s.inferenceMinMs))
        print(String(format: "convolution work: %.2f GFLOP per training step (%.0f GFLOP/s at the median)",
                     s.convGflopPerStep, s.convGflopPerStep / (s.trainMedianMs / 1000)))
        return 0
    }
}
