/// CRC-32 (ISO-HDLC, as PNG chunks use) and Adler-32 (as zlib streams end with).
public enum Checksums {
    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// CRC-32 of `bytes`, continuing from `crc` (start with 0).
    public static func crc32<C: Collection>(_ bytes: C, continuing crc: UInt32 = 0) -> UInt32 where C.Element == UInt8 {
        var c = ~crc
        crcTable.withUnsafeBufferPointer { t in
            for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return ~c
    }

    /// Adler-32 of `bytes`, continuing from `adler` (start with 1).
    public static func adler32<C: Collection>(_ bytes: C, continuing adler: UInt32 = 1) -> UInt32 where C.Element == UInt8 {
        var a = adler & 0xFFFF, b = adler >> 16
        var pending = 0
        for byte in bytes {
            a += UInt32(byte); b += a
            pending += 1
            if pending == 5552 { a %= 65521; b %= 65521; pending = 0 }   // largest run without UInt32 overflow
        }
        return ((b % 65521) << 16) | (a % 65521)
    }
}
