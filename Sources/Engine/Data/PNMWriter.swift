import Foundation

/// Writes Netpbm images with maxval 255: P6/P5 (binary RGB/grey) or P3/P2 (plain text).
public enum PNMWriter {
    /// The file bytes of `image`; `plain` selects the text formats P3/P2.
    public static func encode(_ image: PixelImage, plain: Bool = false) -> [UInt8] {
        let magic = image.channels == 3 ? (plain ? "P3" : "P6") : (plain ? "P2" : "P5")
        var out = Array("\(magic)\n\(image.width) \(image.height)\n255\n".utf8)
        if !plain {
            out += image.pixels
            return out
        }
        // Plain: samples separated by spaces, lines under 70 characters as the format asks.
        var line = 0
        for v in image.pixels {
            let s = Array(String(v).utf8)
            if line > 0 && line + 1 + s.count > 69 { out.append(0x0A); line = 0 }
            if line > 0 { out.append(0x20); line += 1 }
            out += s; line += s.count
        }
        out.append(0x0A)
        return out
    }

    /// Writes `image` to `url` (atomically).
    public static func write(_ image: PixelImage, to url: URL, plain: Bool = false) throws {
        try Data(encode(image, plain: plain)).write(to: url, options: .atomic)
    }
}
