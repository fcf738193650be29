/// Maps sorted, unique integer ids to their positions: a dense table when the ids are compact
/// (the usual 1…n or COCO's sparse-but-bounded ids), else a dictionary.
struct IdIndex: Sendable {
    /// Sorted unique ids; `ids[index(of: id)!] == id`.
    let ids: [Int]
    private let minId: Int
    private let dense: [Int32]
    private let sparse: [Int: Int32]

    init(sortedUnique ids: [Int]) {
        self.ids = ids
        minId = ids.first ?? 0
        let span = ids.isEmpty ? 0 : ids[ids.count - 1] &- minId
        if !ids.isEmpty, span >= 0, span <= 8 * ids.count + 4096 {
            var table = [Int32](repeating: -1, count: span + 1)
            for (i, id) in ids.enumerated() { table[id - minId] = Int32(i) }
            dense = table; sparse = [:]
        } else {
            dense = []
            var d = [Int: Int32](minimumCapacity: ids.count)
            for (i, id) in ids.enumerated() { d[id] = Int32(i) }
            sparse = d
        }
    }

    /// Builds from any ids (sorted and de-duplicated here).
    init(_ unsorted: [Int]) { self.init(sortedUnique: Array(Set(unsorted)).sorted()) }

    var count: Int { ids.count }

    /// Position of `id`, or nil if it is not in the set.
    @inline(__always)
    func index(of id: Int) -> Int? {
        if !dense.isEmpty {
            let o = id &- minId
            guard o >= 0, o < dense.count else { return nil }
            let v = dense[o]
            return v >= 0 ? Int(v) : nil
        }
        return sparse[id].map(Int.init)
    }
}
