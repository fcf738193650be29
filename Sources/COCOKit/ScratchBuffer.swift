/// A growable, manually freed buffer of trivial values for hot loops: no bounds checks, no
/// copy-on-write or ARC traffic per element. Call `free()` when done.
struct ScratchBuffer<T> {
    private(set) var base: UnsafeMutablePointer<T>
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    /// Makes room for `n` elements in total (contents up to `count` kept).
    @inline(__always)
    mutating func reserve(_ n: Int) {
        if n > capacity { grow(n) }
    }

    private mutating func grow(_ n: Int) {
        let newCap = max(n, capacity * 2)
        let p = UnsafeMutablePointer<T>.allocate(capacity: newCap)
        p.moveInitialize(from: base, count: count)
        base.deallocate()
        base = p; capacity = newCap
    }

    @inline(__always)
    mutating func append(_ v: T) {
        if count == capacity { grow(count + 1) }
        (base + count).initialize(to: v)
        count += 1
    }

    @inline(__always)
    subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }

    func free() { base.deallocate() }
}
