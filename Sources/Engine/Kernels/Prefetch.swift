/// LLVM's prefetch intrinsic, reached by its symbol name: Swift has no spelling for a prefetch.
/// Arguments: address, 0 = read, locality 0…3 (3 = keep in all cache levels), 1 = data cache.
/// Prefetches never fault, and targets without one drop it.
@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ cacheType: Int32)

/// Software prefetch, for streams whose next rows are far apart (the hardware prefetchers
/// follow runs within a page, not the jump to the next row of a wide matrix).
enum Prefetch {
    /// Starts loading the cache line holding `address`.
    @inline(__always)
    static func line(_ address: UnsafeRawPointer) { llvmPrefetch(address, 0, 3, 1) }

    /// Starts loading the cache line holding `address` for writing (`prefetchw` on x86: the
    /// line arrives owned, so the stores that follow need not ask for it again).
    @inline(__always)
    static func lineForWriting(_ address: UnsafeRawPointer) { llvmPrefetch(address, 1, 3, 1) }

    /// Starts loading every cache line of `bytes` bytes from `address` (for writing, or not).
    @inline(__always)
    static func lines(_ address: UnsafeRawPointer, bytes: Int, forWriting: Bool = false) {
        var offset = 0
        while offset < bytes {
            if forWriting { lineForWriting(address + offset) } else { line(address + offset) }
            offset &+= 64
        }
    }
}

/// Rows of a row-major matrix for a microkernel to prefetch while it runs: the narrow tile
/// spreads them over its passes (a burst before one call held up the kernel's own loads).
struct PrefetchRows {
    var matrix: MatrixRef
    var rows: Range<Int>
    /// First column and bytes per row.
    var column: Int, bytes: Int

    /// Prefetches rows `part` of `parts` equal shares (0-based).
    @inline(__always)
    func issue(part: Int = 0, of parts: Int = 1) {
        let n = rows.count, r0 = rows.lowerBound
        SGEMM.prefetchRows(matrix, r0 + n * part / parts..<r0 + n * (part + 1) / parts, jc: column, bytes: bytes)
    }
}
