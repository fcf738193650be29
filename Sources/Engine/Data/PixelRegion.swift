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
        edges.withUnsafeBufferPointer { distance(x, y, $0) }
    }

    /// `distance` with this region's `edges` already pinned (hot loops take the pointer once).
    @inline(__always)
    func distance(_ x: Double, _ y: Double, _ edges: UnsafeBufferPointer<Double>) -> Double {
        if isEllipse {
            let ax = (x - cx) / rx, ay = (y - cy) / ry
            let k0 = (ax * ax + ay * ay).squareRoot()
            let bx = ax / rx, by = ay / ry
            let k1 = (bx * bx + by * by).squareRoot()
            return k1 > 0 ? k0 * (k0 - 1) / k1 : -min(rx, ry)
        }
        return polygonDistance(x, y, edges)
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
    /// Widening of the near intervals against rounding (output pixels; rounding errors are ~1e-12,
    /// and `reach` already holds ¼ pixel beyond where the coverage clamps).
    static let slack = 0.01

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
                // `slack` on each interval absorbs the rounding of the square roots.
                cls[k] = ax >= outerHalf + PixelRegion.slack ? PixelRegion.outside
                    : (ax <= innerHalf - PixelRegion.slack ? PixelRegion.inside : PixelRegion.near)
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
        // Near: pixels within `reach` (plus `slack`) of the part of an edge inside the band |Y − y| ≤ reach.
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
                    let lo = min(xa, xb) - reach - PixelRegion.slack, hi = max(xa, xb) + reach + PixelRegion.slack
                    let k0 = max(0, Int((lo - 0.5).rounded(.down)) - px0)
                    let k1 = min(count - 1, Int((hi - 0.5).rounded(.up)) - px0)
                    if k0 <= k1 { for q in k0...k1 { cls[q] = PixelRegion.near } }
                }
                k += 6
            }
        }
    }
}
