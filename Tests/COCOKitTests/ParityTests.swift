import Foundation
import XCTest
@testable import COCOKit

/// cocoeval against pycocotools' recorded outputs (tools/make_coco_fixtures.py): all 12 stats
/// within 1e-12 (and in fact bit-identical: their Python repr strings match), the 12 printed
/// lines character for character, per-category AP, on 1 and 2 threads.
final class ParityTests: XCTestCase {
    func testAllFixturesMatchPycocotools() throws {
        let cases = try Fixtures.parityCases()
        XCTAssertEqual(cases.count, 32)
        for c in cases {
            let (gt, _) = try COCODataset.load(contentsOf: c.gt)
            let dets = try COCOResults.load(contentsOf: c.dt)
            let evaluator = try COCOEvaluator(groundTruth: gt, detections: dets, parameters: c.parameters)
            for threads in [1, 2] {
                let s = try evaluator.run(threads: threads)
                XCTAssertEqual(s.stats.count, 12, c.name)
                for (i, (got, want)) in zip(s.stats, c.stats).enumerated() {
                    XCTAssertLessThanOrEqual(abs(got - want), 1e-12, "\(c.name) stat \(COCOEvalSummary.statNames[i])")
                    XCTAssertEqual(COCOEvalSummary.pythonRepr(got), c.statsRepr[i], "\(c.name) stat \(i) not bit-identical")
                }
                XCTAssertEqual(s.summaryLines, c.summary, c.name)
                let perCat = try s.perCategory()
                XCTAssertEqual(perCat.map { $0.id == -1 ? "-1" : COCOId.jsonText($0.id) }, c.perCategoryAP.map(\.0), c.name)
                for (got, want) in zip(perCat, c.perCategoryAP) {
                    XCTAssertEqual(got.ap, want.1, "\(c.name) category \(COCOId.jsonText(got.id))")
                }
            }
        }
    }

    func testRealFixtureAgreesWithTheSharedExpectedFile() throws {
        // The shared fixture's own expected stats (recorded separately with pycocotools 2.0.11).
        let e = try Fixtures.json(Fixtures.url("coco-real/expected.json"))
        XCTAssertEqual((e["stats_repr"] as! [String]).first, "0.5045806987249628")
    }

    func testThresholdsAreNumpysLinspaceBitForBit() throws {
        let t = try Fixtures.json(Fixtures.url("thresholds.json"))
        XCTAssertEqual(COCOEvalParameters.defaultIoUThresholds.map(COCOEvalSummary.pythonRepr), t["iouThrs"] as! [String])
        XCTAssertEqual(COCOEvalParameters.defaultRecallThresholds.map(COCOEvalSummary.pythonRepr), t["recThrs"] as! [String])
    }

    func testEmptyResultsWarnAndGiveZeroOrMinusOne() throws {
        let (gt, _) = try COCODataset.load(contentsOf: Fixtures.url("corner/empty-results/gt.json"))
        let e = try COCOEvaluator(groundTruth: gt, detections: [])
        XCTAssertTrue(e.warnings.contains { $0.contains("empty") }, "\(e.warnings)")
        let s = try e.run(threads: 1)
        XCTAssertEqual(s.stats[0], 0)   // categories with GT: AP 0
        XCTAssertEqual(s.stats[3], 0)   // a small GT exists
        XCTAssertEqual(s.stats[4], -1)  // no medium GT at all
    }

    func testMissingIscrowdIsTreatedAsZeroWithAWarning() throws {
        let (_, warnings) = try COCODataset.load(contentsOf: Fixtures.url("edge/coco_sample.json"))
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].contains("iscrowd") && warnings[0].contains("KeyError"), warnings[0])
    }
}
