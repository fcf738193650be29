import COCOKit
import XCTest
@testable import Engine

final class ShapesDatasetTests: XCTestCase {
    static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }

    /// Pinned: the default val split's image 0 at scale 256, images 0..<8 at scale 160 (one hash
    /// over all their bytes), and their annotations as COCO JSON. This is the cross-platform
    /// determinism guarantee (same bytes on Linux/macOS, x86_64/arm64); the values change only
    /// when the generator or renderer changes on purpose.
    func testPinnedImagesAndAnnotations() throws {
        let ds = ShapesDataset(split: .val, count: 8)
        let first = ds.sample(at: 0, scale: 256)
        var all: [UInt8] = []
        for i in 0..<8 { all += ds.sample(at: i, scale: 160).pixels.pixels }
        let json = try COCOWriter.instancesJSON(ds.cocoDataset())
        let got = [Self.fnv1a(first.pixels.pixels), Self.fnv1a(all), Self.fnv1a(json.utf8)].map { String($0, radix: 16) }
        XCTAssertEqual(got, ["e9fb860c7cac8832", "8f5ad378a4f2814f", "d11dd1dee0a58744"])
    }

    func testDeterministicPureFunctionOfIndex() {
        let a = ShapesDataset(split: .train, count: 20), b = ShapesDataset(split: .train, count: 5000)
        XCTAssertEqual(a.sample(at: 7, scale: 160), b.sample(at: 7, scale: 160))
        XCTAssertEqual(a.scene(at: 3), a.scene(at: 3))
        XCTAssertNotEqual(a.scene(at: 0), ShapesDataset(split: .val, count: 1).scene(at: 0), "splits use disjoint streams")
        XCTAssertNotEqual(a.scene(at: 0), ShapesDataset(split: .train, count: 1, config: ShapesConfig(seed: 2)).scene(at: 0))
        XCTAssertEqual(ShapesDataset(runConfig: RunConfig(), split: .val).count, RunConfig().valImages)
    }

    func testAnnotationsAreValidCOCO() {
        let ds = ShapesDataset(split: .train, count: 300)
        var ids = Set<Int>()
        for i in 0..<ds.count {
            let info = ds.image(at: i)
            XCTAssertEqual([info.id, info.width, info.height], [i + 1, 640, 480])
            for a in ds.annotations(at: i) {
                XCTAssertTrue(ids.insert(a.id).inserted, "duplicate annotation id \(a.id)")
                XCTAssertEqual(a.imageId, info.id)
                XCTAssertTrue((1...12).contains(a.categoryId))
                let b = a.bbox
                XCTAssertTrue(b.x >= 0 && b.y >= 0 && b.x + b.width <= 640 && b.y + b.height <= 480 && b.width >= 1 && b.height >= 1)
                XCTAssertEqual(a.area, b.width * b.height)
            }
        }
    }

    /// COCO's size mix (41/34/25 by area), empty images, every category, crowd groups.
    func testObjectStatistics() throws {
        let ds = ShapesDataset(split: .train, count: 1000)
        let r = try ImbalanceReport.compute(dataset: ds, scale: 256, anchors: AnchorGenerator())
        XCTAssertEqual(r.smallFraction, 0.41, accuracy: 0.04)
        XCTAssertEqual(r.mediumFraction, 0.34, accuracy: 0.04)
        XCTAssertEqual(r.largeFraction, 0.25, accuracy: 0.04)
        XCTAssertEqual(Double(r.emptyImages) / 1000, 0.10, accuracy: 0.03)
        XCTAssertGreaterThan(r.crowdRegions, 10)
        var perCategory = [Int](repeating: 0, count: 12)
        for i in 0..<ds.count { for a in ds.annotations(at: i) where !a.isCrowd { perCategory[a.categoryId - 1] += 1 } }
        XCTAssertTrue(perCategory.allSatisfy { Double($0) > 0.05 * Double(r.objects) }, "\(perCategory)")
    }

    func testInputSizesAndScaleFactor() {
        let ds = ShapesDataset(split: .val, count: 1)
        for (scale, w) in [(160, 213), (256, 341), (384, 512), (512, 683), (480, 640)] {
            let s = ds.sample(at: 0, scale: scale)
            XCTAssertEqual([s.pixels.width, s.pixels.height], [w, scale])
            XCTAssertEqual(s.scale, Double(scale) / 480)
        }
    }

    /// The row-classified renderer is bit-identical to evaluating every pixel's signed distance.
    func testFastRendererMatchesReference() {
        let ds = ShapesDataset(split: .train, count: 40)
        let views: [(Int, Int, Double)] = [(341, 256, 256.0 / 480), (213, 160, 160.0 / 480), (96, 80, 0.9), (64, 64, 2.7)]
        for i in 0..<40 {
            let scene = ds.scene(at: i)
            let (w, h, s) = views[i % views.count]
            let ox = Double(i % 5) * 37.3, oy = Double(i % 3) * 11.1
            let fast = ShapesRenderer.render(scene, width: w, height: h, scale: s, originX: ox, originY: oy, reference: false)
            let slow = ShapesRenderer.render(scene, width: w, height: h, scale: s, originX: ox, originY: oy, reference: true)
            XCTAssertEqual(fast, slow, "scene \(i)")
        }
    }

    /// Objects stand out: at native scale, on the pixels inside an object's outline that no later
    /// item's box covers, removing the object changes the colour by > 60 (sum over channels) on average.
    func testObjectsAreVisible() {
        let ds = ShapesDataset(split: .val, count: 30)
        var checked = 0
        for i in 0..<ds.count {
            let scene = ds.scene(at: i)
            let full = ShapesRenderer.render(scene, width: 640, height: 480, scale: 1)
            for (k, item) in scene.items.enumerated() {
                guard case .object = item.role, item.width * item.height >= 400 else { continue }
                var without = scene
                without.items.remove(at: k)
                let other = ShapesRenderer.render(without, width: 640, height: 480, scale: 1)
                let region = PixelRegion(item.outline.outer, item.x0, item.y0, item.width, item.height)
                let hole = item.outline.hole.map { PixelRegion($0, item.x0, item.y0, item.width, item.height) }
                let later = scene.items[(k + 1)...].filter { $0.role != .clutter }
                var diff = 0, n = 0
                for y in max(0, Int(item.y0))..<min(480, Int(item.y1)) {
                    for x in max(0, Int(item.x0))..<min(640, Int(item.x1)) {
                        let px = Double(x) + 0.5, py = Double(y) + 0.5
                        guard region.distance(px, py) < -1, (hole.map { $0.distance(px, py) > 1 } ?? true) else { continue }
                        if later.contains(where: { px >= $0.x0 && px <= $0.x1 && py >= $0.y0 && py <= $0.y1 }) { continue }
                        for c in 0..<3 { diff += abs(Int(full.value(x: x, y: y, channel: c)) - Int(other.value(x: x, y: y, channel: c))) }
                        n += 1
                    }
                }
                guard n > 50 else { continue }
                XCTAssertGreaterThan(Double(diff) / Double(n), 60, "image \(i) item \(k)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 30)
    }

    func testFlipKeepsImageAndBoxesConsistent() throws {
        let ds = ShapesDataset(split: .val, count: 4)
        let s = ds.sample(at: 1, scale: 256)
        let f = s.flippedHorizontally()
        XCTAssertEqual(f.pixels, s.pixels.flippedHorizontally())
        XCTAssertEqual(f.flippedHorizontally(), s)
        let viaSample = try f.groundTruth(classIndex: ds.classIndex)
        let viaBoxes = try s.groundTruth(classIndex: ds.classIndex).flippedHorizontally(imageWidth: s.pixels.width)
        XCTAssertEqual(viaSample.classes, viaBoxes.classes)
        for (a, b) in zip(viaSample.boxes, viaBoxes.boxes) { XCTAssertEqual(a, b, accuracy: 1e-3) }
        XCTAssertEqual(s.pixels.normalizedCHW(.shapes, flipped: true), f.pixels.normalizedCHW(.shapes))
    }

    func testNormalizationConstantsMatchTheData() throws {
        // The constants come from 1000 images; 300 others (val) agree within sampling noise.
        let m = try ImageNormalization.measure(ShapesDataset(split: .val, count: 300), images: 300, scale: 256)
        for c in 0..<3 {
            XCTAssertEqual(m.mean[c], ImageNormalization.shapes.mean[c], accuracy: 0.02)
            XCTAssertEqual(m.std[c], ImageNormalization.shapes.std[c], accuracy: 0.02)
        }
        let chw = ShapesDataset(split: .val, count: 1).sample(at: 0, scale: 160).pixels.normalizedCHW(.shapes)
        XCTAssertEqual(chw.count, 3 * 213 * 160)
    }

    func testClassificationSampler() {
        let sampler = ShapesClassificationSampler()
        XCTAssertEqual(ShapesClassificationSampler.classCount, 13)
        var seen = Set<Int>()
        for i in 0..<39 {
            let (image, label) = sampler.sample(at: i)
            XCTAssertEqual(label, i % 13)
            XCTAssertEqual([image.width, image.height, image.channels], [64, 64, 3])
            seen.insert(label)
        }
        XCTAssertEqual(seen.count, 13)
        XCTAssertEqual(sampler.sample(at: 5).image, sampler.sample(at: 5).image)
        XCTAssertNotEqual(sampler.sample(at: 5).image, sampler.sample(at: 18).image)
    }
}
