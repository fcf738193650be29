import XCTest
@testable import Engine

final class BatchTargetsTests: XCTestCase {
    /// Labels and box targets land in the head-output layout: level-major, then image, then
    /// row, column, anchor.
    func testLayoutMatchesHeadOutputs() throws {
        let gen = try AnchorGenerator(levels: 3...4, anchorScale: 4, scalesPerOctave: 1, aspectRatios: [1])
        let anchors = gen.anchors(height: 32, width: 32)       // P3: 4×4, P4: 2×2, one anchor each
        XCTAssertEqual(anchors.levels.map { $0.rows * $0.columns }, [16, 4])
        // Image 0: a box equal to the P4 anchor at (row 1, column 0): centre (8, 24), size 64.
        let p4 = anchors.levels[1].offset + 2
        let b = anchors.box(p4)
        let gt0 = GroundTruthBoxes(boxes: [b.0, b.1, b.2, b.3], classes: [3], isCrowd: [false])
        let gt1 = GroundTruthBoxes(boxes: [], classes: [], isCrowd: [])
        let t = BatchTargets()
        t.build(groundTruth: [gt1, gt0], anchors: anchors, matcher: AnchorMatcher(), coder: BoxCoder())
        XCTAssertEqual(t.batch, 2)
        XCTAssertEqual(t.labels[0].count, 2 * 16)
        XCTAssertEqual(t.labels[1].count, 2 * 4)
        XCTAssertTrue(t.labels[1][0..<4].allSatisfy { $0 == ClassLabel.background }, "image 0 of the batch has no boxes")
        XCTAssertEqual(t.labels[1][4 + 2], 3, "image 1, P4 anchor 2 is the exact match")
        XCTAssertGreaterThanOrEqual(t.positives, 1)
        XCTAssertEqual(t.positives + t.negatives + t.ignored, 2 * 20)
        for j in 0..<4 { XCTAssertEqual(t.boxTargets[1][(4 + 2) * 4 + j], 0, accuracy: 1e-6) }
        // Rebuilding with the images swapped moves the labels with them.
        t.build(groundTruth: [gt0, gt1], anchors: anchors, matcher: AnchorMatcher(), coder: BoxCoder())
        XCTAssertEqual(t.labels[1][2], 3)
        XCTAssertTrue(t.labels[1][4..<8].allSatisfy { $0 == ClassLabel.background })
    }
}
