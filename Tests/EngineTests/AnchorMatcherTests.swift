import XCTest
@testable import Engine

final class AnchorMatcherTests: XCTestCase {
    /// One level, stride 8, 32×32 square anchors centred at (8x + 4, 8y + 4) on an 8×8 grid.
    func grid() throws -> AnchorSet {
        try AnchorGenerator(levels: 3...3, anchorScale: 4, scalesPerOctave: 1, aspectRatios: [1]).anchors(height: 64, width: 64)
    }

    func gt(_ boxes: [[Float]], crowd: [Bool]? = nil) -> GroundTruthBoxes {
        GroundTruthBoxes(boxes: boxes.flatMap { $0 }, classes: boxes.indices.map { Int32($0) },
                         isCrowd: crowd ?? boxes.map { _ in false })
    }

    func cell(_ x: Int, _ y: Int) -> Int { y * 8 + x }

    func testThresholds() throws {
        let a = try grid()
        // Equal to anchor (3, 3): IoU 1; horizontal neighbours 0.6 (fg); diagonal 0.391 (bg).
        let r = AnchorMatcher(lowQuality: .none).match(gt([[12, 12, 44, 44]]), anchors: a)
        XCTAssertEqual(r.matches[cell(3, 3)], 0)
        XCTAssertEqual(r.bestIoU[cell(3, 3)], 1)
        XCTAssertEqual(r.matches[cell(4, 3)], 0)
        XCTAssertEqual(r.bestIoU[cell(4, 3)], 0.6, accuracy: 1e-6)
        XCTAssertEqual(r.matches[cell(4, 4)], AnchorAssignment.background)
        XCTAssertEqual(r.positiveCount, 5)
        XCTAssertEqual(r.ignoredCount, 0)
        XCTAssertEqual(r.negativeCount, 59)
    }

    /// A 48×48 box around four anchors: all at IoU 1024/2304 = 0.444, the ignore band.
    func testIgnoreBandAndLowQualityRescue() throws {
        let a = try grid()
        let box = gt([[8, 8, 56, 56]])
        let four = [cell(3, 3), cell(4, 3), cell(3, 4), cell(4, 4)]
        let none = AnchorMatcher(lowQuality: .none).match(box, anchors: a)
        XCTAssertEqual(four.map { none.matches[$0] }, [-2, -2, -2, -2])
        XCTAssertEqual(none.positiveCount, 0)
        XCTAssertEqual(none.boxBestIoU[0], 1024.0 / 2304.0, accuracy: 1e-6)
        for rule in [AnchorMatcher.LowQualityRule.detectron, .detectron2] {
            let r = AnchorMatcher(lowQuality: rule).match(box, anchors: a)
            XCTAssertEqual(four.map { r.matches[$0] }, [0, 0, 0, 0], "\(rule): the four tied best anchors become positive")
            XCTAssertEqual(r.positiveCount, 4)
        }
    }

    /// A 20×20 box whose best anchor reaches only IoU 400/1024 = 0.39.
    func testLowQualityRulesBelowTheBand() throws {
        let a = try grid()
        let box = gt([[18, 18, 38, 38]])
        let d2 = AnchorMatcher(lowQuality: .detectron2).match(box, anchors: a)
        XCTAssertEqual(d2.positiveCount, 1)
        XCTAssertEqual(d2.matches[cell(3, 3)], 0)
        XCTAssertEqual(d2.bestIoU[cell(3, 3)], 400.0 / 1024.0, accuracy: 1e-6)
        // Detectron: the best anchor is relabelled background because its IoU < 0.4.
        let d1 = AnchorMatcher(lowQuality: .detectron).match(box, anchors: a)
        XCTAssertEqual(d1.positiveCount, 0)
        XCTAssertEqual(d1.matches[cell(3, 3)], AnchorAssignment.background)
    }

    /// Ties: a 10×10 box centred on an anchor centre lies inside nine anchors, all at 100/1024.
    func testTiesAllBecomePositive() throws {
        let r = AnchorMatcher(lowQuality: .detectron2).match(gt([[23, 23, 33, 33]]), anchors: try grid())
        XCTAssertEqual(r.positiveCount, 9)
        for x in 2...4 { for y in 2...4 { XCTAssertEqual(r.matches[cell(x, y)], 0) } }
    }

    /// A low-quality anchor of box 1 that overlaps box 0 more stays matched to box 0 (both codebases).
    func testLowQualityAnchorKeepsItsOwnBestBox() throws {
        let r = AnchorMatcher(lowQuality: .detectron2).match(gt([[12, 12, 44, 44], [20, 20, 30, 30]]), anchors: try grid())
        XCTAssertEqual(r.matches[cell(3, 3)], 0)
        XCTAssertFalse(r.matches.contains(1))
        XCTAssertEqual(r.matches[cell(2, 2)], 0, "IoU 0.391 with box 0 beats 0.098 with box 1")
    }

    func testCrowdRegions() throws {
        let a = try grid()
        let boxes = gt([[12, 12, 44, 44], [0, 20, 64, 64]], crowd: [false, true])
        let ignore = AnchorMatcher(crowd: .ignoreRegions(minOverlap: 0.7)).match(boxes, anchors: a)
        // Anchor (3, 5) = [12, 28, 44, 60]: entirely in the crowd box, IoU 1/3 with box 0 → ignored.
        XCTAssertEqual(ignore.matches[cell(3, 5)], AnchorAssignment.ignored)
        XCTAssertFalse(ignore.matches.contains(1), "a crowd box is never foreground")
        // Anchor (3, 4) = [12, 20, 44, 52]: entirely in the crowd box too, but IoU 0.6 with box 0 → foreground.
        XCTAssertEqual(ignore.matches[cell(3, 4)], 0)
        // Anchor (3, 1) = [12, −4, 44, 28]: a quarter of it in the crowd box → stays background.
        XCTAssertEqual(ignore.matches[cell(3, 1)], AnchorAssignment.background)
        let drop = AnchorMatcher(crowd: .drop).match(boxes, anchors: a)
        XCTAssertEqual(drop.matches[cell(3, 5)], AnchorAssignment.background)
        XCTAssertEqual(drop.ignoredCount, 0)
        XCTAssertGreaterThan(ignore.ignoredCount, 10)
    }

    func testCustomThresholds() throws {
        XCTAssertThrowsError(try AnchorMatcher(foregroundIoU: 0.4, backgroundIoU: 0.5))
        XCTAssertThrowsError(try AnchorMatcher(foregroundIoU: 0.5, backgroundIoU: 0))
        // With fg 0.7 the 0.6 neighbours of a box equal to anchor (3, 3) are ignored, not positive.
        let m = try AnchorMatcher(foregroundIoU: 0.7, backgroundIoU: 0.5, lowQuality: .none)
        let r = m.match(gt([[12, 12, 44, 44]]), anchors: try grid())
        XCTAssertEqual(r.positiveCount, 1)
        XCTAssertEqual(r.matches[cell(4, 3)], AnchorAssignment.ignored)
    }

    func testNoBoxesAllBackground() throws {
        let r = AnchorMatcher().match(gt([]), anchors: try grid())
        XCTAssertEqual(r.negativeCount, 64)
        XCTAssertEqual(r.positiveCount, 0)
    }

    /// The culled, vectorised matcher equals an all-pairs reference on random boxes, for every rule.
    func testMatchesAllPairsReference() throws {
        let anchors = try AnchorGenerator().anchors(height: 256, width: 341)
        var rng = SeededRandom(seed: 11)
        var out = AnchorAssignment()
        for trial in 0..<40 {
            var boxes: [[Float]] = [], crowd: [Bool] = []
            for _ in 0..<(1 + rng.int(below: 8)) {
                let w = Float(rng.uniform(3, 200)), h = Float(rng.uniform(3, 200))
                let x = Float(rng.uniform(-20, 341)), y = Float(rng.uniform(-20, 256))
                boxes.append([x, y, x + w, y + h]); crowd.append(rng.uniform() < 0.15)
            }
            if trial == 0 { boxes.append(boxes[0]); crowd.append(false) }   // duplicate box: ties across boxes
            let g = gt(boxes, crowd: crowd)
            for rule in AnchorMatcher.LowQualityRule.allCases {
                for policy in [AnchorMatcher.CrowdPolicy.drop, .ignoreRegions(minOverlap: 0.7)] {
                    let m = AnchorMatcher(lowQuality: rule, crowd: policy)
                    m.match(g, anchors: anchors, into: &out)
                    let expected = Self.reference(m, g, anchors)
                    XCTAssertEqual(out.matches, expected, "trial \(trial) \(rule) \(policy)")
                    var counted = out
                    counted.recount()
                    XCTAssertEqual([out.positiveCount, out.ignoredCount, out.negativeCount],
                                   [counted.positiveCount, counted.ignoredCount, counted.negativeCount])
                }
            }
        }
    }

    /// Straight from the rules in AnchorMatcher's documentation, over the full IoU matrix.
    static func reference(_ m: AnchorMatcher, _ g: GroundTruthBoxes, _ a: AnchorSet) -> [Int32] {
        let n = a.count
        var iou = [[Float]](repeating: [Float](repeating: 0, count: n), count: g.count)
        for j in 0..<g.count where !g.isCrowd[j] {
            let b = Array(g.boxes[(4 * j)..<(4 * j + 4)])
            let area = (b[2] - b[0]) * (b[3] - b[1])
            for i in 0..<n { iou[j][i] = boxIoU(a.x1[i], a.y1[i], a.x2[i], a.y2[i], a.areas[i], b[0], b[1], b[2], b[3], area) }
        }
        var q = [Float](repeating: 0, count: n), arg = [Int32](repeating: -1, count: n)
        for j in 0..<g.count where !g.isCrowd[j] {
            for i in 0..<n where iou[j][i] > q[i] { q[i] = iou[j][i]; arg[i] = Int32(j) }
        }
        var out = (0..<n).map { q[$0] >= m.foregroundIoU ? arg[$0] : (q[$0] < m.backgroundIoU ? Int32(-1) : -2) }
        if m.lowQuality != .none {
            for j in 0..<g.count where !g.isCrowd[j] {
                let best = iou[j].max() ?? 0
                guard best > 0 else { continue }
                for i in 0..<n where iou[j][i] == best && (m.lowQuality == .detectron2 || q[i] >= m.backgroundIoU) {
                    out[i] = arg[i]
                }
            }
        }
        if case let .ignoreRegions(t) = m.crowd {
            for j in 0..<g.count where g.isCrowd[j] {
                let b = Array(g.boxes[(4 * j)..<(4 * j + 4)])
                for i in 0..<n where out[i] == -1 &&
                    boxIntersectionOverFirst(a.x1[i], a.y1[i], a.x2[i], a.y2[i], a.areas[i], b[0], b[1], b[2], b[3]) > t {
                    out[i] = -2
                }
            }
        }
        return out
    }
}
