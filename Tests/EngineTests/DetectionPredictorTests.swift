import COCOKit
import XCTest
@testable import Engine

final class DetectionPredictorTests: XCTestCase {
    /// With zero final-conv weights, every anchor predicts class 0 at sigmoid(2) and zero
    /// deltas: detections are clipped anchors, class-wise NMS leaves non-overlapping ones, and at
    /// most `maxDetections` are returned, best first (ties by anchor order).
    func testDecodeThresholdAndNMSPlumbing() throws {
        var mc = RetinaNetConfig(backbone: try .resnet(depth: 10, width: 8), numClasses: 3)
        mc.fpnChannels = 8; mc.headChannels = 8; mc.headConvs = 1
        let net = try RetinaNet(config: mc, seed: 1, ctx: ComputeContext(threads: 1))
        let params = Dictionary(uniqueKeysWithValues: net.namedParameters.map { ($0.0, $0.1) })
        let clsW = try XCTUnwrap(params["head.cls.logits.weight"]), clsB = try XCTUnwrap(params["head.cls.logits.bias"])
        let boxW = try XCTUnwrap(params["head.box.deltas.weight"]), boxB = try XCTUnwrap(params["head.box.deltas.bias"])
        clsW.fill(0); boxW.fill(0); boxB.fill(0)
        for i in 0..<clsB.count { clsB.value.data[i] = i % 3 == 0 ? 2 : -10 }
        let gen = try AnchorGenerator()
        let predictor = DetectionPredictor(net: net, anchorGenerator: gen, categoryIds: [7, 8, 9])
        let h = 64, w = 96
        var rng = SeededRandom(seed: 3)
        let image = (0..<(3 * h * w)).map { _ in Float(rng.normal()) }
        let dets = try predictor.detect(image: image, height: h, width: w)
        XCTAssertFalse(dets.isEmpty)
        XCTAssertLessThanOrEqual(dets.count, 100)
        let anchors = gen.anchors(height: h, width: w)
        var clipped: [[Float]] = []
        for i in 0..<anchors.count {
            let b = anchors.box(i)
            clipped.append([min(max(b.0, 0), Float(w)), min(max(b.1, 0), Float(h)), min(max(b.2, 0), Float(w)), min(max(b.3, 0), Float(h))])
        }
        // Decoding zero deltas gives the anchor up to float rounding (centre ± half size).
        func isClippedAnchor(_ b: (Float, Float, Float, Float)) -> Bool {
            clipped.contains { abs($0[0] - b.0) < 1e-3 && abs($0[1] - b.1) < 1e-3 && abs($0[2] - b.2) < 1e-3 && abs($0[3] - b.3) < 1e-3 }
        }
        let expectedScore = Float(1 / (1 + Foundation.exp(-2.0)))
        for d in dets {
            XCTAssertEqual(d.classIndex, 0)
            XCTAssertEqual(d.score, expectedScore, accuracy: 1e-6)
            XCTAssertTrue(isClippedAnchor(d.box), "\(d.box) is not a clipped anchor")
        }
        for i in 0..<dets.count { for j in 0..<i {
            let a = dets[i].box, b = dets[j].box
            XCTAssertLessThanOrEqual(boxIoU(a.0, a.1, a.2, a.3, (a.2 - a.0) * (a.3 - a.1), b.0, b.1, b.2, b.3, (b.2 - b.0) * (b.3 - b.1)), 0.5 + 1e-6, "NMS left an overlapping pair")
        } }
    }
}
