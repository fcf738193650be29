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

    static func run(boxes: [Float], scores: [Float], classes: [Int32]?, iouThreshold: Float, maxOutput: Int) -> [Int] {
        let order = descendingOrder(scores)
        var keep: [Int] = []
        guard maxOutput > 0 else { return keep }
        // Kept boxes per class (structure of arrays), class 0 only when not batched.
        var classSlot: [Int32: Int] = [:]
        var kx1: [[Float]] = [], ky1: [[Float]] = [], kx2: [[Float]] = [], ky2: [[Float]] = [], ka: [[Float]] = []
        for i in order {
            let c = classes?[i] ?? 0
            let slot: Int
            if let s = classSlot[c] { slot = s } else {
                slot = kx1.count; classSlot[c] = slot
                kx1.append([]); ky1.append([]); kx2.append([]); ky2.append([]); ka.append([])
            }
            let x1 = boxes[4 * i], y1 = boxes[4 * i + 1], x2 = boxes[4 * i + 2], y2 = boxes[4 * i + 3]
            let area = (x2 - x1) * (y2 - y1)
            if !overlapsKept(x1, y1, x2, y2, area, kx1[slot], ky1[slot], kx2[slot], ky2[slot], ka[slot], iouThreshold) {
                keep.append(i)
                if keep.count >= maxOutput { break }
                kx1[slot].append(x1); ky1[slot].append(y1); kx2[slot].append(x2); ky2[slot].append(y2); ka[slot].append(area)
            }
        }
        return keep
    }

    @inline(__always)
    static func overlapsKept(_ x1: Float, _ y1: Float, _ x2: Float, _ y2: Float, _ area: Float,
                             _ kx1: [Float], _ ky1: [Float], _ kx2: [Float], _ ky2: [Float], _ ka: [Float],
                             _ threshold: Float) -> Bool {
        let n = kx1.count
        return kx1.withUnsafeBufferPointer { p1 in ky1.withUnsafeBufferPointer { q1 in
            kx2.withUnsafeBufferPointer { p2 in ky2.withUnsafeBufferPointer { q2 in ka.withUnsafeBufferPointer { pa in
                var k = 0
                while k < n {
                    // Blocks of 16 without early exit vectorise; exit between blocks.
                    let e = min(n, k + 16)
                    var hit = false
                    for t in k..<e {
                        hit = hit || boxIoU(p1[t], q1[t], p2[t], q2[t], pa[t], x1, y1, x2, y2, area) > threshold
                    }
                    if hit { return true }
                    k = e
                }
                return false
            } } } }
        }
    }
}
