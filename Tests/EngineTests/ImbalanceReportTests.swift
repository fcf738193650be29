import Foundation
import XCTest
@testable import Engine

final class ImbalanceReportTests: XCTestCase {
    /// The goal at the default scale (256) and anchors (3×3): ≥ 10⁴ anchors per image and
    /// at most 1 positive per 300 negatives on average.
    func testImbalanceGoalAtDefaultScale() throws {
        let r = try ImbalanceReport.compute(dataset: ShapesDataset(split: .val, count: 250), scale: 256, anchors: AnchorGenerator())
        XCTAssertGreaterThanOrEqual(r.anchorsPerImage, 10_000)
        XCTAssertGreaterThanOrEqual(r.negativesPerPositive, 300)
        XCTAssertEqual(r.anchorsPerImage, r.positivesPerImage + r.ignoredPerImage + r.negativesPerImage, accuracy: 1e-6)
        XCTAssertLessThan(r.objectsWithoutPositive, 0.03, "the detectron2 rule gives nearly every object a positive")
        XCTAssertTrue(r.markdownRow.hasPrefix("| 256 | 341×256 | 9 | 16614 |"), r.markdownRow)
    }

    /// Larger scales mean more anchors and a more extreme ratio (Table 1e's axis).
    func testImbalanceGrowsWithScale() throws {
        let ds = ShapesDataset(split: .val, count: 100)
        let rs = try [160, 256, 384, 512].map { try ImbalanceReport.compute(dataset: ds, scale: $0, anchors: AnchorGenerator()) }
        XCTAssertEqual(rs.map { Int($0.anchorsPerImage) }, [6579, 16614, 36828, 66096])
        for k in 1..<rs.count { XCTAssertGreaterThan(rs[k].negativesPerPositive, rs[k - 1].negativesPerPositive) }
    }

    /// Prints docs/DATASET.md's figures (`bench/dataset_report.sh`); skipped unless asked for.
    func testPrintReport() throws {
        guard ProcessInfo.processInfo.environment["FOCAL_DATASET_REPORT"] == "1" else {
            throw XCTSkip("set FOCAL_DATASET_REPORT=1 to print the dataset report")
        }
        print(try DatasetReport.markdown())
    }

    /// Exports the val split as PNG and PPM folders for `tools/check_export.py`; skipped unless
    /// FOCAL_EXPORT_DIR is set (`tools/check_export.sh` sets it).
    func testExportForTools() throws {
        guard let dir = ProcessInfo.processInfo.environment["FOCAL_EXPORT_DIR"] else {
            throw XCTSkip("set FOCAL_EXPORT_DIR to export the val split for tools/check_export.py")
        }
        let count = Int(ProcessInfo.processInfo.environment["FOCAL_EXPORT_IMAGES"] ?? "") ?? 250
        let val = ShapesDataset(split: .val, count: count)
        let root = URL(fileURLWithPath: dir)
        try DatasetExporter.export(val, to: root.appendingPathComponent("png"), format: .png)
        try DatasetExporter.export(val, to: root.appendingPathComponent("ppm"), format: .ppm)
    }

    /// Writes object-centred crops at scale 256 for `tools/recognition_probe.py`; skipped unless
    /// FOCAL_CROPS_DIR is set.
    func testExportRecognitionCrops() throws {
        guard let dir = ProcessInfo.processInfo.environment["FOCAL_CROPS_DIR"] else {
            throw XCTSkip("set FOCAL_CROPS_DIR to write recognition crops for tools/recognition_probe.py")
        }
        let scale = Int(ProcessInfo.processInfo.environment["FOCAL_CROPS_SCALE"] ?? "") ?? 256
        let root = URL(fileURLWithPath: dir)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (name, split, n) in [("train", ShapesSplit.train, 3000), ("val", ShapesSplit.val, 500)] {
            let crops = RecognitionCrops.crops(dataset: ShapesDataset(split: split, count: n), images: 0..<n, scale: scale)
            try Data(RecognitionCrops.encode(crops)).write(to: root.appendingPathComponent("\(name).bin"))
        }
    }
}
