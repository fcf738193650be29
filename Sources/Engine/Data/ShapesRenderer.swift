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
        // Every plane value is written by the background before anything reads it.
        let planes = [Float](unsafeUninitializedCapacity: 3 * width * height) { buf, initialized in
            initialized = 3 * width * height
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
        // Two passes: planar quantisation vectorises; the interleaving store does not, so it is
        // a plain byte copy.
        let planar = [UInt8](unsafeUninitializedCapacity: 3 * n) { q, initialized in
            planes.withUnsafeBufferPointer { p in
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
            initialized = 3 * n
        }
        let pixels = [UInt8](unsafeUninitializedCapacity: 3 * n) { out, initialized in
            planar.withUnsafeBufferPointer { q in
                for o in 0..<n {
                    out[3 &* o] = q[o]; out[3 &* o &+ 1] = q[n &+ o]; out[3 &* o &+ 2] = q[2 &* n &+ o]
                }
            }
            initialized = 3 * n
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
        g.withEdges { edges in
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
                    for q in k..<e { g.blend(px: g.px0 + q, py: py, cover: g.coverage(Double(g.px0 + q) + 0.5, y, edges), view, buf) }
                }
                k = e
            }
        }
        }
    }

    /// `draw` without the row classification: every pixel evaluates the signed distance.
    static func drawReference(_ item: ShapeItem, _ view: Viewport, _ buf: UnsafeMutableBufferPointer<Float>) {
        guard let g = ItemGeometry(item, view) else { return }
        g.withEdges { edges in
            for py in g.py0..<g.py1 {
                for px in g.px0..<g.px1 {
                    g.blend(px: px, py: py, cover: g.coverage(Double(px) + 0.5, Double(py) + 0.5, edges), view, buf)
                }
            }
        }
    }
}
