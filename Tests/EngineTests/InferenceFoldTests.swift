import XCTest
@testable import Engine

/// Inference with BatchNorm folded into the preceding conv's output pass (and the residual add +
/// ReLU into the block's last conv) against the separate BN / add passes. The fold applies the
/// same float operations in the same order, so the stated tolerance is zero: outputs must be
/// bitwise equal.
final class InferenceFoldTests: XCTestCase {
    /// Non-trivial running statistics and affine parameters for every backbone BN (fresh BNs are
    /// the identity, which would hide a wrong fold).
    static func randomizeBatchNorms(_ net: RetinaNet, seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        for bn in net.backbone.batchNorms {
            for c in 0..<bn.channels {
                bn.weight.value.data[c] = Float(rng.uniform(0.5, 1.5))
                bn.bias.value.data[c] = Float(rng.normal() * 0.2)
                bn.runningMean.value.data[c] = Float(rng.normal() * 0.3)
                bn.runningVar.value.data[c] = Float(rng.uniform(0.3, 2))
            }
        }
    }

    /// Head outputs of one inference forward with and without folding.
    func inference(_ config: RetinaNetConfig, fold: Bool, threads: Int, minTiles: Int?) throws -> [Float] {
        let ctx = ComputeContext(threads: threads)
        ctx.foldBatchNormAtInference = fold
        if let m = minTiles { ctx.winogradMinTiles = m }
        let net = try RetinaNet(config: config, seed: 11, ctx: ctx)
        Self.randomizeBatchNorms(net, seed: 12)
        var img = SeededRandom(seed: 13)
        let images = (0..<(2 * 3 * 40 * 48)).map { _ in Float(img.normal()) }
        // A training forward first: the inference forward must not depend on what it left behind.
        _ = try net.forward(images: images, batch: 2, height: 40, width: 48, training: true)
        let out = try net.forward(images: images, batch: 2, height: 40, width: 48, training: false)
        let feats = net.lastFeatures.flatMap { $0.tensor.toArray() }
        return out.classLogits.flatMap { $0.toArray() } + out.boxDeltas.flatMap { $0.toArray() } + feats
    }

    func testFoldedInferenceEqualsUnfolded() throws {
        var wide = RetinaNetTests.tinyConfig()
        wide.backbone.width = 16; wide.fpnChannels = 16; wide.headChannels = 16
        let cases: [(String, RetinaNetConfig, Int?)] = [
            ("basic, direct kernels", RetinaNetTests.tinyConfig(), nil),
            ("basic, Winograd wherever eligible", wide, 1),
            ("bottleneck", RetinaNetTests.tinyConfig(block: .bottleneck), nil),
            ("frozen BN", RetinaNetTests.tinyConfig(bn: .frozen), nil),
        ]
        for (label, config, minTiles) in cases {
            let plain = try inference(config, fold: false, threads: 1, minTiles: minTiles)
            let folded1 = try inference(config, fold: true, threads: 1, minTiles: minTiles)
            let folded2 = try inference(config, fold: true, threads: 2, minTiles: minTiles)
            XCTAssertEqual(plain.count, folded1.count, label)
            XCTAssertTrue(plain == folded1, "\(label): folded inference differs from the unfolded path")
            XCTAssertTrue(folded1 == folded2, "\(label): folded inference depends on the thread count")
            XCTAssertGreaterThan(plain.map(abs).max() ?? 0, 0, label)
        }
    }

    /// A BasicBlock whose two convs both take Winograd runs them as one blocked chain at inference
    /// (conv1's folded BN + ReLU on the blocked result); the outputs are bitwise those of the
    /// conv-by-conv path, at 1 and 2 threads, and training forwards never chain.
    func testBasicBlockWinogradChainEqualsConvByConv() throws {
        var config = RetinaNetTests.tinyConfig()
        config.backbone.width = 16; config.fpnChannels = 16; config.headChannels = 16
        var rng = SeededRandom(seed: 31)
        let images = (0..<(2 * 3 * 40 * 48)).map { _ in Float(rng.normal()) }
        func run(chain: Bool, threads: Int) throws -> (out: [Float], chained: Int) {
            let ctx = ComputeContext(threads: threads)
            ctx.winogradMinTiles = 1
            ctx.winogradChain = chain
            let net = try RetinaNet(config: config, seed: 5, ctx: ctx)
            Self.randomizeBatchNorms(net, seed: 32)
            let blocks = net.backbone.stages.flatMap { $0 }.compactMap { $0 as? BasicBlock }
            _ = try net.forward(images: images, batch: 2, height: 40, width: 48, training: true)
            XCTAssertFalse(blocks.contains { $0.chainedAtInference }, "a training forward chained a block")
            let out = try net.forward(images: images, batch: 2, height: 40, width: 48, training: false)
            let values = out.classLogits.flatMap { $0.toArray() } + out.boxDeltas.flatMap { $0.toArray() }
                + net.lastFeatures.flatMap { $0.tensor.toArray() }
            return (values, blocks.filter { $0.chainedAtInference }.count)
        }
        let plain = try run(chain: false, threads: 1)
        XCTAssertEqual(plain.chained, 0)
        XCTAssertGreaterThan(plain.out.map(abs).max() ?? 0, 0)
        for threads in [1, 2] {
            let chained = try run(chain: true, threads: threads)
            XCTAssertGreaterThan(chained.chained, 0, "no BasicBlock took the chain (\(threads) threads)")
            XCTAssertTrue(chained.out == plain.out, "chained inference differs from conv by conv (\(threads) threads)")
        }
    }

    /// Cached Winograd weights at inference: the same outputs as recomputing them, and a weight
    /// change between two inference forwards (here: a direct write, as a checkpoint load or an
    /// SGD step would make) is picked up.
    func testWinogradWeightCacheSeesWeightChanges() throws {
        var config = RetinaNetTests.tinyConfig()
        config.backbone.width = 16; config.fpnChannels = 16; config.headChannels = 16
        func net(cache: Bool) throws -> RetinaNet {
            let ctx = ComputeContext(threads: 2)
            ctx.winogradMinTiles = 1
            ctx.cacheWinogradWeightsAtInference = cache
            return try RetinaNet(config: config, seed: 5, ctx: ctx)
        }
        let cached = try net(cache: true), plain = try net(cache: false)
        var rng = SeededRandom(seed: 6)
        let images = (0..<(2 * 3 * 40 * 48)).map { _ in Float(rng.normal()) }
        func run(_ n: RetinaNet) throws -> [Float] {
            let out = try n.forward(images: images, batch: 2, height: 40, width: 48, training: false)
            return out.classLogits.flatMap { $0.toArray() } + out.boxDeltas.flatMap { $0.toArray() }
        }
        let first = try run(cached)
        XCTAssertTrue(first == (try run(plain)))
        XCTAssertTrue(first == (try run(cached)), "second cached forward")
        XCTAssertNotNil(cached.clsHead.convs[0].base.winogradCache, "the head conv did not take the cached path")
        for n in [cached, plain] {
            n.clsHead.convs[0].base.weight.value.data[3] += 0.5
            n.backbone.stages[0][0].parameters[0].value.data[7] -= 0.25
        }
        let second = try run(cached)
        XCTAssertFalse(first == second, "weight change not visible")
        XCTAssertTrue(second == (try run(plain)), "stale cached Winograd weights")
    }

    /// With cached transformed weights, inference runs convolutions on maps too small for the
    /// training threshold (stage 4 here: 2×2 maps, 2 tiles) through Winograd too; the outputs
    /// agree with the direct kernels to float rounding, and training still uses the direct path.
    func testCachedWeightsTakeWinogradOnTinyMapsAtInference() throws {
        var config = RetinaNetTests.tinyConfig()
        config.backbone.width = 16; config.fpnChannels = 16; config.headChannels = 16
        var rng = SeededRandom(seed: 21)
        let images = (0..<(2 * 3 * 40 * 48)).map { _ in Float(rng.normal()) }
        func run(winograd: Bool) throws -> (out: [Float], net: RetinaNet) {
            let ctx = ComputeContext(threads: 2)
            ctx.winogradEnabled = winograd
            let net = try RetinaNet(config: config, seed: 5, ctx: ctx)
            let out = try net.forward(images: images, batch: 2, height: 40, width: 48, training: false)
            return (out.classLogits.flatMap { $0.toArray() } + out.boxDeltas.flatMap { $0.toArray() }, net)
        }
        let (fast, net) = try run(winograd: true)
        let (direct, _) = try run(winograd: false)
        let tiny = (net.backbone.stages[3][0] as! BasicBlock).conv2
        XCTAssertTrue(tiny.usedWinograd, "stage 4 did not take the Winograd path at inference")
        XCTAssertNotNil(tiny.winogradCache)
        let scale = direct.map(abs).max() ?? 0
        XCTAssertGreaterThan(scale, 0)
        let worst = zip(fast, direct).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThan(worst, 1e-4 * scale, "Winograd inference vs direct kernels")
        _ = try net.forward(images: images, batch: 2, height: 40, width: 48, training: true)
        XCTAssertFalse(tiny.usedWinograd, "training forward on 2 tiles should use the direct kernels")
    }

    /// `ConvEpilogue.runInPlace` against a scalar loop: scale, shift, residual and ReLU in every
    /// combination, rows that are not a multiple of 16.
    func testEpilogueMatchesScalarLoop() {
        let channels = 3, plane = 37
        var rng = SeededRandom(seed: 3)
        let x = (0..<(channels * plane)).map { _ in Float(rng.normal()) }
        let res = (0..<(channels * plane)).map { _ in Float(rng.normal()) }
        let sc: [Float] = [0.5, -1.25, 2], sh: [Float] = [0.1, -0.3, 0.7]
        let ctx = ComputeContext(threads: 2)
        for mask in 0..<16 {
            let useScale = mask & 1 != 0, useShift = mask & 2 != 0, useRes = mask & 4 != 0, relu = mask & 8 != 0
            let out = Tensor(n: 1, c: channels * plane, h: 1, w: 1)
            out.copy(from: x)
            sc.withUnsafeBufferPointer { s in sh.withUnsafeBufferPointer { b in res.withUnsafeBufferPointer { r in
                let ep = ConvEpilogue(scale: useScale ? s.baseAddress : nil, shift: useShift ? b.baseAddress : nil,
                                      residual: useRes ? r.baseAddress : nil, relu: relu)
                ep.runInPlace(out.data, channels: channels, plane: plane, ctx: ctx)
            } } }
            for o in 0..<channels {
                for i in 0..<plane {
                    var v = x[o * plane + i]
                    if useScale { v = v * sc[o] }
                    if useShift { v = v + sh[o] }
                    if useRes { v = v + res[o * plane + i] }
                    if relu { v = max(v, 0) }
                    XCTAssertEqual(out.data[o * plane + i], v, "mask \(mask) channel \(o) element \(i)")
                }
            }
        }
    }
}
