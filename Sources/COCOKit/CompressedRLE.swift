/// pycocotools' compressed RLE masks (`{"size": [h, w], "counts": "…"}`), read exactly as its C
/// code reads them (maskApi.c `rleFrString`, `rleArea`, `rleToBbox`), for results whose area
/// and box pycocotools derives from the segmentation (`COCO.loadRes`, segmentation branch).
///
/// Reproduced bit for bit, including what malformed strings do in C: characters outside
/// '0'…'o' decode through signed-`char` arithmetic, shifts are 32-bit `int` shifts (counts
/// masked to 5 bits, as x86-64 and arm64 do), counts wrap as `uint32`, a NUL ends the string.
/// The two cases where the C code has no defined result are refused: a value still
/// continuing at the end of the string (it reads past the terminator) and height 0 with a
/// non-empty foreground run (division by zero: the process dies with SIGFPE).
enum CompressedRLE {
    /// The decoded counts, as `rleFrString` stores them.
    static func counts(_ s: [UInt8]) -> [UInt32]? {
        let n = s.firstIndex(of: 0) ?? s.count  // C string: stops at the first NUL
        var cnts: [UInt32] = []
        cnts.reserveCapacity(n)
        var p = 0
        while p < n {
            var x: Int64 = 0
            var k: Int32 = 0
            var more = true
            while more {
                guard p < n else { return nil }  // the C loop would read past the terminator
                // char c = s[p] - 48 (char is signed on x86-64; the arithmetic wraps to 8 bits).
                let c = Int32(Int8(truncatingIfNeeded: Int32(Int8(bitPattern: s[p])) - 48))
                x |= Int64((c & 0x1F) &<< (5 &* k))
                more = c & 0x20 != 0
                p += 1; k += 1
                if !more && c & 0x10 != 0 { x |= Int64(Int32(-1) &<< (5 &* k)) }
            }
            if cnts.count > 2 { x &+= Int64(cnts[cnts.count - 2]) }
            cnts.append(UInt32(truncatingIfNeeded: x))
        }
        return cnts
    }

    /// `maskUtils.area`: the sum of the foreground runs, as `uint32` (wrapping).
    static func area(_ cnts: [UInt32]) -> UInt32 {
        var a: UInt32 = 0
        var j = 1
        while j < cnts.count { a &+= cnts[j]; j += 2 }
        return a
    }

    /// `maskUtils.toBbox` as (x, y, width, height); nil where the C code divides by zero.
    static func box(_ cnts: [UInt32], height: UInt64, width: UInt64) -> COCOBox? {
        let h = UInt32(truncatingIfNeeded: height), w = UInt32(truncatingIfNeeded: width)
        let m = cnts.count / 2 * 2
        if m == 0 { return COCOBox(x: 0, y: 0, width: 0, height: 0) }
        var xs = w, ys = h, xe: UInt32 = 0, ye: UInt32 = 0, cc: UInt32 = 0
        for j in 0..<m {
            let start = cc
            cc &+= cnts[j]
            if j % 2 == 0 || cnts[j] == 0 { continue }
            guard h != 0 else { return nil }
            let yStart = start % h, xStart = (start &- yStart) / h
            let yEnd = (cc &- 1) % h, xEnd = (cc &- 1 &- yEnd) / h
            xs = min(xs, xStart); xe = max(xe, xEnd)
            if xStart < xEnd {
                ys = 0; ye = h &- 1
            } else {
                ys = min(ys, yStart); ye = max(ye, yEnd)
            }
        }
        return COCOBox(x: Double(xs), y: Double(ys), width: Double(xe &- xs &+ 1), height: Double(ye &- ys &+ 1))
    }

    /// Whether the UTF-8 bytes hold a lone surrogate (WTF-8), which Python cannot encode to bytes.
    static func hasLoneSurrogate(_ s: [UInt8]) -> Bool {
        var i = 0
        while i + 1 < s.count {
            if s[i] == 0xED && s[i + 1] >= 0xA0 { return true }
            i += 1
        }
        return false
    }
}
