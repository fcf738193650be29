import Foundation
import XCTest
@testable import Engine

final class BoxCoderTests: XCTestCase {
    func testKnownDeltas() {
        let c = BoxCoder()
        // Anchor centre (20, 20), 20×20; box centre (25, 15), 40×10.
        let d = c.encode(anchor: (10, 10, 30, 30), box: (5, 10, 45, 20))
        XCTAssertEqual(d.0, 0.25, accuracy: 1e-6)
        XCTAssertEqual(d.1, -0.25, accuracy: 1e-6)
        XCTAssertEqual(d.2, Float(log(2.0)), accuracy: 1e-6)
        XCTAssertEqual(d.3, Float(log(0.5)), accuracy: 1e-6)
        let w = BoxCoder(weights: (10, 10, 5, 5)).encode(anchor: (10, 10, 30, 30), box: (5, 10, 45, 20))
        XCTAssertEqual(w.0, 2.5, accuracy: 1e-5)
        XCTAssertEqual(w.2, Float(5 * log(2.0)), accuracy: 1e-5)
    }

    func testRoundTrip() {
        var rng = SeededRandom(seed: 5)
        for weights in [(Float(1), Float(1), Float(1), Float(1)), (10, 10, 5, 5)] {
            let c = BoxCoder(weights: weights)
            for _ in 0..<2000 {
                let ax = Float(rng.uniform(0, 500)), ay = Float(rng.uniform(0, 500))
                let anchor = (ax, ay, ax + Float(rng.uniform(8, 400)), ay + Float(rng.uniform(8, 400)))
                let gx = Float(rng.uniform(0, 500)), gy = Float(rng.uniform(0, 500))
                let box = (gx, gy, gx + Float(rng.uniform(2, 600)), gy + Float(rng.uniform(2, 600)))
                // Within the decode clamp (box at most 1000/16 = 62.5× the anchor per side).
                guard (box.2 - box.0) / (anchor.2 - anchor.0) < 62, (box.3 - box.1) / (anchor.3 - anchor.1) < 62 else { continue }
                let back = c.decode(anchor: anchor, deltas: c.encode(anchor: anchor, box: box))
                XCTAssertEqual(back.0, box.0, accuracy: 2e-3); XCTAssertEqual(back.1, box.1, accuracy: 2e-3)
                XCTAssertEqual(back.2, box.2, accuracy: 2e-3); XCTAssertEqual(back.3, box.3, accuracy: 2e-3)
            }
        }
    }

    /// dw, dh are clamped at log(1000/16) before exp: a huge prediction gives at most 62.5× the anchor.
    func testDecodeClamp() {
        let c = BoxCoder()
        XCTAssertEqual(BoxCoder.defaultScaleClamp, Float(log(1000.0 / 16.0)), accuracy: 1e-6)
        let b = c.decode(anchor: (0, 0, 10, 10), deltas: (0, 0, 50, 50))
        XCTAssertEqual(b.2 - b.0, 625, accuracy: 0.1)
        XCTAssertTrue(b.2.isFinite && b.3.isFinite)
        let small = c.decode(anchor: (0, 0, 10, 10), deltas: (0, 0, -50, 0))
        XCTAssertGreaterThanOrEqual(small.2 - small.0, 0)
    }

    func testEncodeTargetsOnlyForeground() throws {
        let anchors = try AnchorGenerator(levels: 3...3, scalesPerOctave: 1, aspectRatios: [1]).anchors(height: 64, width: 64)
        let gt = GroundTruthBoxes(boxes: [12, 12, 44, 44], classes: [0], isCrowd: [false])
        let a = AnchorMatcher().match(gt, anchors: anchors)
        var targets: [Float] = []
        let fg = BoxCoder().encodeTargets(anchors: anchors, assignment: a, groundTruth: gt, into: &targets)
        XCTAssertEqual(fg.count, a.positiveCount)
        XCTAssertEqual(targets.count, 4 * anchors.count)
        XCTAssertEqual(Array(targets[(4 * 27)..<(4 * 28)]), [0, 0, 0, 0], "anchor (3, 3) equals the box")
        XCTAssertEqual(targets[4 * 28], -0.25, accuracy: 1e-6, "anchor (4, 3) is 8 px right of the box")
        let zeroRows = (0..<anchors.count).filter { !fg.contains($0) }.allSatisfy { i in targets[(4 * i)..<(4 * i + 4)].allSatisfy { $0 == 0 } }
        XCTAssertTrue(zeroRows)
    }
}
