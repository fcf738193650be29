/// Maps unique ids, in a given order, to their positions: a dense table when the keys are
/// compact (the usual 1…n or COCO's sparse-but-bounded ids), else a dictionary.
struct IdIndex: Sendable {
    /// The ids in order (pycocotools' order: see `COCOId.sortedUnique`); `ids[index(of: id)!] == id`.
    let ids: [Int]
    private let minId: Int
    private let dense: [Int32]
    private let sparse: [Int: Int32]

    /// `ids` must be unique; their order is kept (positions follow it).
    init(sortedUnique ids: [Int]) {
        self.ids = ids
        let lo = ids.min() ?? 0, hi = ids.max() ?? 0
        minId = lo
        let (span, overflow) = hi.subtractingReportingOverflow(lo)
        if !ids.isEmpty, !overflow, span <= 8 * ids.count + 4096 {
            var table = [Int32](repeating: -1, count: span + 1)
            for (i, id) in ids.enumerated() { table[id - lo] = Int32(i) }
            dense = table; sparse = [:]
        } else {
            dense = []
            var d = [Int: Int32](minimumCapacity: ids.count)
            for (i, id) in ids.enumerated() { d[id] = Int32(i) }
            sparse = d
        }
    }

    /// Builds from any ids, unique and in pycocotools' order; throws where pycocotools cannot
    /// order them (see `COCOId.sortedUnique`). `what` names them in messages ("image ids").
    init(_ unsorted: [Int], floatTyped: Set<Int> = [], what: String) throws {
        self.init(sortedUnique: try COCOId.sortedUnique(unsorted, floatTyped: floatTyped, what: what))
    }

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
