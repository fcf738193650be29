/// Intersection-over-union of two (x1, y1, x2, y2) boxes in Float, without "+1" (as pycocotools).
///
/// One formula shared by the matcher, NMS and their brute-force test references, so ties are
/// decided identically everywhere. Degenerate pairs (union ≤ 0) have IoU 0.
@inlinable @inline(__always)
public func boxIoU(_ ax1: Float, _ ay1: Float, _ ax2: Float, _ ay2: Float, _ areaA: Float,
                   _ bx1: Float, _ by1: Float, _ bx2: Float, _ by2: Float, _ areaB: Float) -> Float {
    let iw = max(0, min(ax2, bx2) - max(ax1, bx1))
    let ih = max(0, min(ay2, by2) - max(ay1, by1))
    let inter = iw * ih
    let union = areaA + areaB - inter
    return union > 0 ? inter / union : 0
}

/// Intersection of box A with box B divided by A's area (pycocotools' IoU against a crowd box).
@inlinable @inline(__always)
public func boxIntersectionOverFirst(_ ax1: Float, _ ay1: Float, _ ax2: Float, _ ay2: Float, _ areaA: Float,
                                     _ bx1: Float, _ by1: Float, _ bx2: Float, _ by2: Float) -> Float {
    let iw = max(0, min(ax2, bx2) - max(ax1, bx1))
    let ih = max(0, min(ay2, by2) - max(ay1, by1))
    return areaA > 0 ? iw * ih / areaA : 0
}
