import COCOKit
import Foundation
import XCTest
@testable import Engine

final class COCOFolderDatasetTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("folder-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    /// Export → read back gives the same annotations and, at the native scale, the same pixels;
    /// at another scale, the same input size and scale factor as the built-in dataset.
    func testExportAndReadBack() throws {
        let shapes = ShapesDataset(split: .val, count: 6)
        for format in DatasetExporter.ImageFormat.allCases {
            let out = dir.appendingPathComponent(format.rawValue)
            var progress: [Int] = []
            let written = try DatasetExporter.export(shapes, to: out, format: format) { done, _ in progress.append(done) }
            XCTAssertEqual(progress, Array(1...6))
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("annotations.json").path))
            XCTAssertEqual(written.images.map(\.fileName), (1...6).map { String(format: "shapes-val-%06d.\(format.rawValue)", $0) })
            let folder = try COCOFolderDataset(dataset: written, imageDirectory: out.appendingPathComponent("images"),
                                               normalization: .shapes)
            XCTAssertEqual(folder.count, 6)
            XCTAssertEqual(folder.categories, shapes.categories)
            for i in 0..<6 {
                XCTAssertEqual(folder.annotations(at: i), shapes.annotations(at: i))
                XCTAssertEqual(try folder.sample(at: i, scale: 480).pixels, shapes.sample(at: i, scale: 480).pixels)
                let a = try folder.sample(at: i, scale: 256), b = shapes.sample(at: i, scale: 256)
                XCTAssertEqual([a.pixels.width, a.pixels.height], [b.pixels.width, b.pixels.height])
                XCTAssertEqual(a.scale, b.scale)
            }
            let json = try String(contentsOf: out.appendingPathComponent("annotations.json"), encoding: .utf8)
            XCTAssertEqual(json, try COCOWriter.instancesJSON(written))
        }
    }

    func testMaxSizeCapsTheLongerSide() throws {
        let images = [COCOImage(id: 1, width: 1000, height: 200, fileName: "wide.ppm")]
        let data = COCODataset(images: images, annotations: [], categories: [COCOCategory(id: 1, name: "a")])
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try PNMWriter.write(PixelImage(width: 1000, height: 200), to: dir.appendingPathComponent("wide.ppm"))
        let capped = try COCOFolderDataset(dataset: data, imageDirectory: dir, maxSize: 500)
        let s = try capped.sample(at: 0, scale: 256)
        XCTAssertEqual([s.pixels.width, s.pixels.height], [500, 100])
        XCTAssertEqual(s.scale, 0.5)
        XCTAssertEqual(capped.inputSize(at: 0, scale: 256).width, 500)
        XCTAssertEqual(try COCOFolderDataset(dataset: data, imageDirectory: dir).sample(at: 0, scale: 256).pixels.width, 1280)
    }

    func testValidationErrorsNamePlaces() throws {
        let cat = [COCOCategory(id: 3, name: "c")]
        let img = [COCOImage(id: 1, width: 4, height: 4, fileName: "a.ppm")]
        func message(_ d: COCODataset) -> String {
            do { _ = try COCOFolderDataset(dataset: d, imageDirectory: dir, source: "ann.json"); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message(COCODataset(images: img, annotations: [], categories: [])), "ann.json: categories: the dataset has no categories")
        XCTAssertEqual(message(COCODataset(images: img + img, annotations: [], categories: cat)),
                       "ann.json: images[1].id: duplicate image id 1 (also images[0])")
        let box = COCOBox(x: 0, y: 0, width: 1, height: 1)
        XCTAssertEqual(message(COCODataset(images: img, annotations: [COCOAnnotation(id: 1, imageId: 2, categoryId: 3, bbox: box, area: 1)], categories: cat)),
                       "ann.json: annotations[0].image_id: no image with id 2")
        XCTAssertEqual(message(COCODataset(images: img, annotations: [COCOAnnotation(id: 1, imageId: 1, categoryId: 4, bbox: box, area: 1)], categories: cat)),
                       "ann.json: annotations[0].category_id: no category with id 4")
        let bad = COCOBox(x: 0, y: 0, width: -1, height: 1)
        XCTAssertTrue(message(COCODataset(images: img, annotations: [COCOAnnotation(id: 1, imageId: 1, categoryId: 3, bbox: bad, area: 1)], categories: cat))
            .hasPrefix("ann.json: annotations[0].bbox: expected finite [x, y, width, height]"))
    }

    func testMissingAndMismatchedImages() throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let data = COCODataset(images: [COCOImage(id: 7, width: 4, height: 4, fileName: "a.ppm"), COCOImage(id: 8, width: 4, height: 4, fileName: "b.ppm")],
                               annotations: [], categories: [COCOCategory(id: 1, name: "a")])
        try PNMWriter.write(PixelImage(width: 5, height: 4), to: dir.appendingPathComponent("a.ppm"))
        let folder = try COCOFolderDataset(dataset: data, imageDirectory: dir)
        XCTAssertThrowsError(try folder.sample(at: 0, scale: 4)) { e in
            XCTAssertTrue("\(e)".hasSuffix("a.ppm: image is 5×4 but images[0] (id 7) says 4×4"), "\(e)")
        }
        XCTAssertThrowsError(try folder.sample(at: 1, scale: 4)) { e in
            XCTAssertTrue("\(e)".contains("b.ppm: cannot read the image file"), "\(e)")
        }
    }
}
