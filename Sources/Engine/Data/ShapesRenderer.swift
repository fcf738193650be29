/// Rasterises a `ShapesScene` at any scale, directly from its vector description.
///
/// Output pixel (px, py) covers dataset point (originX + (px + ½)/scale, originY + (py + ½)/scale)
/// at its centre. Edges are anti-aliased by signed distance (coverage = clamp(½ − d, 0, 1), d in
/// output pixels; exact for polygons, a first-order approximation for ellipses); textures are
/// point-sampled. Blending is c ← c + (item − c)·coverage·opacity in Float, then grain, then
/// rounding to UInt8. Only IEEE +, −, ×, ÷, √ and rounding are used, so the bytes are the same on
/// every platform.
public enum ShapesRenderer {
    /// Renders `scene` into a `width` × `height` RGB image at `scale` output pixels per dataset pixel.
    public static func render(_ scene: ShapesScene, width: Int, height: Int, scale: Double,
                              originX: Double = 0, originY: Double = 0) -> PixelImage {
        render(scene, width: width, height: height, scale: scale, originX: originX, originY: originY, reference: false)
    }

    /// `reference` draws every pixel of every item by its signed distance (slow; for tests).
    static func render(_ scene: ShapesScene, width: Int, height: Int, scale: Double,
                       originX: Double, originY: Double, reference: Bool) -> PixelImage {
        precondition(width > 0 && height > 0 && scale > 0, "render needs a positive size and scale")
        var planes = [Float](repeating: 0, count: 3 * width * height)
        planes.withUnsafeMutableBufferPointer { buf in
            let view = Viewport(width: width, height: height, scale: scale, originX: originX, originY: originY)
            drawBackground(scene, view, buf)
            for item in scene.items {
                if reference { drawReference(item, view, buf) } else { draw(item, view, buf) }
            }
        }
        return quantizeWithGrain(planes, scene.background, width: width, height: height)
    }

    struct Viewport {
        let width: Int, height: Int
        let scale: Double, originX: Double, originY: Double
        /// Dataset x of the centre of output column px.
        @inline(__always) func datasetX(_ px: Int) -> Double { originX + (Double(px) + 0.5) / scale }
        @inline(__always) func datasetY(_ py: Int) -> Double { originY + (Double(py) + 0.5) / scale }
    }

    @inline(__always)
    static func quantize(_ v: Float) -> UInt8 {
        // Adding 1.5·2²³ rounds a value in 0…255 to an integer (half to even) held in the low
        // mantissa bits: no libm call and no trapping conversion, so the loop vectorises.
        UInt8(truncatingIfNeeded: (min(255, max(0, v)) + 12_582_912).bitPattern)
    }

    static func smooth(_ t: Double) -> Double { t * t * (3 - 2 * t) }

    /// Gradient plus value noise (bilinear over a smoothstep-warped lattice).
    static func drawBackground(_ scene: ShapesScene, _ view: Viewport, _ buf: UnsafeMutableBufferPointer<Float>) {
        let bg = scene.background
        let w = Double(scene.width), h = Double(scene.height)
        let width = view.width, n = view.width * view.height
        let cols = bg.noiseColumns, rows = bg.noiseRows
        // Column terms: lattice cell, smoothed fraction, x part of the gradient position.
        var cellX = [Int](repeating: 0, count: width)
        var fracX = [Float](repeating: 0, count: width), gradX = fracX
        for px in 0..<width {
            let x = view.datasetX(px)
            let g = min(max(x / bg.noiseCell + 0.5, 0), Double(cols - 1) - 1e-9)
            let i = Int(g.rounded(.down))
            cellX[px] = i; fracX[px] = Float(smooth(g - Double(i)))
            gradX[px] = Float(0.5 * bg.directionX * (2 * x / w - 1))
        }
        // Runs of columns sharing a lattice cell, so the inner loop has no gather.
        var runs: [(start: Int, end: Int, cell: Int)] = []
        var start = 0
        for px in 1...width where px == width || cellX[px] != cellX[start] {
            runs.append((start, px, cellX[start])); start = px
        }
        let c0r = bg.color0.r, c0g = bg.color0.g, c0b = bg.color0.b
        let dr = bg.color1.r - c0r, dg = bg.color1.g - c0g, db = bg.color1.b - c0b
        let amp = bg.noiseAmplitude
        fracX.withUnsafeBufferPointer { fracX in gradX.withUnsafeBufferPointer { gradX in
            for py in 0..<view.height {
                let y = view.datasetY(py)
                let g = min(max(y / bg.noiseCell + 0.5, 0), Double(rows - 1) - 1e-9)
                let j = Int(g.rounded(.down)), fy = Float(smooth(g - Double(j)))
                let gradY = Float(0.5 + 0.5 * bg.directionY * (2 * y / h - 1))
                let rowR = buf.baseAddress! + py &* width, rowG = rowR + n, rowB = rowG + n
                for run in runs {
                    let i = run.cell
                    let a = bg.noise[j * cols + i], b = bg.noise[j * cols + i + 1]
                    let c = bg.noise[(j + 1) * cols + i], d = bg.noise[(j + 1) * cols + i + 1]
                    for px in run.start..<run.end {
                        let t = min(1, max(0, gradX[px] + gradY))
                        let fx = fracX[px]
                        let upper = a + (b - a) * fx
                        let lower = c + (d - c) * fx
                        let offset = (upper + (lower - upper) * fy) * amp
                        rowR[px] = c0r + dr * t + offset
                        rowG[px] = c0g + dg * t + offset
                        rowB[px] = c0b + db * t + offset
                    }
                }
            }
        } }
    }

    /// Adds per-output-pixel brightness grain (integer hash, uniform in ±amplitude) and rounds
    /// the planar Float buffer to interleaved UInt8 (round half to even, after clamping to 0…255).
    static func quantizeWithGrain(_ planes: [Float], _ bg: ShapesBackground, width: Int, height: Int) -> PixelImage {
        let n = width * height
        let amp = bg.grainAmplitude
        var planar = [UInt8](repeating: 0, count: 3 * n)
        planes.withUnsafeBufferPointer { p in
            planar.withUnsafeMutableBufferPointer { q in
                for py in 0..<height {
                    let hy = UInt32(truncatingIfNeeded: py) &* 0x1656_67B1 ^ bg.grainSeed
                    let row = py &* width
                    for px in 0..<width {
                        var h = UInt32(truncatingIfNeeded: px) &* 0x27D4_EB2D ^ hy
                        h ^= h >> 15; h &*= 0x2C1B_3C6D; h ^= h >> 12; h &*= 0x297A_2D39; h ^= h >> 15
                        let g = (Float(h >> 8) * (1.0 / 8_388_608.0) - 1) * amp
                        let o = row &+ px
                        q[o] = quantize(p[o] + g)
                        q[n &+ o] = quantize(p[n &+ o] + g)
                        q[2 &* n &+ o] = quantize(p[2 &* n &+ o] + g)
                    }
                }
            }
        }
        var pixels = [UInt8](repeating: 0, count: 3 * n)
        planar.withUnsafeBufferPointer { q in
            pixels.withUnsafeMutableBufferPointer { out in
                for o in 0..<n {
                    out[3 &* o] = q[o]; out[3 &* o &+ 1] = q[n &+ o]; out[3 &* o &+ 2] = q[2 &* n &+ o]
                }
            }
        }
        return PixelImage(width: width, height: height, channels: 3, pixels: pixels)
    }

    /// Blends one item over the pixels its box (plus the anti-aliasing margin) touches.
    ///
    /// Each row is first classified per pixel as far outside, far inside or near the edge (see
    /// `PixelRegion.classifyRow`); only near pixels evaluate the signed distance. Far pixels have
    /// |d| ≥ ramp/2 + ¼, where the coverage formula clamps to exactly 0 or 1, so the result is
    /// bit-identical to evaluating every pixel (`drawReference`, tested).
    static func draw(_ item: ShapeItem, _ view: Viewport, _ buf: UnsafeMutableBufferPointer<Float>) {
        guard let g = ItemGeometry(item, view) else { return }
        let count = g.px1 - g.px0
        var outerClass = [UInt8](repeating: 0, count: count), holeClass = outerClass
        var scratch: [Double] = []
        for py in g.py0..<g.py1 {
            let y = Double(py) + 0.5
            g.outer.classifyRow(y: y, px0: g.px0, px1: g.px1, reach: g.reach, into: &outerClass, scratch: &scratch)
            if let hole = g.hole {
                hole.classifyRow(y: y, px0: g.px0, px1: g.px1, reach: g.reach, into: &holeClass, scratch: &scratch)
                for k in 0..<count {
                    let h = holeClass[k], o = outerClass[k]
                    outerClass[k] = h == PixelRegion.inside ? PixelRegion.outside
                        : (h == PixelRegion.near && o != PixelRegion.outside ? PixelRegion.near : o)
                }
            }
            // Runs of equal class: inside runs of a solid fill blend one colour in a tight loop.
            var k = 0
            while k < count {
                let c = outerClass[k]
                var e = k + 1
                while e < count, outerClass[e] == c { e += 1 }
                if c == PixelRegion.inside {
                    if case let .solid(color) = g.fill {
                        g.blendSpan(py: py, from: g.px0 + k, to: g.px0 + e, color: color, cover: g.opacity, view, buf)
                    } else {
                        for q in k..<e { g.blend(px: g.px0 + q, py: py, cover: g.opacity, view, buf) }
                    }
                } else if c == PixelRegion.near {
                    for q in k..<e { g.blend(px: g.px0 + q, py: py, cover: g.coverage(Double(g.px0 + q) + 0.5, y), view, buf) }
                }
                k = e
            }
        }
    }

    /// `draw` without the row classification: every pixel evaluates the signed distance.
    static func drawReference(_ item: ShapeItem, _ view: Viewport, _ buf: UnsafeMutableBufferPointer<Float>) {
        guard let g = ItemGeometry(item, view) else { return }
        for py in g.py0..<g.py1 {
            for px in g.px0..<g.px1 {
                g.blend(px: px, py: py, cover: g.coverage(Double(px) + 0.5, Double(py) + 0.5), view, buf)
            }
        }
    }
}

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
        opacity = item.opacity
        fill = item.fill
    }

    /// Coverage × opacity at pixel centre (x, y) from the signed distance.
    @inline(__always)
    func coverage(_ x: Double, _ y: Double) -> Float {
        var d = outer.distance(x, y)
        if let hole { d = max(d, -hole.distance(x, y)) }
        return Float(min(1, max(0, 0.5 - d * invRamp))) * opacity
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

/// A region of an outline mapped to output pixels, with its signed distance (negative inside).
struct PixelRegion {
    let isEllipse: Bool
    /// Ellipse: centre and radii in pixels.
    let cx: Double, cy: Double, rx: Double, ry: Double
    /// Polygon: per edge i, 6 values: vertex i (x, y), the next vertex's y, the edge vector
    /// (x, y) to the next vertex and 1/|edge|².
    let edges: [Double]

    init(_ region: ShapeOutline.Region, _ bx0: Double, _ by0: Double, _ bw: Double, _ bh: Double) {
        switch region {
        case let .ellipse(c, ru, rv):
            isEllipse = true
            cx = bx0 + c.u * bw; cy = by0 + c.v * bh; rx = ru * bw; ry = rv * bh
            edges = []
        case let .polygon(ps):
            isEllipse = false
            cx = 0; cy = 0; rx = 0; ry = 0
            let xs = ps.map { bx0 + $0.u * bw }, ys = ps.map { by0 + $0.v * bh }
            var e: [Double] = []
            e.reserveCapacity(6 * ps.count)
            for i in 0..<ps.count {
                let j = (i + 1) % ps.count
                let dx = xs[j] - xs[i], dy = ys[j] - ys[i]
                let l2 = dx * dx + dy * dy
                e += [xs[i], ys[i], ys[j], dx, dy, l2 > 0 ? 1 / l2 : 0]
            }
            edges = e
        }
    }

    /// Signed distance in pixels: exact for polygons (nearest edge, even–odd inside test), the
    /// first-order k0·(k0 − 1)/k1 approximation for ellipses (exact on the boundary).
    @inline(__always)
    func distance(_ x: Double, _ y: Double) -> Double {
        if isEllipse {
            let ax = (x - cx) / rx, ay = (y - cy) / ry
            let k0 = (ax * ax + ay * ay).squareRoot()
            let bx = ax / rx, by = ay / ry
            let k1 = (bx * bx + by * by).squareRoot()
            return k1 > 0 ? k0 * (k0 - 1) / k1 : -min(rx, ry)
        }
        return edges.withUnsafeBufferPointer { polygonDistance(x, y, $0) }
    }

    @inline(__always)
    func polygonDistance(_ x: Double, _ y: Double, _ e: UnsafeBufferPointer<Double>) -> Double {
        var d2 = Double.infinity
        var inside = false
        var k = 0
        while k < e.count {
            let wx = x - e[k], wy = y - e[k + 1]
            let ex = e[k + 3], ey = e[k + 4]
            let t = min(1, max(0, (wx * ex + wy * ey) * e[k + 5]))
            let qx = wx - ex * t, qy = wy - ey * t
            d2 = min(d2, qx * qx + qy * qy)
            // Even–odd crossing of the ray to +x; the next vertex's own y keeps the test
            // consistent between the two edges that share a vertex.
            let yi = e[k + 1], yj = e[k + 2]
            if (yi > y) != (yj > y), x < e[k] + (y - yi) / (yj - yi) * ex { inside.toggle() }
            k += 6
        }
        let d = d2.squareRoot()
        return inside ? -d : d
    }

    static let outside: UInt8 = 0, inside: UInt8 = 1, near: UInt8 = 2

    /// Classifies the pixels px0..<px1 of the row at centre height y: `inside` (d ≤ −reach),
    /// `outside` (d ≥ reach) or `near` (anything else, to be computed exactly). Conservative: a
    /// pixel is only called inside or outside when that holds for the exact `distance`.
    func classifyRow(y: Double, px0: Int, px1: Int, reach: Double, into cls: inout [UInt8], scratch: inout [Double]) {
        let count = px1 - px0
        if isEllipse {
            // distance = k0(k0−1)/k1 with k1 ≤ k0/min(r): |d| ≥ |k0 − 1|·min(r). So k0 ≤ 1 − reach/min(r)
            // is inside and k0 ≥ 1 + reach/min(r) outside; k0 ≤ c is an x-interval around cx.
            let rmin = min(rx, ry)
            let dy = (y - cy) / ry
            func halfWidth(_ c: Double) -> Double {
                let q = c * c - dy * dy
                return q > 0 ? rx * q.squareRoot() : -1
            }
            let outerHalf = halfWidth(1 + reach / rmin)
            let innerK = 1 - reach / rmin
            let innerHalf = innerK > 0 ? halfWidth(innerK) : -1
            for k in 0..<count {
                let ax = abs(Double(px0 + k) + 0.5 - cx)
                // One pixel of slack on each interval absorbs the rounding of the square roots.
                cls[k] = ax >= outerHalf + 1 ? PixelRegion.outside : (ax <= innerHalf - 1 ? PixelRegion.inside : PixelRegion.near)
            }
            return
        }
        // Crossings of the row by the edges, with the exact test's predicate and intercepts.
        scratch.removeAll(keepingCapacity: true)
        edges.withUnsafeBufferPointer { e in
            var k = 0
            while k < e.count {
                let yi = e[k + 1], yj = e[k + 2]
                if (yi > y) != (yj > y) { scratch.append(e[k] + (y - yi) / (yj - yi) * e[k + 3]) }
                k += 6
            }
        }
        scratch.sort()
        // Parity: a pixel centre x is inside when an odd number of intercepts s satisfy s > x.
        // Between consecutive sorted intercepts that number is constant: fill each run at once,
        // with the run's first pixel found by the exact predicate (no rounding surprises).
        for q in 0..<count { cls[q] = PixelRegion.outside }
        let m = scratch.count
        var start = 0                       // first pixel index (relative) with centre ≥ previous intercept
        for k in 0...m {
            var end = count                 // first pixel with centre ≥ scratch[k]
            if k < m {
                let sk = scratch[k]
                var p = max(start, min(count, Int((sk - 0.5 - Double(px0)).rounded(.up))))
                while p > start, Double(px0 + p - 1) + 0.5 >= sk { p -= 1 }
                while p < count, Double(px0 + p) + 0.5 < sk { p += 1 }
                end = p
            }
            if (m - k) & 1 == 1, start < end { for q in start..<end { cls[q] = PixelRegion.inside } }
            start = max(start, end)
        }
        // Near: pixels within `reach` (plus a pixel of slack) of the part of an edge inside the band |Y − y| ≤ reach.
        edges.withUnsafeBufferPointer { e in
            var k = 0
            while k < e.count {
                let xi = e[k], yi = e[k + 1], ex = e[k + 3], ey = e[k + 4]
                var t0 = 0.0, t1 = 1.0
                if ey != 0 {
                    let a = (y - reach - yi) / ey, b = (y + reach - yi) / ey
                    t0 = max(0, min(a, b)); t1 = min(1, max(a, b))
                } else if abs(yi - y) > reach {
                    t1 = -1
                }
                if t0 <= t1 {
                    let xa = xi + ex * t0, xb = xi + ex * t1
                    let lo = min(xa, xb) - reach - 1, hi = max(xa, xb) + reach + 1
                    let k0 = max(0, Int((lo - 0.5).rounded(.down)) - px0)
                    let k1 = min(count - 1, Int((hi - 0.5).rounded(.up)) - px0)
                    if k0 <= k1 { for q in k0...k1 { cls[q] = PixelRegion.near } }
                }
                k += 6
            }
        }
    }
}
