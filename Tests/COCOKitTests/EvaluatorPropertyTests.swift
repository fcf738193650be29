import Foundation
import XCTest
@testable import COCOKit

/// Properties that must hold on any input: perfect detections score (almost exactly) 1, input
/// order and thread count change nothing, the writer and the reader round-trip exactly.
final class EvaluatorPropertyTests: XCTestCase {
    /// A random dataset with COCO's size mix, crowds, images without objects.
    static func randomDataset(seed: UInt64, images: Int = 40, categories: Int = 5) -> COCODataset {
        var rng = SplitMix(seed: seed)
        var ds = COCODataset()
        ds.categories = (1...categories).map { COCOCategory(id: $0 * 3, name: "c\($0)") }
        var annId = 1
        for i in 0..<images {
            let imageId = 1000 + i * 2
            ds.images.append(COCOImage(id: imageId, width: 640, height: 480, fileName: "\(imageId).ppm"))
            for _ in 0..<Int(rng.next() % 9) {
                let side = [10.0, 25, 31, 40, 70, 95, 120, 250][Int(rng.next() % 8)] * (0.8 + 0.4 * rng.uniform())
                let box = COCOBox(x: rng.uniform() * 500, y: rng.uniform() * 380, width: side, height: side * (0.5 + rng.uniform()))
                ds.annotations.append(COCOAnnotation(id: annId, imageId: imageId, categoryId: ds.categories[Int(rng.next() % UInt64(categories))].id,
                                                     bbox: box, area: box.area * (0.6 + 0.4 * rng.uniform()), isCrowd: rng.next() % 40 == 0))
                annId += 1
            }
        }
        return ds
    }

    static func noisyDetections(_ ds: COCODataset, seed: UInt64) -> [COCODetection] {
        var rng = SplitMix(seed: seed)
        var out: [COCODetection] = []
        for a in ds.annotations where rng.next() % 5 != 0 {
            let j = 0.2 * rng.uniform()
            let b = COCOBox(x: a.bbox.x + j * a.bbox.width * (rng.uniform() - 0.5), y: a.bbox.y + j * a.bbox.height * (rng.uniform() - 0.5),
                            width: a.bbox.width * (1 + j * (rng.uniform() - 0.5)), height: a.bbox.height * (1 + j * (rng.uniform() - 0.5)))
            out.append(COCODetection(imageId: a.imageId, categoryId: a.categoryId, bbox: b, score: rng.uniform()))
        }
        for img in ds.images where rng.next() % 2 == 0 {
            for _ in 0..<Int(rng.next() % 30) {
                out.append(COCODetection(imageId: img.id, categoryId: ds.categories[Int(rng.next() % UInt64(ds.categories.count))].id,
                                         bbox: COCOBox(x: rng.uniform() * 600, y: rng.uniform() * 440, width: 5 + rng.uniform() * 200, height: 5 + rng.uniform() * 200),
                                         score: rng.uniform() * 0.6))
            }
        }
        return out
    }

    func testPerfectDetectionsScoreOne() throws {
        for seed in 1...5 as ClosedRange<UInt64> {
            let ds = Self.randomDataset(seed: seed)
            let perfect = ds.annotations.enumerated().map { COCODetection(imageId: $1.imageId, categoryId: $1.categoryId, bbox: $1.bbox, score: 1 - Double($0) * 1e-6) }
            let s = try COCOEvaluator(groundTruth: ds, detections: perfect).run(threads: 2)
            // precision is tp / (tp + fp + eps): exactly 1 is never reached, 1 - 1e-15 always is.
            for i in [0, 1, 2, 8] { XCTAssertGreaterThan(s.stats[i], 1 - 1e-15, "seed \(seed) \(COCOEvalSummary.statNames[i])") }
            // AR1 excepted: one detection per image cannot recall several objects of a category.
            for (i, v) in s.stats.enumerated() where i != 6 { XCTAssertTrue(v == -1 || v > 1 - 1e-15, "seed \(seed): \(s.stats)") }
            XCTAssertLessThan(s.stats[6], 1)
        }
    }

    func testInputOrderAndThreadCountChangeNothing() throws {
        for seed in 11...14 as ClosedRange<UInt64> {
            var ds = Self.randomDataset(seed: seed)
            var dets = Self.noisyDetections(ds, seed: seed + 100)
            let reference = try COCOEvaluator(groundTruth: ds, detections: dets).run(threads: 1)
            var rng = SplitMix(seed: seed)
            // Scores are distinct and boxes continuous, so no tie depends on the order.
            dets.shuffle(using: &rng)
            ds.annotations.shuffle(using: &rng)
            ds.images.shuffle(using: &rng)
            ds.categories.shuffle(using: &rng)
            for threads in [1, 2, 3, 8] {
                let s = try COCOEvaluator(groundTruth: ds, detections: dets).run(threads: threads)
                XCTAssertEqual(s.stats, reference.stats, "seed \(seed) threads \(threads)")
                XCTAssertEqual(s.precision, reference.precision)
                XCTAssertEqual(s.recall, reference.recall)
            }
        }
    }

    func testAddingDetectionsOnImagesOutsideTheCapDoesNotChangeAR1() throws {
        // AR1 only sees each image's top detection: adding lower-scored ones changes nothing.
        let ds = Self.randomDataset(seed: 21)
        let dets = Self.noisyDetections(ds, seed: 22).map { d -> COCODetection in var d = d; d.score = 0.5 + d.score / 2; return d }
        let extra = ds.images.map { COCODetection(imageId: $0.id, categoryId: ds.categories[0].id, bbox: COCOBox(x: 1, y: 1, width: 9, height: 9), score: 0.01) }
        let a = try COCOEvaluator(groundTruth: ds, detections: dets).run(threads: 1)
        let b = try COCOEvaluator(groundTruth: ds, detections: dets + extra).run(threads: 1)
        XCTAssertEqual(a.stats[6], b.stats[6])
    }

    func testWriterAndReaderRoundTripExactly() throws {
        let ds = Self.randomDataset(seed: 31)
        let dets = Self.noisyDetections(ds, seed: 32)
        let (back, warnings) = try COCODataset.parse(Array(try COCOWriter.instancesJSON(ds).utf8))
        XCTAssertEqual(warnings, [])
        XCTAssertEqual(back.images, ds.images)
        XCTAssertEqual(back.annotations, ds.annotations)
        XCTAssertEqual(back.categories, ds.categories)
        XCTAssertEqual(try COCOResults.parse(Array(try COCOWriter.resultsJSON(dets).utf8)), dets)
    }

    func testSmallChunksGiveTheSameParse() throws {
        // Tokens straddle chunk boundaries when the chunk is tiny.
        let ds = Self.randomDataset(seed: 41)
        let dets = Self.noisyDetections(ds, seed: 42)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("coco-chunks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("r.json")
        try COCOWriter.write(try COCOWriter.resultsJSON(dets), to: url)
        for chunk in [64, 97, 1 << 20] {
            var parser = COCOParser(try JSONByteReader(url: url, chunkSize: chunk))
            XCTAssertEqual(try parser.results(), dets, "chunk \(chunk)")
        }
    }
}

/// The two-part parse of large results files must equal the serial parse, including errors.
final class ParallelResultsLoadTests: XCTestCase {
    func tempFile(_ text: String) throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("split-\(UUID().uuidString).json")
        try Data(text.utf8).write(to: u)
        addTeardownBlock { try? FileManager.default.removeItem(at: u) }
        return u
    }

    func testSplitParseEqualsSerialParse() throws {
        let ds = EvaluatorPropertyTests.randomDataset(seed: 51, images: 200)
        let dets = EvaluatorPropertyTests.noisyDetections(ds, seed: 52)
        let url = try tempFile(try COCOWriter.resultsJSON(dets))
        XCTAssertEqual(try COCOResults.load(contentsOf: url, threads: 2, splitAbove: 1024), dets)
    }

    func testSplitGuessInsideAStringFallsBackToTheFirstPart() throws {
        // Every element carries a string that looks like an element boundary.
        let items = (0..<300).map { i in
            #"{"note": "}, {\"x\": 1}, {", "image_id": \#(i), "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5}"#
        }
        let url = try tempFile("[" + items.joined(separator: ",\n") + "]")
        let got = try COCOResults.load(contentsOf: url, threads: 2, splitAbove: 1024)
        XCTAssertEqual(got.map(\.imageId), Array(0..<300))
    }

    func testErrorInTheSecondPartNamesTheRightElement() throws {
        var items = (0..<300).map { i in #"{"image_id": \#(i), "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5}"# }
        items[250] = #"{"image_id": 250, "category_id": 1, "bbox": [1, 2, 3], "score": 0.5}"#
        let url = try tempFile("[" + items.joined(separator: ",\n") + "]")
        XCTAssertThrowsError(try COCOResults.load(contentsOf: url, threads: 2, splitAbove: 1024)) { e in
            XCTAssertEqual((e as? COCOError)?.path, "[250].bbox", "\(e)")
            XCTAssertEqual((e as? COCOError)?.position, "251:45", "\(e)")
        }
    }

    func testSplitParseOfNonBboxResultsEqualsSerialParse() throws {
        // The second part assumes the usual bbox form; a segmentation-first file is re-read serially.
        let dir = Fixtures.url("corner/results-segmentation-rle")
        let serial = try COCOResults.load(contentsOf: dir.appendingPathComponent("dt.json"), threads: 1)
        XCTAssertEqual(try COCOResults.load(contentsOf: dir.appendingPathComponent("dt.json"), threads: 2, splitAbove: 512), serial)
        XCTAssertNotNil(serial.first?.area)
    }
}
