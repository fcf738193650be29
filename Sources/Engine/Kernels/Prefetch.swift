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

    /// Starts loading every cache line of `bytes` bytes from `address`.
    @inline(__always)
    static func lines(_ address: UnsafeRawPointer, bytes: Int) {
        var offset = 0
        while offset < bytes {
            line(address + offset)
            offset &+= 64
        }
    }
}
