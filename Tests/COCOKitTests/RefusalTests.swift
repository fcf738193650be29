import Foundation
import XCTest
@testable import COCOKit

/// Inputs pycocotools fails on (or silently mangles), recorded by tools/coco_fixture_ids_results.py
/// in Fixtures/refusals/<case>/pycocotools.json: cocoeval refuses each with a message that names
/// the place and says what pycocotools does.
final class RefusalTests: XCTestCase {
    /// Case → (what pycocotools did, a fragment of cocoeval's message).
    static let expected: [String: (String, String)] = [
        "results-polygon-segmentation": ("raised", "[0].segmentation: a polygon (or list) segmentation: it fails there (TypeError)"),
        "results-uncompressed-rle": ("raised", "[0].segmentation.counts: uncompressed RLE (counts as a list)"),
        "results-rle-then-polygon": ("raised", "[1].segmentation: a polygon (or list) segmentation"),
        "results-rle-zero-height": ("killed", "[0].segmentation.size: height 0 with a non-empty mask"),
        "results-segmentation-first-empty-bbox": ("raised", "[0].bbox: an empty bbox"),
        "results-first-without-box": ("raised", "[0]: the first result has no \"bbox\""),
        "results-later-without-bbox": ("raised", "[2]: missing required key \"bbox\" (the first result has one"),
        "results-empty-keypoints": ("raised", "[0].keypoints: expected at least one keypoint"),
        "gt-mixed-string-and-integer-image-ids": ("raised", "the image ids mix strings and numbers (e.g. \"2\" and 1)"),
        "gt-matched-non-numeric-annotation-id": ("raised", "a detection matches the annotation with id \"a1\" (category 1)"),
        "gt-iscrowd-256": ("raised", "annotations[0].iscrowd: expected 0 or 1, found 256.0 (pycocotools converts iscrowd to uint8"),
        "gt-evaluated-annotation-without-area": ("raised", "annotations[0]: the annotation with id 1 (image 1, category 1) has no valid \"area\""),
        "gt-image-ids-numpy-rounds": ("evaluated", "which rounds 9223372036854775809 (pycocotools would silently drop or merge those)"),
    ]

    func testEveryRecordedRefusal() throws {
        let root = Fixtures.url("refusals")
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        XCTAssertEqual(Set(names), Set(Self.expected.keys))
        for name in names {
            let dir = root.appendingPathComponent(name)
            let record = try Fixtures.json(dir.appendingPathComponent("pycocotools.json"))
            let (outcome, fragment) = try XCTUnwrap(Self.expected[name])
            XCTAssertEqual(record["outcome"] as? String, outcome, "\(name): \(record)")
            do {
                let (gt, _) = try COCODataset.load(contentsOf: dir.appendingPathComponent("gt.json"))
                let dets = try COCOResults.load(contentsOf: dir.appendingPathComponent("dt.json"))
                _ = try COCOEvaluator(groundTruth: gt, detections: dets).run(threads: 2)
                XCTFail("\(name): evaluated, expected a refusal")
            } catch let e as COCOError {
                XCTAssertTrue(e.description.contains(fragment), "\(name): \(e.description)")
                XCTAssertTrue(e.description.contains(".json"), "\(name): the message names no file: \(e.description)")
            }
        }
    }
}
