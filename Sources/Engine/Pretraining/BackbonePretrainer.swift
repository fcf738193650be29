import Foundation

/// Pretrains a ResNet backbone on the built-in classification task (64×64 patches of one shape,
/// 12 categories + "no object"), the stand-in for the paper's ImageNet initialisation.
///
/// Recipe (fixed; part of `EngineProtocol.version`): batch 64 fresh patches per iteration (the
/// generator is unlimited, so there is no overfitting), random horizontal flip, SGD momentum 0.9,
/// weight decay 1e-4, LR 0.1 with a 100-iteration linear warm-up, ÷10 at 2/3 and 8/9, BatchNorm in
/// training mode. Held-out accuracy is measured on 1,040 patches no training step saw.
public struct BackbonePretrainer {
    public var depth: Int
    public var width: Int
    public var dataSeed: UInt64
    public var iterations: Int
    public var batchSize = 64
    public var patchSize = 64
    public var baseLR = 0.1
    public var seed: UInt64 = 2017

    /// Patch indices used for evaluation start here (training uses 0..<iterations·batch).
    static let heldOutStart = 1 << 30
    static let heldOutCount = 1040

    public init(depth: Int, width: Int, dataSeed: UInt64, iterations: Int) {
        self.depth = depth; self.width = width; self.dataSeed = dataSeed; self.iterations = iterations
    }

    /// The pretraining a run config asks for.
    public init(runConfig c: RunConfig) {
        self.init(depth: c.depth, width: c.width, dataSeed: c.dataSeed, iterations: c.pretrainIterations)
    }

    /// File name identifying this recipe's result in a cache directory.
    public var cacheName: String {
        "backbone-p\(EngineProtocol.version)-d\(depth)-w\(width)-data\(dataSeed)-it\(iterations)-b\(batchSize)-s\(patchSize).safetensors"
    }

    /// Trains and returns the classifier plus held-out accuracy; `log(iteration, loss, accuracy?)`
    /// every 50 iterations.
    public func train(threads: Int, log: (Int, Double, Double?) -> Void) throws -> (model: BackboneClassifier, accuracy: Double) {
        let layout = try ResNetBackbone.Layout.resnet(depth: depth, width: width)
        let sampler = ShapesClassificationSampler(config: ShapesConfig(seed: dataSeed), size: patchSize)
        let classes = ShapesClassificationSampler.classCount
        let model = BackboneClassifier(layout: layout, numClasses: classes, seed: seed, ctx: ComputeContext(threads: threads))
        let sgd = SGD(parameters: model.parameters, momentum: 0.9, weightDecay: 1e-4)
        let schedule = LRSchedule(baseLR: baseLR, warmupIterations: min(100, iterations / 4), warmupFactor: 0.1,
                                  milestones: [iterations * 2 / 3, iterations * 8 / 9])
        var rng = SeededRandom(seed: seed, stream: 0xF1_1000)
        let plane = patchSize * patchSize
        var images = [Float](repeating: 0, count: batchSize * 3 * plane)
        var labels = [Int](repeating: 0, count: batchSize)
        var window = 0.0
        for it in 0..<iterations {
            let flips = (0..<batchSize).map { _ in rng.uniform() < 0.5 }
            try fill(&images, &labels, sampler: sampler, first: it * batchSize, flips: flips, threads: threads)
            let logits = try model.forward(images: images, batch: batchSize, height: patchSize, width: patchSize, training: true)
            let loss = SoftmaxCrossEntropy.compute(logits: logits.data, labels: labels, classes: classes, grad: model.logitsGrad.data)
            guard loss.isFinite else { throw TrainingError.invalidConfig("backbone pretraining diverged at iteration \(it) (loss \(loss))") }
            sgd.zeroGrad()
            model.backward()
            sgd.step(lr: Float(schedule.lr(at: it)))
            window += loss
            if (it + 1) % 50 == 0 || it + 1 == iterations {
                log(it + 1, window / Double((it % 50) + 1), nil)
                window = 0
            }
        }
        let accuracy = try evaluate(model, sampler: sampler, threads: threads)
        log(iterations, .nan, accuracy)
        return (model, accuracy)
    }

    /// Held-out top-1 accuracy.
    func evaluate(_ model: BackboneClassifier, sampler: ShapesClassificationSampler, threads: Int) throws -> Double {
        let plane = patchSize * patchSize, classes = ShapesClassificationSampler.classCount
        var images = [Float](repeating: 0, count: batchSize * 3 * plane)
        var labels = [Int](repeating: 0, count: batchSize)
        var correct = 0, total = 0
        var start = Self.heldOutStart
        while total < Self.heldOutCount {
            try fill(&images, &labels, sampler: sampler, first: start, flips: Array(repeating: false, count: batchSize), threads: threads)
            let logits = try model.forward(images: images, batch: batchSize, height: patchSize, width: patchSize, training: false)
            for i in 0..<batchSize where total < Self.heldOutCount {
                var best = 0
                for c in 1..<classes where logits.data[i * classes + c] > logits.data[i * classes + best] { best = c }
                correct += best == labels[i] ? 1 : 0
                total += 1
            }
            start += batchSize
        }
        return Double(correct) / Double(total)
    }

    /// Renders patches first..<first+batch into `images` (NCHW, normalised like the detector's input).
    func fill(_ images: inout [Float], _ labels: inout [Int], sampler: ShapesClassificationSampler, first: Int,
              flips: [Bool], threads: Int) throws {
        let plane = patchSize * patchSize, n = labels.count
        images.withUnsafeMutableBufferPointer { img in
            labels.withUnsafeMutableBufferPointer { lab in
                let out = UncheckedSendable((img, lab))
                let work: @Sendable (Int) -> Void = { i in
                    let s = sampler.sample(at: first + i)
                    out.value.1[i] = s.label
                    s.image.writeNormalizedCHW(into: UnsafeMutableBufferPointer(start: out.value.0.baseAddress! + i * 3 * plane, count: 3 * plane),
                                               normalization: .shapes, flipped: flips[i])
                }
                if threads > 1 { DispatchQueue.concurrentPerform(iterations: n, execute: work) } else { for i in 0..<n { work(i) } }
            }
        }
    }
}
