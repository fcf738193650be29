import Foundation

/// Reads Netpbm images: P2 (plain grey), P3 (plain RGB), P5 (binary grey), P6 (binary RGB),
/// any maxval 1…65535 (16-bit samples big-endian), comments in the header. Samples are scaled to
/// 8 bits as round(v·255/maxval). Bitmaps (P1/P4) and PAM (P7) are rejected with a clear error.
public enum PNMReader {
    /// Largest accepted width × height (guards against a corrupt header asking for terabytes).
    public static let maxPixels = 1 << 28

    /// Reads the file at `url`.
    public static func read(_ url: URL) throws -> PixelImage {
        try decode(ImageFileError.readBytes(url), file: url.path)
    }

    /// Decodes PNM bytes; `file` names the source in errors.
    public static func decode(_ bytes: [UInt8], file: String) throws -> PixelImage {
        var r = Cursor(bytes: bytes, file: file)
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P") else {
            throw ImageFileError(file: file, offset: 0, "not a PNM file: expected the magic number P2, P3, P5 or P6")
        }
        let kind = bytes[1]
        let channels: Int, binary: Bool
        switch kind {
        case UInt8(ascii: "2"): channels = 1; binary = false
        case UInt8(ascii: "3"): channels = 3; binary = false
        case UInt8(ascii: "5"): channels = 1; binary = true
        case UInt8(ascii: "6"): channels = 3; binary = true
        case UInt8(ascii: "1"), UInt8(ascii: "4"):
            throw ImageFileError(file: file, offset: 0, "PNM bitmaps (P1/P4) are not supported; expected P2, P3, P5 or P6")
        default:
            throw ImageFileError(file: file, offset: 0, "unsupported PNM type P\(Character(UnicodeScalar(kind))); expected P2, P3, P5 or P6")
        }
        r.pos = 2
        let width = try r.number("width")
        let sizeAt = r.tokenStart
        let height = try r.number("height")
        let maxval = try r.number("maxval")
        guard width > 0, height > 0 else {
            throw ImageFileError(file: file, offset: sizeAt, "image size \(width)×\(height): width and height must be positive")
        }
        guard width <= maxPixels / height else {
            throw ImageFileError(file: file, offset: sizeAt, "image size \(width)×\(height) exceeds the limit of \(maxPixels) pixels")
        }
        guard (1...65535).contains(maxval) else {
            throw ImageFileError(file: file, offset: r.tokenStart, "maxval \(maxval) out of range: expected 1…65535")
        }
        let count = width * height * channels
        var pixels = [UInt8](repeating: 0, count: count)
        if binary {
            // Exactly one whitespace byte separates the header from the raster.
            guard r.pos < bytes.count, Cursor.isSpace(bytes[r.pos]) else {
                throw ImageFileError(file: file, offset: r.pos, "expected one whitespace byte after maxval")
            }
            r.pos += 1
            let bytesPerSample = maxval < 256 ? 1 : 2
            let needed = count * bytesPerSample
            guard bytes.count - r.pos >= needed else {
                throw ImageFileError(file: file, offset: r.pos,
                                     "truncated raster: expected \(needed) bytes for \(width)×\(height)×\(channels) samples, found \(bytes.count - r.pos)")
            }
            for i in 0..<count {
                let v = bytesPerSample == 1 ? Int(bytes[r.pos + i]) : Int(bytes[r.pos + 2 * i]) << 8 | Int(bytes[r.pos + 2 * i + 1])
                guard v <= maxval else {
                    throw ImageFileError(file: file, offset: r.pos + i * bytesPerSample, "sample \(v) exceeds maxval \(maxval)")
                }
                pixels[i] = scaled(v, maxval)
            }
        } else {
            for i in 0..<count {
                let v = try r.number("sample \(i + 1) of \(count)")
                guard v <= maxval else {
                    throw ImageFileError(file: file, offset: r.tokenStart, "sample \(v) exceeds maxval \(maxval)")
                }
                pixels[i] = scaled(v, maxval)
            }
        }
        return PixelImage(width: width, height: height, channels: channels, pixels: pixels)
    }

    @inline(__always)
    static func scaled(_ v: Int, _ maxval: Int) -> UInt8 {
        maxval == 255 ? UInt8(v) : UInt8((v * 255 + maxval / 2) / maxval)
    }

    /// Reads decimal header/plain-raster tokens, skipping whitespace and # comments.
    struct Cursor {
        let bytes: [UInt8]
        let file: String
        var pos = 0
        /// Offset of the last number read.
        var tokenStart = 0

        static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }

        mutating func number(_ what: String) throws -> Int {
            while pos < bytes.count {
                if Cursor.isSpace(bytes[pos]) { pos += 1 } else if bytes[pos] == UInt8(ascii: "#") {
                    while pos < bytes.count, bytes[pos] != 0x0A, bytes[pos] != 0x0D { pos += 1 }
                } else { break }
            }
            guard pos < bytes.count else {
                throw ImageFileError(file: file, offset: pos, "unexpected end of file: expected \(what)")
            }
            let start = pos
            tokenStart = start
            var v = 0
            while pos < bytes.count, (0x30...0x39).contains(bytes[pos]) {
                v = v * 10 + Int(bytes[pos] - 0x30)
                if v > 1 << 40 { throw ImageFileError(file: file, offset: start, "number too large for \(what)") }
                pos += 1
            }
            guard pos > start else {
                let found = bytes[pos] >= 0x20 && bytes[pos] < 0x7F ? "'\(Character(UnicodeScalar(bytes[pos])))'" : "byte 0x" + String(bytes[pos], radix: 16)
                throw ImageFileError(file: file, offset: pos, "expected a decimal number (\(what)), found \(found)")
            }
            if pos < bytes.count, !Cursor.isSpace(bytes[pos]), bytes[pos] != UInt8(ascii: "#") {
                throw ImageFileError(file: file, offset: pos, "expected whitespace after \(what)")
            }
            return v
        }
    }
}
