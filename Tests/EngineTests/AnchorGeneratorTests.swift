import Foundation
import XCTest
@testable import Engine

final class AnchorGeneratorTests: XCTestCase {
    func testCountsPerLevelAtDefaultScale() throws {
        // 640×480 at scale 256 → 341×256 input; grids ⌈H/s⌉×⌈W/s⌉.
        let set = try AnchorGenerator().anchors(height: 256, width: 341)
        let grids = set.levels.map { [$0.level, $0.stride, $0.rows, $0.columns, $0.offset] }
        XCTAssertEqual(grids, [[3, 8, 32, 43, 0], [4, 16, 16, 22, 12_384], [5, 32, 8, 11, 15_552],
                               [6, 64, 4, 6, 16_344], [7, 128, 2, 3, 16_560]])
        XCTAssertEqual(set.count, 9 * (32 * 43 + 16 * 22 + 8 * 11 + 4 * 6 + 2 * 3))
        XCTAssertEqual(set.count, 16_614)
    }

    func testCellGeometry() throws {
        let g = try AnchorGenerator()
        let set = g.anchors(height: 256, width: 341)
        // First anchor: level 3, cell (0, 0), octave 0, ratio 0.5 (h/w): centre (4, 4), area 32².
        let (x1, y1, x2, y2) = set.box(0)
        XCTAssertEqual((x1 + x2) / 2, 4, accuracy: 1e-5)
        XCTAssertEqual((y1 + y2) / 2, 4, accuracy: 1e-5)
        XCTAssertEqual((x2 - x1) * (y2 - y1), 1024, accuracy: 1e-2)
        XCTAssertEqual((y2 - y1) / (x2 - x1), 0.5, accuracy: 1e-6)
        // Every level: sizes 4·s·2^(k/3), ratios h/w as configured, centres at (x + ½)·s.
        for level in set.levels {
            let s = Float(level.stride)
            for a in 0..<9 {
                let k = a / 3, r = [0.5, 1, 2][a % 3]
                let size = 4 * Double(level.stride) * Foundation.pow(2, Double(k) / 3)
                let y = level.rows - 1, x = level.columns - 1
                let i = level.offset + (y * level.columns + x) * 9 + a
                let (x1, y1, x2, y2) = set.box(i)
                XCTAssertEqual(Double((x2 - x1) * (y2 - y1)), size * size, accuracy: size * size * 1e-5)
                XCTAssertEqual(Double((y2 - y1) / (x2 - x1)), r, accuracy: 1e-5)
                XCTAssertEqual((x1 + x2) / 2, (Float(x) + 0.5) * s, accuracy: 1e-3)
                XCTAssertEqual((y1 + y2) / 2, (Float(y) + 0.5) * s, accuracy: 1e-3)
            }
        }
        // Paper's range: 32 px on P3 … 512·2^(2/3) ≈ 813 px on P7.
        XCTAssertEqual(g.cellSizes(level: 3)[1].width, 32, accuracy: 1e-12)
        XCTAssertEqual(g.cellSizes(level: 7)[7].width, 512 * Foundation.pow(2, 2.0 / 3), accuracy: 1e-9)
    }

    func testConfigurationsAndMemory() throws {
        let g = try AnchorGenerator(scalesPerOctave: 4, aspectRatios: [0.5, 1, 2])
        XCTAssertEqual(g.anchorsPerLocation, 12)
        let set = g.anchors(height: 512, width: 683)
        XCTAssertEqual(set.count, 12 * (64 * 86 + 32 * 43 + 16 * 22 + 8 * 11 + 4 * 6))
        XCTAssertLessThan(set.memoryBytes, 4 << 20)   // 88k anchors, ~3.2 MB with the SoA copies
        let one = try AnchorGenerator(scalesPerOctave: 1, aspectRatios: [1])
        XCTAssertEqual(one.anchors(height: 256, width: 341).count, 1846)
        let explicit = one.anchors(gridSizes: [(2, 3), (1, 1), (1, 1), (1, 1), (1, 1)])
        XCTAssertEqual(explicit.count, 10)
        var config = RunConfig()
        config.scalesPerOctave = 2; config.aspectRatios = [1]
        XCTAssertEqual(try AnchorGenerator(runConfig: config).anchorsPerLocation, 2)
        config.aspectRatios = [0]
        XCTAssertThrowsError(try AnchorGenerator(runConfig: config)) { e in
            XCTAssertTrue("\(e)".contains("aspectRatios must be a non-empty list of positive numbers"), "\(e)")
        }
        XCTAssertThrowsError(try AnchorGenerator(scalesPerOctave: 0))
        XCTAssertThrowsError(try AnchorGenerator(aspectRatios: []))
        XCTAssertThrowsError(try AnchorGenerator(anchorScale: -1))
    }

    /// Generating the anchors for a 512-px input with 4×3 anchors per location is cheap.
    func testGenerationSpeed() throws {
        let g = try AnchorGenerator(scalesPerOctave: 4)
        let t = BenchClock.measure(repeats: 5) { _ = g.anchors(height: 512, width: 683) }
        XCTAssertLessThan(t.cpu, 0.05)
    }
}
