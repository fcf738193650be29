/// A small zlib/DEFLATE decoder (RFC 1950/1951): stored, fixed- and dynamic-Huffman blocks.
///
/// Canonical Huffman codes are decoded bit by bit from per-length counts (as zlib's `puff`):
/// simple and exact, ~tens of MB/s, enough for reading datasets' PNG files.
struct Inflate {
    struct Failure: Error { var offset: Int; var message: String }

    private let input: [UInt8]
    private var pos: Int            // next byte
    /// Output beyond this is an error (a corrupt or hostile stream cannot exhaust memory).
    private var limit = Int.max
    private var bitBuffer: UInt32 = 0
    private var bitCount = 0
    private(set) var output: [UInt8] = []

    /// Decompresses a zlib stream and checks its Adler-32; offsets in errors are within `input`.
    static func zlib(_ input: [UInt8], expectedSize: Int) throws -> [UInt8] {
        guard input.count >= 6 else { throw Failure(offset: 0, message: "zlib stream too short") }
        let cmf = input[0], flg = input[1]
        guard cmf & 0x0F == 8, (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0 else {
            throw Failure(offset: 0, message: "bad zlib header (expected deflate with a valid check)")
        }
        guard flg & 0x20 == 0 else { throw Failure(offset: 1, message: "zlib preset dictionaries are not supported") }
        var s = Inflate(input: input, pos: 2)
        s.output.reserveCapacity(expectedSize)
        s.limit = expectedSize + 65_536
        try s.run()
        let end = s.pos   // byte-aligned after the final block
        guard end + 4 <= input.count else { throw Failure(offset: end, message: "missing Adler-32 at the end of the zlib stream") }
        let stored = UInt32(input[end]) << 24 | UInt32(input[end + 1]) << 16 | UInt32(input[end + 2]) << 8 | UInt32(input[end + 3])
        guard stored == Checksums.adler32(s.output) else {
            throw Failure(offset: end, message: "Adler-32 mismatch: the compressed image data is corrupt")
        }
        return s.output
    }

    private init(input: [UInt8], pos: Int) { self.input = input; self.pos = pos }

    private mutating func bits(_ n: Int) throws -> Int {
        while bitCount < n {
            guard pos < input.count else { throw Failure(offset: pos, message: "unexpected end of compressed data") }
            bitBuffer |= UInt32(input[pos]) << UInt32(bitCount)
            pos += 1; bitCount += 8
        }
        let v = Int(bitBuffer & ((1 << UInt32(n)) - 1))
        bitBuffer >>= UInt32(n); bitCount -= n
        return v
    }

    private mutating func run() throws {
        var final = false
        while !final {
            final = try bits(1) == 1
            switch try bits(2) {
            case 0: try stored()
            case 1: try codes(Inflate.fixedLengths, Inflate.fixedDistances)
            case 2: try dynamic()
            default: throw Failure(offset: pos, message: "invalid deflate block type 3")
            }
        }
        bitBuffer = 0; bitCount = 0   // drop the final partial byte
    }

    private mutating func stored() throws {
        bitBuffer = 0; bitCount = 0
        guard pos + 4 <= input.count else { throw Failure(offset: pos, message: "truncated stored block header") }
        let len = Int(input[pos]) | Int(input[pos + 1]) << 8
        let nlen = Int(input[pos + 2]) | Int(input[pos + 3]) << 8
        guard len == ~nlen & 0xFFFF else { throw Failure(offset: pos, message: "stored block length check failed") }
        pos += 4
        guard pos + len <= input.count else { throw Failure(offset: pos, message: "truncated stored block") }
        output += input[pos..<(pos + len)]
        pos += len
        try checkLimit()
    }

    /// A canonical Huffman code: number of codes per length and symbols ordered by code.
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []
        /// More codes of some length than the code space allows (a corrupt stream).
        var overSubscribed = false

        init(lengths: [Int]) {
            for l in lengths { counts[l] += 1 }
            counts[0] = 0
            var left = 1
            for len in 1..<16 {
                left <<= 1; left -= counts[len]
                if left < 0 { overSubscribed = true }
            }
            var offs = [Int](repeating: 0, count: 16)
            for len in 1..<15 { offs[len + 1] = offs[len] + counts[len] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (sym, l) in lengths.enumerated() where l != 0 { symbols[offs[l]] = sym; offs[l] += 1 }
        }
    }

    private mutating func decode(_ h: Huffman) throws -> Int {
        var code = 0, first = 0, index = 0
        for len in 1..<16 {
            code |= try bits(1)
            let count = h.counts[len]
            if code - count < first { return h.symbols[index + (code - first)] }
            index += count; first += count
            first <<= 1; code <<= 1
        }
        throw Failure(offset: pos, message: "invalid Huffman code")
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                           4097, 6145, 8193, 12289, 16385, 24577]
    static let distExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    static let fixedLengths: Huffman = {
        var l = [Int](repeating: 8, count: 288)
        for i in 144..<256 { l[i] = 9 }
        for i in 256..<280 { l[i] = 7 }
        return Huffman(lengths: l)
    }()
    static let fixedDistances = Huffman(lengths: [Int](repeating: 5, count: 30))

    /// A code built from lengths read from the stream, rejected if over-subscribed.
    private func checked(_ lengths: [Int]) throws -> Huffman {
        let h = Huffman(lengths: lengths)
        if h.overSubscribed { throw Failure(offset: pos, message: "over-subscribed Huffman code") }
        return h
    }

    private func checkLimit() throws {
        if output.count > limit {
            throw Failure(offset: pos, message: "decompresses to more than the \(limit - 65_536) bytes the image needs")
        }
    }

    private mutating func codes(_ lit: Huffman, _ dist: Huffman) throws {
        while true {
            let sym = try decode(lit)
            if sym < 256 { output.append(UInt8(sym)); continue }
            if sym == 256 { return try checkLimit() }
            let li = sym - 257
            guard li < 29 else { throw Failure(offset: pos, message: "invalid length symbol \(sym)") }
            let len = Inflate.lengthBase[li] + (try bits(Inflate.lengthExtra[li]))
            let ds = try decode(dist)
            guard ds < 30 else { throw Failure(offset: pos, message: "invalid distance symbol \(ds)") }
            let d = Inflate.distBase[ds] + (try bits(Inflate.distExtra[ds]))
            guard d <= output.count else { throw Failure(offset: pos, message: "distance \(d) reaches before the start of the data") }
            let start = output.count - d
            for k in 0..<len { output.append(output[start + k]) }
            if output.count & 0xFFFF < len { try checkLimit() }   // about once per 64 KiB
        }
    }

    private mutating func dynamic() throws {
        let nlen = try bits(5) + 257, ndist = try bits(5) + 1, ncode = try bits(4) + 4
        guard nlen <= 286, ndist <= 30 else { throw Failure(offset: pos, message: "bad dynamic block code counts") }
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        var cl = [Int](repeating: 0, count: 19)
        for i in 0..<ncode { cl[order[i]] = try bits(3) }
        let clCode = try checked(cl)
        var lengths: [Int] = []
        while lengths.count < nlen + ndist {
            let sym = try decode(clCode)
            switch sym {
            case 0...15: lengths.append(sym)
            case 16:
                guard let last = lengths.last else { throw Failure(offset: pos, message: "repeat with no previous length") }
                lengths += [Int](repeating: last, count: 3 + (try bits(2)))
            case 17: lengths += [Int](repeating: 0, count: 3 + (try bits(3)))
            default: lengths += [Int](repeating: 0, count: 11 + (try bits(7)))
            }
        }
        guard lengths.count == nlen + ndist else { throw Failure(offset: pos, message: "code lengths overrun") }
        guard lengths[256] != 0 else { throw Failure(offset: pos, message: "no end-of-block code") }
        try codes(checked(Array(lengths[0..<nlen])), checked(Array(lengths[nlen...])))
    }
}
