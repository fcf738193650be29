/// A parallel sum that does not depend on the thread count: `count` items are cut into fixed
/// chunks of `chunkSize`, `chunk(range)` returns each chunk's (sum, count), and the chunk results
/// are added in chunk order — bitwise the same for any thread count of `ctx` (or none). Threads
/// split the chunks. Used by the loss kernels.
enum ChunkedSum {
    @inline(__always)
    static func run(count: Int, chunkSize: Int, ctx: ComputeContext?,
                    _ chunk: (Range<Int>) -> (Double, Int)) -> (sum: Double, count: Int) {
        let chunks = (count + chunkSize - 1) / chunkSize
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: max(1, 2 * chunks)) { sums in
            let sp = sums.baseAddress!
            func body(_ range: Range<Int>) {
                for ch in range {
                    let lo = ch * chunkSize
                    let (s, n) = chunk(lo..<min(count, lo + chunkSize))
                    sp[2 * ch] = s; sp[2 * ch + 1] = Double(n)
                }
            }
            if let ctx, chunks > 1 { ctx.parallelRanges(chunks, body) } else { body(0..<chunks) }
            var sum = 0.0, n = 0
            for ch in 0..<chunks { sum += sp[2 * ch]; n += Int(sp[2 * ch + 1]) }
            return (sum, n)
        }
    }
}
