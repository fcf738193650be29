import XCTest
import Foundation
@testable import Engine

/// Whole-network checks on a tiny RetinaNet: finite-difference gradients through backbone, FPN
/// and shared heads; determinism; checkpoint round trip; shape errors.
final class RetinaNetTests: XCTestCase {
    static func tinyConfig(groupNorm: Int? = nil, bn: BatchNorm.Mode = .train, block: ResNetBackbone.BlockType = .basic) -> RetinaNetConfig {
        var c = RetinaNetConfig(backbone: .init(blockType: block, stageBlocks: [1, 1, 1, 1], width: 4), numClasses: 3)
        c.fpnChannels = 8; c.headConvs = 2; c.headChannels = 8; c.anchorsPerLocation = 2; c.headGroupNorm = groupNorm
        c.bnMode = bn
        return c
    }

    /// Focal + smooth-L1 on fixed random labels/targets; fills the output gradients; returns the loss.
    struct SyntheticLoss {
        var labels: [[Int32]] = []
        var targets: [[Float]] = []
        init(_ out: HeadOutputs, seed: UInt64) {
            var rng = SeededRandom(seed: seed)
            for l in 0..<5 {
                let anchors = out.batch * out.anchors(level: l)
                labels.append((0..<anchors).map { _ in
                    let u = rng.uniform()
                    return u < 0.1 ? Int32(rng.int(below: out.classes)) : (u < 0.15 ? ClassLabel.ignore : ClassLabel.background)
                })
                targets.append((0..<(anchors * 4)).map { _ in Float(rng.normal() * 0.5) })
            }
        }
        func apply(_ out: HeadOutputs, fillGrad: Bool) -> Double {
            var total = 0.0
            for l in 0..<5 {
                let anchors = out.batch * out.anchors(level: l)
                total += FocalLoss.compute(logits: out.classLogits[l].data, labels: labels[l], anchors: anchors,
                                           classes: out.classes, alpha: 0.25, gamma: 2, normalizer: 4,
                                           grad: fillGrad ? out.classGrad[l].data : nil).value
                total += SmoothL1Loss.compute(pred: out.boxDeltas[l].data, target: targets[l], labels: labels[l],
                                              anchors: anchors, beta: 0.11, normalizer: 4,
                                              grad: fillGrad ? out.boxGrad[l].data : nil).value
            }
            return total
        }
    }

    static func images(_ n: Int, _ h: Int, _ w: Int, seed: UInt64) -> [Float] {
        var rng = SeededRandom(seed: seed)
        return (0..<(n * 3 * h * w)).map { _ in Float(rng.normal()) }
    }

    func gradientCheck(_ config: RetinaNetConfig, h: Int, w: Int) throws {
        let net = try RetinaNet(config: config, seed: 3, ctx: ComputeContext(threads: 2))
        // Larger head weights than the 0.01 init so every path carries a measurable gradient.
        var rng = SeededRandom(seed: 4)
        for (name, p) in net.namedParameters where name.hasPrefix("head.") && p.shape.count == 4 { p.fillNormal(std: 0.2, rng: &rng) }
        let img = Self.images(2, h, w, seed: 8)
        let out = try net.forward(images: img, batch: 2, height: h, width: w, training: true)
        let loss = SyntheticLoss(out, seed: 9)
        let names = Set(["backbone.conv1.weight", "backbone.bn1.weight", "backbone.layer1.0.conv2.weight",
                         "backbone.layer3.0.downsample.0.weight", "backbone.layer4.0.bn2.bias",
                         "fpn.lateral3.weight", "fpn.lateral5.bias", "fpn.output4.weight", "fpn.p6.weight", "fpn.p7.bias",
                         "head.cls.conv.0.weight", "head.cls.conv.1.bias", "head.cls.logits.weight", "head.cls.logits.bias",
                         "head.box.conv.1.weight", "head.box.deltas.weight", "head.cls.norm.0.weight", "head.box.norm.1.bias",
                         "backbone.layer2.0.conv3.weight"])
        let vars = net.namedParameters.filter { names.contains($0.0) && $0.1.trainable }.map { GradCheck.param($0.1) }
        XCTAssertGreaterThanOrEqual(vars.count, 14)
        // Tolerance 5% (per-layer checks use 1%): a perturbation of an early weight moves thousands of
        // activations, so many ReLU / max-pool kinks fall inside ±eps; the kink filter removes the
        // worst, the rest blur the central difference by a few percent (analytic and numeric then
        // converge as eps shrinks, checked by hand for eps = 1e-2…1e-4).
        try GradCheck.check(vars, samples: 10, eps: 1e-3, tolerance: 5e-2, maxKinkFraction: 0.4,
                            loss: { loss.apply(try net.forward(images: img, batch: 2, height: h, width: w, training: true), fillGrad: false) },
                            backward: {
                                net.zeroGrad()
                                _ = loss.apply(net.outputs, fillGrad: true)
                                net.backward()
                            })
    }

    func testGradientCheckWholeNetwork() throws {
        try gradientCheck(Self.tinyConfig(), h: 45, w: 38)
        try gradientCheck(Self.tinyConfig(groupNorm: 2, bn: .frozen), h: 33, w: 40)
        try gradientCheck(Self.tinyConfig(block: .bottleneck), h: 36, w: 36)
    }

    func testOutputShapesForNonSquareInput() throws {
        let net = try RetinaNet(config: Self.tinyConfig(), seed: 1, ctx: ComputeContext(threads: 1))
        let out = try net.forward(images: Self.images(1, 256, 341, seed: 2), batch: 1, height: 256, width: 341, training: false)
        XCTAssertEqual(out.sizes.map { $0.h }, [32, 16, 8, 4, 2])
        XCTAssertEqual(out.sizes.map { $0.w }, [43, 22, 11, 6, 3])
        XCTAssertEqual(out.classLogits[0].count, 32 * 43 * 2 * 3)
        XCTAssertEqual(out.boxDeltas[4].count, 2 * 3 * 2 * 4)
        // Prior-π init: class logits start near −log(99) ≈ −4.595.
        let mean = (0..<out.classLogits[0].count).map { out.classLogits[0].data[$0] }.reduce(0, +) / Float(out.classLogits[0].count)
        XCTAssertEqual(mean, -4.595, accuracy: 0.05)
    }

    func testShapeErrorsAreThrown() throws {
        let net = try RetinaNet(config: Self.tinyConfig(), seed: 1, ctx: ComputeContext(threads: 1))
        XCTAssertThrowsError(try net.forward(images: [1, 2, 3], batch: 1, height: 8, width: 8, training: true))
        let conv = Conv2d(name: "c", inputChannels: 3, outputChannels: 2, kernelSize: 3, ctx: ComputeContext())
        XCTAssertThrowsError(try conv.forward(Tensor(n: 1, c: 4, h: 5, w: 5))) { e in
            XCTAssertTrue("\(e)".contains("c.weight"))
        }
        XCTAssertThrowsError(try ResNetBackbone.Layout.resnet(depth: 19, width: 8))
    }

    /// Three SGD steps; returns the class logits of the last forward and all parameter values.
    static func trainSteps(threads: Int, seed: UInt64, config: RetinaNetConfig = tinyConfig(), winogradMinTiles: Int? = nil) throws
        -> ([Float], [Float]) {
        let ctx = ComputeContext(threads: threads)
        if let m = winogradMinTiles { ctx.winogradMinTiles = m }
        let net = try RetinaNet(config: config, seed: seed, ctx: ctx)
        let sgd = SGD(parameters: net.parameters, momentum: 0.9, weightDecay: 1e-4)
        let img = Self.images(2, 40, 48, seed: 5)
        var loss: SyntheticLoss? = nil
        for _ in 0..<3 {
            let out = try net.forward(images: img, batch: 2, height: 40, width: 48, training: true)
            if loss == nil { loss = SyntheticLoss(out, seed: 6) }
            sgd.zeroGrad()
            _ = loss!.apply(out, fillGrad: true)
            net.backward()
            sgd.step(lr: 0.01)
        }
        let out = try net.forward(images: img, batch: 2, height: 40, width: 48, training: false)
        return (out.classLogits[0].toArray(), net.parameters.flatMap { $0.value.toArray() })
    }

    /// Same seed → bitwise-identical weights and outputs; also across 1 and 2 threads (every
    /// parallel split is over output elements).
    func testDeterminism() throws {
        let a = try Self.trainSteps(threads: 1, seed: 7)
        let b = try Self.trainSteps(threads: 1, seed: 7)
        let c = try Self.trainSteps(threads: 2, seed: 7)
        let d = try Self.trainSteps(threads: 1, seed: 8)
        XCTAssertEqual(a.0, b.0); XCTAssertEqual(a.1, b.1)
        XCTAssertEqual(a.0, c.0); XCTAssertEqual(a.1, c.1)
        XCTAssertNotEqual(a.1, d.1)
    }

    /// The same with channel counts (16…128) that take the Winograd path in every eligible conv,
    /// including the heads over all levels.
    func testDeterminismWinograd() throws {
        var config = Self.tinyConfig()
        config.backbone.width = 16; config.fpnChannels = 16; config.headChannels = 16
        let a = try Self.trainSteps(threads: 1, seed: 7, config: config, winogradMinTiles: 1)
        let b = try Self.trainSteps(threads: 2, seed: 7, config: config, winogradMinTiles: 1)
        XCTAssertEqual(a.0, b.0); XCTAssertEqual(a.1, b.1)
    }

    /// Freezing the stem and stage 1 leaves every other gradient bitwise unchanged, gives the
    /// frozen parameters no gradient and no SGD update.
    func testFreezeBackbone() throws {
        var config = Self.tinyConfig()
        config.backbone.width = 16; config.fpnChannels = 16; config.headChannels = 16
        let img = Self.images(2, 40, 48, seed: 5)
        func grads(freeze: Int?) throws -> (RetinaNet, [[Float]]) {
            let net = try RetinaNet(config: config, seed: 3, ctx: ComputeContext(threads: 2))
            if let k = freeze { try net.freezeBackbone(throughStage: k) }
            let out = try net.forward(images: img, batch: 2, height: 40, width: 48, training: true)
            for p in net.parameters { p.zeroGrad() }
            _ = SyntheticLoss(out, seed: 6).apply(out, fillGrad: true)
            net.backward()
            return (net, net.parameters.map { $0.isBuffer ? [] : $0.grad.toArray() })
        }
        let (_, full) = try grads(freeze: nil)
        let (net, part) = try grads(freeze: 1)
        var frozen = 0
        for (i, p) in net.parameters.enumerated() where !p.isBuffer {
            let isFrozen = p.name.hasPrefix("conv1.") || p.name.hasPrefix("bn1.") || p.name.hasPrefix("layer1.")
            XCTAssertEqual(p.trainable, !isFrozen, p.name)
            if isFrozen {
                frozen += 1
                XCTAssertTrue(part[i].allSatisfy { $0 == 0 }, p.name)
            } else {
                XCTAssertEqual(part[i], full[i], p.name)
            }
        }
        XCTAssertGreaterThan(frozen, 4)
        let before = net.parameters.filter { !$0.trainable && !$0.isBuffer }.map { $0.value.toArray() }
        SGD(parameters: net.parameters, momentum: 0.9, weightDecay: 1e-4).step(lr: 0.1)
        XCTAssertEqual(net.parameters.filter { !$0.trainable && !$0.isBuffer }.map { $0.value.toArray() }, before)
        XCTAssertThrowsError(try net.freezeBackbone(throughStage: 5))
    }

    func testCheckpointRoundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("engine-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ctx = ComputeContext(threads: 1)
        let a = try RetinaNet(config: Self.tinyConfig(), seed: 1, ctx: ctx)
        let img = Self.images(1, 40, 40, seed: 3)
        _ = try a.forward(images: img, batch: 1, height: 40, width: 40, training: true)  // moves BN running stats
        let file = dir.appendingPathComponent("model.safetensors")
        try a.save(to: file, metadata: ["engine": "test"])
        let b = try RetinaNet(config: Self.tinyConfig(), seed: 2, ctx: ComputeContext(threads: 1))
        try b.load(from: file)
        let ya = try a.forward(images: img, batch: 1, height: 40, width: 40, training: false).classLogits[1].toArray()
        let yb = try b.forward(images: img, batch: 1, height: 40, width: 40, training: false).classLogits[1].toArray()
        XCTAssertEqual(ya, yb)
        let (tensors, meta) = try SafeTensors.read(file)
        XCTAssertEqual(meta["engine"], "test")
        XCTAssertEqual(tensors["backbone.layer1.0.conv1.weight"]?.shape, [4, 4, 3, 3])
        XCTAssertNotNil(tensors["backbone.bn1.running_var"])

        // Backbone-only checkpoint (torchvision names) from a classifier into a detector.
        let clf = BackboneClassifier(layout: Self.tinyConfig().backbone, numClasses: 5, seed: 9, ctx: ctx)
        let bfile = dir.appendingPathComponent("backbone.safetensors")
        try clf.backbone.save(to: bfile)
        try b.loadBackbone(from: bfile)
        XCTAssertEqual(b.backbone.parameters[0].value.toArray(), clf.backbone.parameters[0].value.toArray())
        XCTAssertNotNil(try SafeTensors.read(bfile).tensors["layer4.0.downsample.1.running_mean"])

        // A truncated file or a wrong shape gives an error naming the file and the place.
        let data = try Data(contentsOf: file)
        let bad = dir.appendingPathComponent("bad.safetensors")
        try data.prefix(data.count / 2).write(to: bad)
        XCTAssertThrowsError(try b.load(from: bad)) { XCTAssertTrue("\($0)".contains("bad.safetensors")) }
        let other = try RetinaNet(config: { var c = Self.tinyConfig(); c.fpnChannels = 16; return c }(), seed: 1, ctx: ctx)
        XCTAssertThrowsError(try other.load(from: file)) { XCTAssertTrue("\($0)".contains("fpn.")) }
    }

    /// Backbone pretraining path: classifier loss decreases on a fixed batch.
    func testClassifierTrains() throws {
        let ctx = ComputeContext(threads: 2)
        let clf = BackboneClassifier(layout: Self.tinyConfig().backbone, numClasses: 3, seed: 1, ctx: ctx)
        let sgd = SGD(parameters: clf.parameters, momentum: 0.9, weightDecay: 0)
        let img = Self.images(6, 32, 32, seed: 4)
        let labels = [0, 1, 2, 0, 1, 2]
        var losses: [Double] = []
        for _ in 0..<15 {
            let logits = try clf.forward(images: img, batch: 6, height: 32, width: 32, training: true)
            sgd.zeroGrad()
            losses.append(SoftmaxCrossEntropy.compute(logits: logits.data, labels: labels, classes: 3, grad: clf.logitsGrad.data))
            clf.backward()
            sgd.step(lr: 0.05)
        }
        XCTAssertLessThan(losses.last!, 0.5 * losses.first!)
    }
}
