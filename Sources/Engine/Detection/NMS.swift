/// Greedy non-maximum suppression (boxes as (x1, y1, x2, y2), IoU by `boxIoU`).
///
/// Candidates are visited by descending score (ties: lower index first, so the result is
/// deterministic); a candidate is kept unless its IoU with an already kept box (of the same class,
/// for `batched`) is greater than `iouThreshold`. This equals the textbook "keep the best, remove
/// everything above the threshold, repeat" (tested against it) but only compares with kept boxes
/// and stops at `maxOutput`, which is what makes OHEM's NMS over thousands of anchors cheap.
public enum NMS {
    /// Indices of the kept boxes, best score first. `boxes` is [N × 4], `scores` has N entries.
    public static func greedy(boxes: [Float], scores: [Float], iouThreshold: Float, maxOutput: Int = .max) -> [Int] {
        precondition(boxes.count == 4 * scores.count, "one score per box")
        return run(boxes: boxes, scores: scores, classes: nil, iouThreshold: iouThreshold, maxOutput: maxOutput)
    }

    /// Class-wise NMS: a box is only suppressed by kept boxes of its own class.
    public static func batched(boxes: [Float], scores: [Float], classes: [Int32], iouThreshold: Float,
                               maxOutput: Int = .max) -> [Int] {
        precondition(boxes.count == 4 * scores.count && classes.count == scores.count, "one score and class per box")
        return run(boxes: boxes, scores: scores, classes: classes, iouThreshold: iouThreshold, maxOutput: maxOutput)
    }

    /// Indices 0..<n sorted by descending score, ties by index (NaN scores last).
    public static func descendingOrder(_ scores: [Float]) -> [Int] {
        Array(0..<scores.count).sorted { a, b in
            let sa = scores[a], sb = scores[b]
            if sa == sb || (sa.isNaN && sb.isNaN) { return a < b }
            if sa.isNaN { return false }
            if sb.isNaN { return true }
            return sa > sb
        }
    }

    /// Sort key: descending score, then ascending index, NaN last, as an unsigned integer.
    @inline(__always)
    static func key(_ score: Float, _ index: Int) -> UInt64 {
        let b = score == 0 ? 0 : score.bitPattern   // −0 sorts with +0
        let ordered: UInt32 = score.isNaN ? 0 : (b & 0x8000_0000 != 0 ? ~b : b | 0x8000_0000)
        return UInt64(ordered) << 32 | UInt64(UInt32.max - UInt32(truncatingIfNeeded: index))
    }

    static func run(boxes: [Float], scores: [Float], classes: [Int32]?, iouThreshold: Float, maxOutput: Int) -> [Int] {
        var keep: [Int] = []
        guard maxOutput > 0, !scores.isEmpty else { return keep }
        precondition(scores.count < Int(UInt32.max), "too many boxes")
        // Candidates come off a max-heap of keys in order, so only the visited part is sorted
        // (OHEM keeps a few hundred of ~10⁴–10⁵ anchors).
        var heap = (0..<scores.count).map { key(scores[$0], $0) }
        heapify(&heap)
        // Kept boxes per class (structure of arrays), class 0 only when not batched.
        var classSlot: [Int32: Int] = [:]
        var kept: [KeptBoxes] = []
        while !heap.isEmpty {
            let i = Int(UInt32.max - UInt32(truncatingIfNeeded: popMax(&heap)))
            let c = classes?[i] ?? 0
            let slot: Int
            if let s = classSlot[c] { slot = s } else { slot = kept.count; classSlot[c] = slot; kept.append(KeptBoxes()) }
            let x1 = boxes[4 * i], y1 = boxes[4 * i + 1], x2 = boxes[4 * i + 2], y2 = boxes[4 * i + 3]
            let area = (x2 - x1) * (y2 - y1)
            if !kept[slot].overlaps(x1, y1, x2, y2, area, iouThreshold) {
                keep.append(i)
                if keep.count >= maxOutput { break }
                kept[slot].append(x1, y1, x2, y2, area)
            }
        }
        return keep
    }

    /// Kept boxes of one class as coordinate arrays.
    struct KeptBoxes {
        var x1: [Float] = [], y1: [Float] = [], x2: [Float] = [], y2: [Float] = [], area: [Float] = []

        mutating func append(_ a: Float, _ b: Float, _ c: Float, _ d: Float, _ e: Float) {
            x1.append(a); y1.append(b); x2.append(c); y2.append(d); area.append(e)
        }

        /// Whether any kept box has IoU > threshold with the given box (16 at a time, then the rest).
        func overlaps(_ bx1: Float, _ by1: Float, _ bx2: Float, _ by2: Float, _ barea: Float, _ threshold: Float) -> Bool {
            let n = x1.count
            return x1.withUnsafeBufferPointer { p1 in y1.withUnsafeBufferPointer { q1 in
                x2.withUnsafeBufferPointer { p2 in y2.withUnsafeBufferPointer { q2 in area.withUnsafeBufferPointer { pa in
                    var k = 0
                    let t = SIMD16<Float>(repeating: threshold)
                    while k + 16 <= n {
                        if any(boxIoU16(p1, q1, p2, q2, pa, k, bx1, by1, bx2, by2, barea) .> t) { return true }
                        k += 16
                    }
                    while k < n {
                        if boxIoU(p1[k], q1[k], p2[k], q2[k], pa[k], bx1, by1, bx2, by2, barea) > threshold { return true }
                        k += 1
                    }
                    return false
                } } } }
            }
        }
    }

    static func heapify(_ h: inout [UInt64]) {
        var i = h.count / 2 - 1
        while i >= 0 { siftDown(&h, i); i -= 1 }
    }

    static func popMax(_ h: inout [UInt64]) -> UInt64 {
        let top = h[0]
        let last = h.removeLast()
        if !h.isEmpty { h[0] = last; siftDown(&h, 0) }
        return top
    }

    static func siftDown(_ h: inout [UInt64], _ start: Int) {
        let n = h.count
        h.withUnsafeMutableBufferPointer { p in
            var i = start
            let v = p[i]
            while true {
                var c = 2 * i + 1
                if c >= n { break }
                if c + 1 < n, p[c + 1] > p[c] { c += 1 }
                if p[c] <= v { break }
                p[i] = p[c]; i = c
            }
            p[i] = v
        }
    }
}
