/// A colour in 0…255 per channel (Float so blending needs no conversions).
public struct RGB: Hashable, Sendable {
    public var r: Float, g: Float, b: Float
    public init(_ r: Float, _ g: Float, _ b: Float) { self.r = r; self.g = g; self.b = b }

    /// Sum of absolute channel differences (0…765): the contrast measure used by the generator.
    func distance(to o: RGB) -> Float { abs(r - o.r) + abs(g - o.g) + abs(b - o.b) }

    /// A uniformly random colour with every channel in `range`.
    static func random(_ rng: inout SeededRandom, in range: ClosedRange<Double> = 0...255) -> RGB {
        RGB(Float(rng.uniform(range.lowerBound, range.upperBound).rounded()),
            Float(rng.uniform(range.lowerBound, range.upperBound).rounded()),
            Float(rng.uniform(range.lowerBound, range.upperBound).rounded()))
    }

    /// A random colour at least `minDistance` away from every colour in `others` (best of 24 tries).
    static func contrasting(_ rng: inout SeededRandom, from others: [RGB], minDistance: Float) -> RGB {
        var best = RGB(0, 0, 0), bestD: Float = -1
        for _ in 0..<24 {
            let c = random(&rng)
            let d = others.map { c.distance(to: $0) }.min() ?? .infinity
            if d >= minDistance { return c }
            if d > bestD { best = c; bestD = d }
        }
        return best
    }
}

/// The surface of an item, as a function of its unit-square coordinates (u, v).
public enum ShapeFill: Hashable, Sendable {
    case solid(RGB)
    /// Linear blend from the first to the second colour; direction 0: along u, 1: along v,
    /// 2: along u + v, 3: along (1 − u) + v.
    case gradient(RGB, RGB, direction: Int)
    /// Checkerboard of cellsU × cellsV cells starting with the first colour.
    case checker(RGB, RGB, cellsU: Int, cellsV: Int)
    /// `count` alternating bands; bands follow each other along u if `alongU`, else along v.
    case stripes(RGB, RGB, count: Int, alongU: Bool)
    /// Dots of the second colour on the first, one per cell of a cellsU × cellsV grid.
    case dots(RGB, RGB, cellsU: Int, cellsV: Int)

    /// The colour at (u, v); `pixelsU`, `pixelsV` are the box's size in output pixels (for dots).
    @inline(__always)
    func color(u: Double, v: Double, pixelsU: Double, pixelsV: Double) -> RGB {
        switch self {
        case let .solid(c):
            return c
        case let .gradient(a, b, dir):
            var t: Double
            switch dir {
            case 0: t = u
            case 1: t = v
            case 2: t = 0.5 * (u + v)
            default: t = 0.5 * (1 - u + v)
            }
            t = min(1, max(0, t))
            return ShapeFill.mix(a, b, Float(t))
        case let .checker(a, b, cu, cv):
            let i = Int((u * Double(cu)).rounded(.down)) + Int((v * Double(cv)).rounded(.down))
            return i & 1 == 0 ? a : b
        case let .stripes(a, b, n, alongU):
            let i = Int(((alongU ? u : v) * Double(n)).rounded(.down))
            return i & 1 == 0 ? a : b
        case let .dots(a, b, cu, cv):
            let fu = u * Double(cu), fv = v * Double(cv)
            let du = (fu - fu.rounded(.down) - 0.5) * pixelsU / Double(cu)
            let dv = (fv - fv.rounded(.down) - 0.5) * pixelsV / Double(cv)
            let radius = 0.3 * min(pixelsU / Double(cu), pixelsV / Double(cv))
            let d = (du * du + dv * dv).squareRoot() - radius
            return ShapeFill.mix(a, b, Float(min(1, max(0, 0.5 - d))))
        }
    }

    @inline(__always)
    static func mix(_ a: RGB, _ b: RGB, _ t: Float) -> RGB {
        RGB(a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t)
    }
}
