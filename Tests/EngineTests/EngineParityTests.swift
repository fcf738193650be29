import XCTest
import Foundation
@testable import Engine

/// Parity with PyTorch: fixtures from `tools/torch_parity.py` (torch 2.13 CPU) hold a tiny
/// RetinaNet's weights, input, head outputs, losses, all parameter gradients and the BN running
/// statistics after one training forward. Tolerances (relative L2 over each tensor): outputs and
/// running statistics 1e-4, losses 1e-5, gradients 1e-3 (Float32 summation order differs).
final class EngineParityTests: XCTestCase {
    func fixture(_ name: String) throws -> (tensors: [String: SafeTensors.Entry], metadata: [String: String]) {
        guard let dir = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw XCTSkip("Fixtures folder missing from the test bundle")
        }
        return try SafeTensors.read(dir.appendingPathComponent(name))
    }

    func relativeError(_ a: UnsafePointer<Float>, _ b: [Float]) -> Double {
        var d = 0.0, n = 0.0
        for i in 0..<b.count { d += Double(a[i] - b[i]) * Double(a[i] - b[i]); n += Double(b[i]) * Double(b[i]) }
        return d.squareRoot() / max(n.squareRoot(), 1e-12)
    }

    func runParity(_ file: String, groupNorm: Int?, bn: BatchNorm.Mode, winogradMinTiles: Int? = nil) throws {
        let (t, meta) = try fixture(file)
        XCTAssertEqual(meta["generator"], "tools/torch_parity.py")
        var config = RetinaNetConfig(backbone: .init(blockType: .basic, stageBlocks: [1, 1, 1, 1], width: 8), numClasses: 3)
        config.fpnChannels = 16; config.headConvs = 2; config.headChannels = 16; config.anchorsPerLocation = 2
        config.headGroupNorm = groupNorm; config.bnMode = bn
        let ctx = ComputeContext(threads: 2)
        if let m = winogradMinTiles { ctx.winogradMinTiles = m }
        let net = try RetinaNet(config: config, seed: 0, ctx: ctx)
        for (name, p) in net.namedParameters {
            let e = try XCTUnwrap(t["param." + name], "fixture lacks \(name)")
            XCTAssertEqual(e.values.count, p.count, name)
            p.value.copy(from: e.values)
        }
        let input = try XCTUnwrap(t["input"])
        let (n, h, w) = (input.shape[0], input.shape[2], input.shape[3])
        let out = try net.forward(images: input.values, batch: n, height: h, width: w, training: true)
        var total = 0.0
        for l in 0..<5 {
            let cls = try XCTUnwrap(t["out.cls.\(l)"]), box = try XCTUnwrap(t["out.box.\(l)"])
            XCTAssertEqual(out.classLogits[l].count, cls.values.count)
            XCTAssertLessThan(relativeError(out.classLogits[l].data, cls.values), 1e-4, "class logits level \(l)")
            XCTAssertLessThan(relativeError(out.boxDeltas[l].data, box.values), 1e-4, "box deltas level \(l)")
            let labels = try XCTUnwrap(t["labels.\(l)"]).values.map { Int32($0) }
            let targets = try XCTUnwrap(t["targets.\(l)"]).values
            let fl = FocalLoss.compute(logits: out.classLogits[l].data, labels: labels, anchors: labels.count, classes: 3,
                                       alpha: 0.25, gamma: 2, normalizer: 5, grad: out.classGrad[l].data)
            let sl = SmoothL1Loss.compute(pred: out.boxDeltas[l].data, target: targets, labels: labels, anchors: labels.count,
                                          beta: 0.11, normalizer: 5, grad: out.boxGrad[l].data)
            let tf = Double(try XCTUnwrap(t["loss.focal.\(l)"]).values[0]), tb = Double(try XCTUnwrap(t["loss.box.\(l)"]).values[0])
            XCTAssertEqual(fl.value, tf, accuracy: 1e-5 * max(1, abs(tf)), "focal loss level \(l)")
            XCTAssertEqual(sl.value, tb, accuracy: 1e-5 * max(1, abs(tb)), "box loss level \(l)")
            total += fl.value + sl.value
        }
        XCTAssertEqual(total, Double(try XCTUnwrap(t["loss.total"]).values[0]), accuracy: 1e-5 * total)
        net.zeroGrad()
        net.backward()
        var checked = 0
        for (name, p) in net.namedParameters where !p.isBuffer {
            let g = try XCTUnwrap(t["grad." + name], "fixture lacks grad.\(name)")
            XCTAssertLessThan(relativeError(p.grad.data, g.values), 1e-3, "gradient of \(name)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 30)
        for (name, p) in net.namedParameters where p.isBuffer {
            let after = try XCTUnwrap(t["after." + name])
            XCTAssertLessThan(relativeError(p.value.data, after.values), 1e-4, "running statistic \(name)")
        }
    }

    func testParityBatchNormTrain() throws { try runParity("parity_bn_train.safetensors", groupNorm: nil, bn: .train) }
    func testParityGroupNormHeadsFrozenBN() throws { try runParity("parity_gn_frozen.safetensors", groupNorm: 4, bn: .frozen) }
    /// Every 3×3 stride-1 conv with C_in a multiple of 16 (stages 2–4, FPN outputs, heads) through
    /// Winograd F(4×4, 3×3), whatever its tile count.
    func testParityWinograd() throws {
        try runParity("parity_bn_train.safetensors", groupNorm: nil, bn: .train, winogradMinTiles: 1)
        try runParity("parity_gn_frozen.safetensors", groupNorm: 4, bn: .frozen, winogradMinTiles: 1)
    }
}
