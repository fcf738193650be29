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

/// `boxIoU` of boxes i..<i+16 of a structure-of-arrays set with one box: lane by lane the same
/// IEEE operations, so results are bit-identical to the scalar function (tests rely on it).
@inline(__always)
func boxIoU16(_ ax1: UnsafeBufferPointer<Float>, _ ay1: UnsafeBufferPointer<Float>, _ ax2: UnsafeBufferPointer<Float>,
              _ ay2: UnsafeBufferPointer<Float>, _ aa: UnsafeBufferPointer<Float>, _ i: Int,
              _ gx1: Float, _ gy1: Float, _ gx2: Float, _ gy2: Float, _ ga: Float) -> SIMD16<Float> {
    @inline(__always) func load(_ p: UnsafeBufferPointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p.baseAddress! + i).loadUnaligned(as: SIMD16<Float>.self)
    }
    let zero = SIMD16<Float>(repeating: 0)
    let iw = simdMax(simdMin(load(ax2), gx2) - simdMax(load(ax1), gx1), 0)
    let ih = simdMax(simdMin(load(ay2), gy2) - simdMax(load(ay1), gy1), 0)
    let inter = iw * ih
    let union = load(aa) + SIMD16(repeating: ga) - inter
    return zero.replacing(with: inter / union, where: union .> zero)
}

/// Lane-wise Swift.min(a, b) by compare-and-select (the standard library's pointwiseMin is not
/// vectorised).
@inline(__always)
func simdMin(_ a: SIMD16<Float>, _ b: Float) -> SIMD16<Float> {
    let v = SIMD16(repeating: b)
    return a.replacing(with: v, where: v .< a)
}

/// Lane-wise Swift.max(a, b) by compare-and-select.
@inline(__always)
func simdMax(_ a: SIMD16<Float>, _ b: Float) -> SIMD16<Float> {
    let v = SIMD16(repeating: b)
    return a.replacing(with: v, where: v .> a)
}
