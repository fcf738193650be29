import Dispatch

/// Times the benchmark RetinaNet (`RetinaNetConfig.benchmark`: ResNet-18 layout widths
/// 32…256, FPN 64, heads 4×64, 10 classes × 9 anchors) on random images: a training step is
/// forward + focal loss (α .25, γ 2) + smooth-L1 (β .11) on fixed synthetic labels (1% anchors
/// foreground, 1% ignored) + backward + SGD (momentum .9, wd 1e-4); inference is
/// `forward(training: false)`. Anchor matching is not included (it belongs to the trainer).
/// `bench/engine_vs_torch.py` runs the identical step in PyTorch for the ratio.
public enum TrainStepBenchmark {
    /// Timing summary in milliseconds.
    public struct Stats: Sendable {
        public var size: Int, batch: Int, threads: Int, iterations: Int
        public var trainMedianMs: Double, trainMinMs: Double
        public var inferenceMedianMs: Double, inferenceMinMs: Double
        /// Median thread-CPU ms (single-threaded runs only, else 0): robust to a loaded machine.
        public var trainMedianCpuMs: Double, inferenceMedianCpuMs: Double
        /// Convolution phases of one training step: (name, ms per step, GFLOP/s); names starting
        /// with spaces are sub-phases of the entry above them (Winograd weight transform, pack,
        /// convolve, unpack) and are not added into `convGflopPerStep`.
        public var phases: [(name: String, ms: Double, gflops: Double)]
        /// Total convolution FLOPs of one training step (forward + both backward GEMMs).
        public var convGflopPerStep: Double
        /// Phases of one profiled inference batch (name, ms, GFLOP/s), and that batch's total ms
        /// (thread CPU for 1 thread, else wall), so the unlisted remainder is visible.
        public var inferencePhases: [(name: String, ms: Double, gflops: Double)] = []
        public var inferenceProfiledMs: Double = 0

        /// One JSON object (for bench scripts).
        public var json: String {
            func list(_ xs: [(name: String, ms: Double, gflops: Double)]) -> String {
                xs.map { "{\"name\":\"\($0.name)\",\"ms\":\(r($0.ms)),\"gflops\":\(r($0.gflops))}" }.joined(separator: ",")
            }
            return "{\"size\":\(size),\"batch\":\(batch),\"threads\":\(threads),\"iterations\":\(iterations),"
                + "\"train_median_ms\":\(r(trainMedianMs)),\"train_min_ms\":\(r(trainMinMs)),"
                + "\"inference_median_ms\":\(r(inferenceMedianMs)),\"inference_min_ms\":\(r(inferenceMinMs)),"
                + "\"train_median_cpu_ms\":\(r(trainMedianCpuMs)),\"inference_median_cpu_ms\":\(r(inferenceMedianCpuMs)),"
                + "\"conv_gflop_per_step\":\(r(convGflopPerStep)),\"phases\":[\(list(phases))],"
                + "\"inference_profiled_ms\":\(r(inferenceProfiledMs)),\"inference_phases\":[\(list(inferencePhases))]}"
        }
        private func r(_ x: Double) -> String { String(Double(Int(x * 1000)) / 1000) }
    }

    /// Runs `warmup` untimed then `iterations` timed training steps and inference batches;
    /// `winograd: false` forces the direct convolution kernels (A/B comparisons);
    /// `freezeThroughStage` freezes the backbone's stem and stages 1…k (`RetinaNet.freezeBackbone`);
    /// `foldBatchNorm: false` runs inference with separate BN passes (`ComputeContext.foldBatchNormAtInference`),
    /// `cacheWinogradWeights: false` recomputes the Winograd weights on every inference forward;
    /// `winogradMinTiles` overrides `ComputeContext.winogradMinTiles`, `winogradChain: false` runs
    /// the head convs and the BasicBlocks' convs one by one (A/B runs of those settings in one binary).
    public static func run(size: Int, batch: Int, threads: Int, iterations: Int, warmup: Int = 2,
                           config: RetinaNetConfig = .benchmark, winograd: Bool = true,
                           freezeThroughStage: Int? = nil, foldBatchNorm: Bool = true,
                           cacheWinogradWeights: Bool = true, winogradMinTiles: Int? = nil,
                           winogradChain: Bool = true) throws -> Stats {
        let ctx = ComputeContext(threads: threads)
        if let m = winogradMinTiles { ctx.winogradMinTiles = m }
        ctx.winogradChain = winogradChain
        ctx.winogradEnabled = winograd
        ctx.foldBatchNormAtInference = foldBatchNorm
        ctx.cacheWinogradWeightsAtInference = cacheWinogradWeights
        let net = try RetinaNet(config: config, seed: 1, ctx: ctx)
        if let k = freezeThroughStage { try net.freezeBackbone(throughStage: k) }
        let sgd = SGD(parameters: net.parameters, momentum: 0.9, weightDecay: 1e-4, ctx: ctx)
        var rng = SeededRandom(seed: 2)
        let images = (0..<(batch * 3 * size * size)).map { _ in Float(rng.normal()) }
        var out = try net.forward(images: images, batch: batch, height: size, width: size, training: true)
        var labels: [[Int32]] = [], targets: [[Float]] = []
        for l in 0..<5 {
            let anchors = batch * out.anchors(level: l)
            labels.append((0..<anchors).map { _ in
                let u = rng.uniform()
                return u < 0.01 ? Int32(rng.int(below: config.numClasses)) : (u < 0.02 ? ClassLabel.ignore : ClassLabel.background)
            })
            targets.append((0..<(anchors * 4)).map { _ in Float(rng.normal() * 0.5) })
        }
        let positives = Float(max(1, labels.joined().filter { $0 >= 0 }.count))
        func step() throws {
            out = try ctx.timed("step.forward", flops: 0) {
                try net.forward(images: images, batch: batch, height: size, width: size, training: true)
            }
            ctx.timed("step.zeroGrad", flops: 0) { sgd.zeroGrad() }
            ctx.timed("step.loss", flops: 0) { for l in 0..<5 {
                let anchors = labels[l].count
                _ = FocalLoss.compute(logits: out.classLogits[l].data, labels: labels[l], anchors: anchors,
                                      classes: config.numClasses, alpha: 0.25, gamma: 2, normalizer: positives,
                                      grad: out.classGrad[l].data, ctx: ctx)
                _ = SmoothL1Loss.compute(pred: out.boxDeltas[l].data, target: targets[l], labels: labels[l], anchors: anchors,
                                         beta: 0.11, normalizer: positives, grad: out.boxGrad[l].data, ctx: ctx)
            } }
            ctx.timed("step.backward", flops: 0) { net.backward() }
            ctx.timed("step.sgd", flops: 0) { sgd.step(lr: 0.001) }
        }
        var cpu: [Double] = []
        func time(_ body: () throws -> Void) rethrows -> Double {
            let t0 = DispatchTime.now().uptimeNanoseconds, c0 = Clock.threadCPU()
            try body()
            cpu.append(Double(Clock.threadCPU() - c0) / 1e6)
            return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
        }
        for _ in 0..<warmup { try step() }
        var train: [Double] = []
        for _ in 0..<iterations { train.append(try time(step)) }
        let trainCpu = cpu
        cpu = []
        // One profiled step for the per-phase breakdown (timing overhead is negligible).
        let prof = Profiler(cpuTime: threads == 1)
        ctx.profiler = prof
        try step()
        ctx.profiler = nil
        for _ in 0..<warmup { try net.forward(images: images, batch: batch, height: size, width: size, training: false) }
        var infer: [Double] = []
        for _ in 0..<iterations {
            infer.append(try time { try net.forward(images: images, batch: batch, height: size, width: size, training: false) })
        }
        let inferCpu = cpu
        // One profiled inference batch.
        let iprof = Profiler(cpuTime: threads == 1)
        ctx.profiler = iprof
        try iprof.measure("total", flops: 0) {
            _ = try net.forward(images: images, batch: batch, height: size, width: size, training: false)
        }
        ctx.profiler = nil
        func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s.isEmpty ? 0 : s[s.count / 2] }
        func sorted(_ p: Profiler) -> [(name: String, ms: Double, gflops: Double)] {
            p.entries.filter { $0.key != "total" }.sorted { $0.value.seconds > $1.value.seconds }
                .map { (name: $0.key, ms: $0.value.seconds * 1000, gflops: $0.value.gflops) }
        }
        let phases = sorted(prof)
        var stats = Stats(size: size, batch: batch, threads: threads, iterations: iterations,
                     trainMedianMs: median(train), trainMinMs: train.min() ?? 0,
                     inferenceMedianMs: median(infer), inferenceMinMs: infer.min() ?? 0,
                     trainMedianCpuMs: threads == 1 ? median(trainCpu) : 0,
                     inferenceMedianCpuMs: threads == 1 ? median(inferCpu) : 0,
                     phases: phases, convGflopPerStep: prof.entries.filter { !$0.key.hasPrefix(" ") }.values.map(\.flops).reduce(0, +) / 1e9)
        stats.inferencePhases = sorted(iprof)
        stats.inferenceProfiledMs = (iprof.entries["total"]?.seconds ?? 0) * 1000
        return stats
    }
}
