import Foundation

/// Reads PNG files: grey, RGB, palette, grey+alpha and RGBA; bit depths 1–16; all five row
/// filters; chunk CRCs checked. Alpha is dropped, 16-bit samples are rounded to 8 bits.
/// Interlaced (Adam7) files are rejected with a clear error.
public enum PNGReader {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    public static func read(_ url: URL) throws -> PixelImage {
        try decode(ImageFileError.readBytes(url), file: url.path)
    }

    /// Decodes PNG bytes; `file` names the source in errors.
    public static func decode(_ b: [UInt8], file: String) throws -> PixelImage {
        func fail(_ at: Int, _ m: String) -> ImageFileError { ImageFileError(file: file, offset: at, m) }
        guard b.starts(with: signature) else { throw fail(0, "not a PNG file (bad signature)") }
        func be32(_ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
        var pos = 8
        var width = 0, height = 0, depth = 0, colorType = -1
        var palette: [UInt8] = []
        var idat: [UInt8] = []
        var idatStart = -1
        var sawEnd = false
        while pos < b.count, !sawEnd {
            guard pos + 12 <= b.count else { throw fail(pos, "truncated chunk header") }
            let len = be32(pos)
            let type = String(decoding: b[(pos + 4)..<(pos + 8)], as: UTF8.self)
            guard len >= 0, pos + 12 + len <= b.count else { throw fail(pos, "chunk \(type) of \(len) bytes runs past the end of the file") }
            let body = pos + 8
            let crc = UInt32(be32(body + len))
            guard crc == Checksums.crc32(b[(pos + 4)..<(body + len)]) else { throw fail(body + len, "CRC mismatch in chunk \(type)") }
            switch type {
            case "IHDR":
                guard len == 13 else { throw fail(body, "IHDR must be 13 bytes") }
                width = be32(body); height = be32(body + 4); depth = Int(b[body + 8]); colorType = Int(b[body + 9])
                guard b[body + 10] == 0, b[body + 11] == 0 else { throw fail(body + 10, "unknown compression or filter method") }
                guard b[body + 12] == 0 else { throw fail(body + 12, "interlaced (Adam7) PNG is not supported; save it non-interlaced") }
                guard width > 0, height > 0, width <= PNMReader.maxPixels / height else { throw fail(body, "bad image size \(width)×\(height)") }
                let allowed: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
                guard allowed[colorType]?.contains(depth) == true else {
                    throw fail(body + 8, "unsupported colour type \(colorType) with bit depth \(depth)")
                }
            case "PLTE": palette = Array(b[body..<(body + len)])
            case "IDAT":
                if idatStart < 0 { idatStart = body }
                idat += b[body..<(body + len)]
            case "IEND": sawEnd = true
            default: break
            }
            pos = body + len + 4
        }
        guard colorType >= 0 else { throw fail(8, "missing IHDR chunk") }
        guard !idat.isEmpty else { throw fail(pos, "missing IDAT chunk") }
        if colorType == 3, palette.isEmpty { throw fail(pos, "palette image without PLTE chunk") }

        let samples = colorType == 2 ? 3 : (colorType == 4 ? 2 : (colorType == 6 ? 4 : 1))   // per pixel in the file
        let bitsPerPixel = samples * depth
        let stride = (width * bitsPerPixel + 7) / 8
        let bpp = max(1, bitsPerPixel / 8)
        let raw: [UInt8]
        do { raw = try Inflate.zlib(idat, expectedSize: height * (stride + 1)) } catch let e as Inflate.Failure {
            throw fail(idatStart, "image data: \(e.message) (at byte \(e.offset) of the concatenated IDAT data)")
        }
        guard raw.count >= height * (stride + 1) else {
            throw fail(idatStart, "image data too short: expected \(height * (stride + 1)) bytes, got \(raw.count)")
        }
        // Undo the row filters in place into `rows` (height × stride).
        var rows = [UInt8](repeating: 0, count: height * stride)
        for y in 0..<height {
            let f = raw[y * (stride + 1)], src = y * (stride + 1) + 1, dst = y * stride
            for x in 0..<stride {
                let a = x >= bpp ? Int(rows[dst + x - bpp]) : 0
                let up = y > 0 ? Int(rows[dst - stride + x]) : 0
                let c = (x >= bpp && y > 0) ? Int(rows[dst - stride + x - bpp]) : 0
                let v = Int(raw[src + x])
                let pred: Int
                switch f {
                case 0: pred = 0
                case 1: pred = a
                case 2: pred = up
                case 3: pred = (a + up) / 2
                case 4:
                    let p = a + up - c, pa = abs(p - a), pb = abs(p - up), pc = abs(p - c)
                    pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? up : c)
                default: throw fail(idatStart, "row \(y) has unknown filter type \(f)")
                }
                rows[dst + x] = UInt8(truncatingIfNeeded: v + pred)
            }
        }
        // Samples → 8-bit grey or RGB.
        let outChannels = (colorType == 2 || colorType == 3 || colorType == 6) ? 3 : 1
        var pixels = [UInt8](repeating: 0, count: width * height * outChannels)
        func sample(_ row: Int, _ index: Int) -> Int {
            switch depth {
            case 8: return Int(rows[row + index])
            case 16: return Int(rows[row + 2 * index]) << 8 | Int(rows[row + 2 * index + 1])
            default:
                let bit = index * depth
                return Int(rows[row + bit / 8] >> UInt8(8 - depth - bit % 8)) & ((1 << depth) - 1)
            }
        }
        func to8(_ v: Int) -> UInt8 {
            let maxv = (1 << depth) - 1
            return maxv == 255 ? UInt8(v) : UInt8((v * 255 + maxv / 2) / maxv)
        }
        for y in 0..<height {
            let row = y * stride
            for x in 0..<width {
                let o = (y * width + x) * outChannels
                if colorType == 3 {
                    let i = sample(row, x)
                    guard 3 * i + 2 < palette.count else { throw fail(idatStart, "palette index \(i) out of range at pixel (\(x), \(y))") }
                    pixels[o] = palette[3 * i]; pixels[o + 1] = palette[3 * i + 1]; pixels[o + 2] = palette[3 * i + 2]
                } else {
                    for c in 0..<outChannels { pixels[o + c] = to8(sample(row, x * samples + c)) }
                }
            }
        }
        return PixelImage(width: width, height: height, channels: outChannels, pixels: pixels)
    }
}
