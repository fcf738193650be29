import Foundation

/// Writes 8-bit grey or RGB PNG files without compression (zlib "stored" deflate blocks), so no
/// zlib is needed. Files are ~1.0003 × the raw size; any PNG reader (Python, browsers) opens them.
public enum PNGWriter {
    /// The PNG file bytes of `image`.
    public static func encode(_ image: PixelImage) -> [UInt8] {
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var ihdr: [UInt8] = []
        appendBE(UInt32(image.width), &ihdr); appendBE(UInt32(image.height), &ihdr)
        ihdr += [8, image.channels == 3 ? 2 : 0, 0, 0, 0]   // depth 8, colour type RGB/grey, deflate, filter 0, no interlace
        appendChunk("IHDR", ihdr, &out)

        // Scanlines: filter byte 0 (none) + the row.
        let rowBytes = image.width * image.channels
        var raw = [UInt8](repeating: 0, count: image.height * (rowBytes + 1))
        for y in 0..<image.height {
            let dst = y * (rowBytes + 1) + 1, src = y * rowBytes
            for i in 0..<rowBytes { raw[dst + i] = image.pixels[src + i] }
        }
        var z: [UInt8] = [0x78, 0x01]                          // zlib header: deflate, 32K window, no dict
        z.reserveCapacity(raw.count + raw.count / 65535 * 5 + 16)
        var start = 0
        repeat {
            let len = min(65535, raw.count - start)
            let final = start + len == raw.count
            z.append(final ? 1 : 0)                            // BFINAL, BTYPE = 00 (stored)
            z += [UInt8(len & 0xFF), UInt8(len >> 8), UInt8(~len & 0xFF), UInt8((~len >> 8) & 0xFF)]
            z += raw[start..<(start + len)]
            start += len
        } while start < raw.count
        appendBE(Checksums.adler32(raw), &z)
        appendChunk("IDAT", z, &out)
        appendChunk("IEND", [], &out)
        return out
    }

    /// Writes `image` as a PNG file at `url` (atomically).
    public static func write(_ image: PixelImage, to url: URL) throws {
        try Data(encode(image)).write(to: url, options: .atomic)
    }

    static func appendBE(_ v: UInt32, _ out: inout [UInt8]) {
        out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    static func appendChunk(_ type: String, _ data: [UInt8], _ out: inout [UInt8]) {
        appendBE(UInt32(data.count), &out)
        let t = Array(type.utf8)
        out += t
        out += data
        appendBE(Checksums.crc32(data, continuing: Checksums.crc32(t)), &out)
    }
}
