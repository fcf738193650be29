import XCTest
@testable import Engine

final class NMSTests: XCTestCase {
    /// Textbook greedy NMS: take the best remaining box, delete all with IoU > t, repeat.
    static func bruteForce(_ boxes: [Float], _ scores: [Float], _ classes: [Int32]?, _ t: Float) -> [Int] {
        var remaining = NMS.descendingOrder(scores)
        var keep: [Int] = []
        func area(_ i: Int) -> Float { (boxes[4 * i + 2] - boxes[4 * i]) * (boxes[4 * i + 3] - boxes[4 * i + 1]) }
        while let i = remaining.first {
            keep.append(i)
            remaining = remaining.dropFirst().filter { j in
                if let classes, classes[i] != classes[j] { return true }
                return boxIoU(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3], area(i),
                              boxes[4 * j], boxes[4 * j + 1], boxes[4 * j + 2], boxes[4 * j + 3], area(j)) <= t
            }
        }
        return keep
    }

    func randomBoxes(_ rng: inout SeededRandom, _ n: Int) -> ([Float], [Float], [Int32]) {
        var boxes: [Float] = [], scores: [Float] = [], classes: [Int32] = []
        for _ in 0..<n {
            // Clustered boxes so that many overlap; coarse scores so that ties occur.
            let cx = Float(rng.uniform(0, 200)), cy = Float(rng.uniform(0, 200))
            let w = Float(rng.uniform(5, 80)), h = Float(rng.uniform(5, 80))
            boxes += [cx, cy, cx + w, cy + h]
            scores.append(Float(rng.int(below: 50)) / 50)
            classes.append(Int32(rng.int(below: 3)))
        }
        return (boxes, scores, classes)
    }

    func testGreedyEqualsBruteForce() {
        var rng = SeededRandom(seed: 21)
        for trial in 0..<60 {
            let (boxes, scores, classes) = randomBoxes(&rng, 1 + rng.int(below: 300))
            for t: Float in [0.3, 0.5, 0.7] {
                XCTAssertEqual(NMS.greedy(boxes: boxes, scores: scores, iouThreshold: t),
                               Self.bruteForce(boxes, scores, nil, t), "trial \(trial) t \(t)")
                XCTAssertEqual(NMS.batched(boxes: boxes, scores: scores, classes: classes, iouThreshold: t),
                               Self.bruteForce(boxes, scores, classes, t), "batched trial \(trial) t \(t)")
            }
        }
    }

    func testMaxOutputIsAPrefix() {
        var rng = SeededRandom(seed: 4)
        let (boxes, scores, _) = randomBoxes(&rng, 400)
        let all = NMS.greedy(boxes: boxes, scores: scores, iouThreshold: 0.5)
        XCTAssertEqual(NMS.greedy(boxes: boxes, scores: scores, iouThreshold: 0.5, maxOutput: 10), Array(all.prefix(10)))
        XCTAssertEqual(NMS.greedy(boxes: boxes, scores: scores, iouThreshold: 0.5, maxOutput: 0), [])
    }

    func testEdgeCases() {
        XCTAssertEqual(NMS.greedy(boxes: [], scores: [], iouThreshold: 0.5), [])
        // Identical boxes: the first (lower index on equal scores) survives; IoU exactly at the threshold keeps both.
        XCTAssertEqual(NMS.greedy(boxes: [0, 0, 10, 10, 0, 0, 10, 10], scores: [0.5, 0.5], iouThreshold: 0.5), [0])
        XCTAssertEqual(NMS.greedy(boxes: [0, 0, 10, 10, 0, 0, 10, 5], scores: [0.9, 0.8], iouThreshold: 0.5), [0, 1])
        // Order: NaN last, −0 and +0 equal (index decides), negative scores below zero.
        let far: [Float] = (0..<5).flatMap { i -> [Float] in let x = Float(i) * 100; return [x, 0, x + 10, 10] }
        XCTAssertEqual(NMS.greedy(boxes: far, scores: [.nan, -0.0, 0, -1, 2], iouThreshold: 0.5), [4, 1, 2, 3, 0])
        XCTAssertEqual(NMS.descendingOrder([.nan, -0.0, 0, -1, 2]), [4, 1, 2, 3, 0])
        // Degenerate (zero-area) boxes never suppress anything.
        XCTAssertEqual(NMS.greedy(boxes: [0, 0, 0, 0, 0, 0, 0, 0], scores: [1, 0.5], iouThreshold: 0.1), [0, 1])
    }
}
