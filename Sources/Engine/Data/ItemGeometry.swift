/// An item mapped to output pixels: its pixel box, regions, edge ramp and fill.
struct ItemGeometry {
    let bx0: Double, by0: Double, bw: Double, bh: Double
    let px0: Int, px1: Int, py0: Int, py1: Int
    /// Edge ramp width in output pixels (1 for plain anti-aliasing, wider for soft edges).
    let invRamp: Double
    /// Distance beyond which coverage is certainly 0 or 1: ramp/2 plus a ¼-pixel guard.
    let reach: Double
    let outer: PixelRegion
    let hole: PixelRegion?
    /// `hole` unwrapped once (equal to `outer` and unused when there is no hole).
    let hasHole: Bool
    let holeRegion: PixelRegion
    let opacity: Float
    let fill: ShapeFill

    init?(_ item: ShapeItem, _ view: ShapesRenderer.Viewport) {
        let s = view.scale
        bx0 = (item.x0 - view.originX) * s; by0 = (item.y0 - view.originY) * s
        bw = item.width * s; bh = item.height * s
        guard bw > 0, bh > 0 else { return nil }
        let ramp = max(1, item.softness * s)
        invRamp = 1 / ramp
        reach = 0.5 * ramp + 0.25
        let margin = reach + 1
        px0 = max(0, Int((bx0 - margin).rounded(.down))); px1 = min(view.width, Int((bx0 + bw + margin).rounded(.up)))
        py0 = max(0, Int((by0 - margin).rounded(.down))); py1 = min(view.height, Int((by0 + bh + margin).rounded(.up)))
        guard px0 < px1, py0 < py1 else { return nil }
        let (x0, y0, w, h) = (bx0, by0, bw, bh)
        outer = PixelRegion(item.outline.outer, x0, y0, w, h)
        hole = item.outline.hole.map { PixelRegion($0, x0, y0, w, h) }
        hasHole = hole != nil
        holeRegion = hole ?? outer
        opacity = item.opacity
        fill = item.fill
    }

    /// Coverage × opacity at pixel centre (x, y) from the signed distance; `edges` comes from
    /// `withEdges` (no array access or reference counting per pixel).
    @inline(__always)
    func coverage(_ x: Double, _ y: Double, _ edges: Edges) -> Float {
        var d = outer.distance(x, y, edges.outer)
        if hasHole { d = max(d, -holeRegion.distance(x, y, edges.hole)) }
        return Float(min(1, max(0, 0.5 - d * invRamp))) * opacity
    }

    /// The regions' edge arrays, pinned for the duration of a draw.
    struct Edges {
        let outer: UnsafeBufferPointer<Double>
        let hole: UnsafeBufferPointer<Double>
    }

    func withEdges<R>(_ body: (Edges) throws -> R) rethrows -> R {
        try outer.edges.withUnsafeBufferPointer { o in
            try holeRegion.edges.withUnsafeBufferPointer { h in try body(Edges(outer: o, hole: h)) }
        }
    }

    /// `blend` of one colour over pixels from..<to of row py (same arithmetic, vectorisable).
    @inline(__always)
    func blendSpan(py: Int, from: Int, to: Int, color c: RGB, cover: Float, _ view: ShapesRenderer.Viewport,
                   _ buf: UnsafeMutableBufferPointer<Float>) {
        let n = view.width &* view.height
        let base = buf.baseAddress! + py &* view.width
        let r = base, g = base + n, b = base + 2 &* n
        for o in from..<to { r[o] += (c.r - r[o]) * cover }
        for o in from..<to { g[o] += (c.g - g[o]) * cover }
        for o in from..<to { b[o] += (c.b - b[o]) * cover }
    }

    @inline(__always)
    func blend(px: Int, py: Int, cover: Float, _ view: ShapesRenderer.Viewport, _ buf: UnsafeMutableBufferPointer<Float>) {
        if cover <= 0 { return }
        let c = fill.color(u: (Double(px) + 0.5 - bx0) / bw, v: (Double(py) + 0.5 - by0) / bh, pixelsU: bw, pixelsV: bh)
        let n = view.width &* view.height
        let o = py &* view.width &+ px
        buf[o] += (c.r - buf[o]) * cover
        buf[n &+ o] += (c.g - buf[n &+ o]) * cover
        buf[2 &* n &+ o] += (c.b - buf[2 &* n &+ o]) * cover
    }
}
