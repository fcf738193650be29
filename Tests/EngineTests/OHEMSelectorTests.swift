import Foundation
import XCTest
@testable import Engine

/// OHEM on a hand-made case: four anchors in a row (IoU 0.6 between neighbours, 0.33 two apart,
/// 0.14 three apart), one class, per-anchor CE losses chosen by their logits.
final class OHEMSelectorTests: XCTestCase {
    struct Case {
        let anchors: AnchorSet
        let outputs: HeadOutputs
        let targets: BatchTargets
    }

    /// labels[j], logits[j] for anchors j = 0…3; box predictions equal their targets (box loss 0).
    func makeCase(labels: [Int32], logits: [Float]) throws -> Case {
        let gen = try AnchorGenerator(levels: 3...3, anchorScale: 4, scalesPerOctave: 1, aspectRatios: [1])
        let anchors = gen.anchors(gridSizes: [(rows: 1, columns: 4)])
        let targets = BatchTargets()
        // Ground truth: each positive anchor's own box with class 0, so matching reproduces `labels`.
        var boxes: [Float] = []
        for j in 0..<4 where labels[j] >= 0 { let b = anchors.box(j); boxes += [b.0, b.1, b.2, b.3] }
        let n = boxes.count / 4
        // Thresholds such that neighbours (IoU ≤ 0.6) are background and only exact boxes match.
        let matcher = try AnchorMatcher(foregroundIoU: 0.95, backgroundIoU: 0.65, lowQuality: .none)
        targets.build(groundTruth: [GroundTruthBoxes(boxes: boxes, classes: Array(repeating: 0, count: n), isCrowd: Array(repeating: false, count: n))],
                      anchors: anchors, matcher: matcher, coder: BoxCoder())
        let out = HeadOutputs(levels: 1, classes: 1, anchorsPerLocation: 1)
        out.batch = 1
        out.sizes = [(h: 1, w: 4)]
        out.classLogits[0].resize(n: 1, c: 1, h: 1, w: 4); out.classLogits[0].copy(from: logits)
        out.boxDeltas[0].resize(n: 1, c: 1, h: 1, w: 16); out.boxDeltas[0].copy(from: targets.boxTargets[0])
        out.classGrad[0].resize(like: out.classLogits[0]); out.boxGrad[0].resize(like: out.boxDeltas[0])
        return Case(anchors: anchors, outputs: out, targets: targets)
    }

    func testNMSOverAnchorsKeepsTheHardestSurvivors() throws {
        // a0 bg, loss 3.05; a1 bg, 2.95 (IoU 0.6 with a0); a2 bg, easy; a3 positive, 1.31.
        let c = try makeCase(labels: [-1, -1, -1, 0], logits: [3, 2.9, -5, -1])
        XCTAssertEqual(Array(c.targets.labels[0]), [-1, -1, -1, 0])
        let ohem = OHEMSelector(batchPerImage: 2, nmsThreshold: 0.5, positiveFraction: 0)
        let v = ohem.compute(outputs: c.outputs, targets: c.targets, anchors: c.anchors, alpha: 0.5, boxBeta: 0.11)
        XCTAssertEqual(v.selected, 2)
        let g = c.outputs.classGrad[0].toArray()
        XCTAssertNotEqual(g[0], 0, "a0: hardest, kept")
        XCTAssertEqual(g[1], 0, "a1: suppressed by a0 (IoU 0.6 > 0.5)")
        XCTAssertEqual(g[2], 0, "a2: below the batch")
        XCTAssertNotEqual(g[3], 0, "a3: second survivor")
        // Loss = mean over the 2 kept of ½·CE.
        let ce = { (x: Double, y: Double) in y > 0 ? Foundation.log(1 + Foundation.exp(-x)) : Foundation.log(1 + Foundation.exp(x)) }
        XCTAssertEqual(v.classification, 0.5 * (ce(3, 0) + ce(-1, 1)) / 2, accuracy: 1e-5)
        XCTAssertEqual(v.box, 0, accuracy: 1e-9)
    }

    func testLooserNMSKeepsNeighbours() throws {
        let c = try makeCase(labels: [-1, -1, -1, 0], logits: [3, 2.9, -5, -1])
        let ohem = OHEMSelector(batchPerImage: 2, nmsThreshold: 0.7, positiveFraction: 0)
        _ = ohem.compute(outputs: c.outputs, targets: c.targets, anchors: c.anchors, alpha: 0.5, boxBeta: 0.11)
        let g = c.outputs.classGrad[0].toArray()
        XCTAssertNotEqual(g[0], 0); XCTAssertNotEqual(g[1], 0)
        XCTAssertEqual(g[3], 0, "at 0.7 nothing is suppressed, so the two hardest are a0 and a1")
    }

    func testOneToThreeCapsPositives() throws {
        // a0 positive (hardest), a1 bg, a2 bg, a3 positive; B = 4 with 25% positives → one positive.
        let c = try makeCase(labels: [0, -1, -1, 0], logits: [-4, 2.9, 2.0, -1])
        XCTAssertEqual(Array(c.targets.labels[0]), [0, -1, -1, 0])
        let ohem = OHEMSelector(batchPerImage: 4, nmsThreshold: 0.7, positiveFraction: 0.25)
        let v = ohem.compute(outputs: c.outputs, targets: c.targets, anchors: c.anchors, alpha: 0.5, boxBeta: 0.11)
        XCTAssertEqual(v.selected, 3, "a0, a1, a2; a3 is a second positive over the 1:3 cap")
        let g = c.outputs.classGrad[0].toArray()
        XCTAssertNotEqual(g[0], 0); XCTAssertNotEqual(g[1], 0); XCTAssertNotEqual(g[2], 0)
        XCTAssertEqual(g[3], 0)
    }
}
