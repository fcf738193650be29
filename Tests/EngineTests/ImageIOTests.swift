import Foundation
import XCTest
@testable import Engine

final class ImageIOTests: XCTestCase {
    static func fixture(_ name: String) throws -> URL {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return dir.appendingPathComponent("png").appendingPathComponent(name)
    }

    func sampleImage(channels: Int = 3, width: Int = 37, height: Int = 11) -> PixelImage {
        var rng = SeededRandom(seed: 9)
        return PixelImage(width: width, height: height, channels: channels,
                          pixels: (0..<(width * height * channels)).map { _ in UInt8(rng.int(below: 256)) })
    }

    // MARK: PNG writer

    /// Structure of a written PNG: signature, IHDR fields, chunk CRCs, zlib header, stored blocks, Adler-32.
    func testPNGWriterStructure() throws {
        let image = sampleImage(width: 200, height: 120)   // 72,120 raw bytes: two stored blocks
        let png = PNGWriter.encode(image)
        XCTAssertEqual(Array(png[0..<8]), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var pos = 8
        var types: [String] = [], idat: [UInt8] = []
        func be32(_ i: Int) -> Int { Int(png[i]) << 24 | Int(png[i + 1]) << 16 | Int(png[i + 2]) << 8 | Int(png[i + 3]) }
        while pos < png.count {
            let len = be32(pos)
            let type = String(decoding: png[(pos + 4)..<(pos + 8)], as: UTF8.self)
            XCTAssertEqual(UInt32(be32(pos + 8 + len)), Checksums.crc32(png[(pos + 4)..<(pos + 8 + len)]), "CRC of \(type)")
            if type == "IHDR" {
                XCTAssertEqual([be32(pos + 8), be32(pos + 12)], [200, 120])
                XCTAssertEqual(Array(png[(pos + 16)..<(pos + 21)]), [8, 2, 0, 0, 0])
            }
            if type == "IDAT" { idat += png[(pos + 8)..<(pos + 8 + len)] }
            types.append(type)
            pos += 12 + len
        }
        XCTAssertEqual(types, ["IHDR", "IDAT", "IEND"])
        XCTAssertEqual(Array(idat[0..<2]), [0x78, 0x01])
        // Walk the stored blocks by hand and rebuild the scanlines.
        var p = 2, raw: [UInt8] = [], blocks = 0
        while true {
            let header = idat[p], len = Int(idat[p + 1]) | Int(idat[p + 2]) << 8, nlen = Int(idat[p + 3]) | Int(idat[p + 4]) << 8
            XCTAssertEqual(header & 0b110, 0, "stored block")
            XCTAssertEqual(len ^ 0xFFFF, nlen)
            raw += idat[(p + 5)..<(p + 5 + len)]
            p += 5 + len; blocks += 1
            if header & 1 == 1 { break }
        }
        XCTAssertEqual(blocks, 2)
        XCTAssertEqual(raw.count, 120 * (1 + 600))
        let adler = UInt32(idat[p]) << 24 | UInt32(idat[p + 1]) << 16 | UInt32(idat[p + 2]) << 8 | UInt32(idat[p + 3])
        XCTAssertEqual(adler, Checksums.adler32(raw))
        XCTAssertEqual(p + 4, idat.count)
        XCTAssertEqual(Array(raw[1..<601]), Array(image.pixels[0..<600]))
    }

    func testChecksumsKnownValues() {
        XCTAssertEqual(Checksums.crc32(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(Checksums.adler32(Array("Wikipedia".utf8)), 0x11E6_0398)
        let big = [UInt8](repeating: 0xFF, count: 100_000)
        XCTAssertEqual(Checksums.adler32(big), Checksums.adler32(big[50_000...], continuing: Checksums.adler32(big[..<50_000])))
    }

    func testPNGRoundTrip() throws {
        for channels in [1, 3] {
            let image = sampleImage(channels: channels)
            XCTAssertEqual(try PNGReader.decode(PNGWriter.encode(image), file: "mem"), image)
        }
    }

    // MARK: PNG reader on zlib-compressed files (tools/make_png_fixtures.py)

    func testPNGReaderFixtures() throws {
        let cases = ["rgb8_filters": "ppm", "grey16_paeth": "pgm", "grey1": "pgm", "grey4_sub": "pgm", "palette4": "ppm",
                     "rgba8_average": "ppm", "greyalpha16": "pgm", "rgb16_up": "ppm", "rgb8_large": "ppm"]
        for (name, ext) in cases {
            let png = try PNGReader.read(Self.fixture(name + ".png"))
            let expected = try PNMReader.read(Self.fixture(name + "." + ext))
            XCTAssertEqual(png, expected, name)
        }
        XCTAssertThrowsError(try PNGReader.read(Self.fixture("oversized_idat.png"))) { error in
            XCTAssertTrue("\(error)".contains("decompresses to more than the 4 bytes the image needs"), "\(error)")
        }
        XCTAssertThrowsError(try PNGReader.read(Self.fixture("corrupt_crc.png"))) { error in
            XCTAssertTrue("\(error)".contains("CRC mismatch in chunk IDAT"), "\(error)")
            XCTAssertTrue("\(error)".contains("corrupt_crc.png: byte "), "\(error)")
        }
    }

    func testPNGReaderErrors() {
        let good = PNGWriter.encode(sampleImage())
        XCTAssertThrowsError(try PNGReader.decode(Array(good[0..<40]), file: "cut.png")) { e in
            XCTAssertTrue("\(e)".hasPrefix("cut.png: byte "), "\(e)")
        }
        XCTAssertThrowsError(try PNGReader.decode([1, 2, 3], file: "x.png")) { e in
            XCTAssertEqual("\(e)", "x.png: byte 0: not a PNG file (bad signature)")
        }
    }

    // MARK: PNM

    func testPNMRoundTripAllFormats() throws {
        for channels in [1, 3] {
            for plain in [false, true] {
                let image = sampleImage(channels: channels)
                let bytes = PNMWriter.encode(image, plain: plain)
                let magic = String(decoding: bytes[0..<2], as: UTF8.self)
                XCTAssertEqual(magic, channels == 3 ? (plain ? "P3" : "P6") : (plain ? "P2" : "P5"))
                XCTAssertEqual(try PNMReader.decode(bytes, file: "mem"), image, magic)
                if plain { XCTAssertTrue(String(decoding: bytes, as: UTF8.self).split(separator: "\n").allSatisfy { $0.count < 70 }) }
            }
        }
    }

    func testPNMHeaderCommentsAndMaxval() throws {
        let p2 = "P2 # grey\n# a comment line\n3 2\n# max\n15\n0 15 7\n15  0\t8\n"
        let grey = try PNMReader.decode(Array(p2.utf8), file: "a.pgm")
        XCTAssertEqual(grey.pixels, [0, 255, 119, 255, 0, 136])   // round(v·255/15)
        var p6 = Array("P6\n1 1\n65535\n".utf8)
        p6 += [0xFF, 0xFF, 0x80, 0x00, 0x00, 0x01]                 // 16-bit big-endian samples
        XCTAssertEqual(try PNMReader.decode(p6, file: "b.ppm").pixels, [255, 128, 0])
    }

    func testPNMErrorsNameFileAndOffset() {
        func message(_ text: String) -> String {
            do { _ = try PNMReader.decode(Array(text.utf8), file: "f.ppm"); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message("P7\n"), "f.ppm: byte 0: unsupported PNM type P7; expected P2, P3, P5 or P6")
        XCTAssertEqual(message("P4\n"), "f.ppm: byte 0: PNM bitmaps (P1/P4) are not supported; expected P2, P3, P5 or P6")
        XCTAssertEqual(message("P6\n2 x\n"), "f.ppm: byte 5: expected a decimal number (height), found 'x'")
        XCTAssertEqual(message("P6\n2 2\n255\nabc"), "f.ppm: byte 11: truncated raster: expected 12 bytes for 2×2×3 samples, found 3")
        XCTAssertEqual(message("P2\n2 1\n10\n3 11\n"), "f.ppm: byte 12: sample 11 exceeds maxval 10")
        XCTAssertEqual(message("P3\n1 1\n255\n1 2"), "f.ppm: byte 14: unexpected end of file: expected sample 3 of 3")
        XCTAssertEqual(message("P5\n0 3\n255\n"), "f.ppm: byte 3: image size 0×3: width and height must be positive")
        XCTAssertEqual(message("P5\n1 1\n70000\n"), "f.ppm: byte 7: maxval 70000 out of range: expected 1…65535")
    }

    func testImageFileReaderSniffsFormat() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("imageio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = sampleImage()
        try PNGWriter.write(image, to: dir.appendingPathComponent("a.ppm"))   // content decides, not the extension
        try PNMWriter.write(image, to: dir.appendingPathComponent("b.png"))
        XCTAssertEqual(try ImageFileReader.read(dir.appendingPathComponent("a.ppm")), image)
        XCTAssertEqual(try ImageFileReader.read(dir.appendingPathComponent("b.png")), image)
        try Data([0xFF, 0xD8, 0xFF, 0xE0]).write(to: dir.appendingPathComponent("c.jpg"))
        XCTAssertThrowsError(try ImageFileReader.read(dir.appendingPathComponent("c.jpg"))) { e in
            XCTAssertTrue("\(e)".contains("JPEG is not supported"), "\(e)")
        }
        XCTAssertThrowsError(try ImageFileReader.read(dir.appendingPathComponent("missing.png"))) { e in
            XCTAssertTrue("\(e)".contains("missing.png: cannot read the image file"), "\(e)")
        }
    }

    func testResizeAndCHW() {
        let image = PixelImage(width: 2, height: 1, channels: 1, pixels: [0, 200])
        XCTAssertEqual(image.resized(width: 4, height: 1).pixels, [0, 50, 150, 200])   // half-pixel centres
        XCTAssertEqual(image.resized(width: 1, height: 1).pixels, [100])
        let norm = ImageNormalization(mean: [0, 0.5, 1], std: [1, 0.5, 0.25])
        let chw = PixelImage(width: 1, height: 1, channels: 3, pixels: [255, 255, 0]).normalizedCHW(norm)
        XCTAssertEqual(chw[0], 1, accuracy: 1e-6); XCTAssertEqual(chw[1], 1, accuracy: 1e-6); XCTAssertEqual(chw[2], -4, accuracy: 1e-6)
        XCTAssertEqual(image.flippedHorizontally().pixels, [200, 0])
    }
}
