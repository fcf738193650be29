import COCOKit

/// The 12 object categories of the built-in dataset. COCO category id = rawValue + 1.
///
/// Categories differ in form (outline) and, for `checker` and `bar`, in texture. Colours are
/// random, so colour never identifies a category. Every outline touches all four sides of its
/// box, so the annotated box is the tight box of the drawn shape.
public enum ShapeCategory: Int, CaseIterable, Hashable, Sendable {
    case disc, ring, square, frame, triangle, diamond, cross, star, hexagon, crescent, checker, bar

    /// The COCO `name`.
    public var name: String { String(describing: self) }

    /// The COCO category id (1…12).
    public var cocoId: Int { rawValue + 1 }

    /// The COCO categories of the built-in dataset (supercategory "shape").
    public static var cocoCategories: [COCOCategory] {
        allCases.map { COCOCategory(id: $0.cocoId, name: $0.name, supercategory: "shape") }
    }

    /// Aspect ratio (h/w) range, sampled log-uniformly; `bar` is also used transposed.
    var aspectRange: ClosedRange<Double> {
        switch self {
        case .disc: return 0.6...1.6
        case .ring: return 0.7...1.4
        case .square: return 0.75...1.33
        case .frame: return 0.5...2
        case .triangle: return 0.6...1.5
        case .diamond: return 0.6...1.6
        case .cross: return 0.75...1.33
        case .star: return 0.8...1.25
        case .hexagon: return 0.7...1.3
        case .crescent: return 0.8...1.5
        case .checker: return 0.5...2
        case .bar: return 0.22...0.45
        }
    }

    /// A random aspect ratio h/w for this category.
    func sampleAspect(_ rng: inout SeededRandom) -> Double {
        var r = ShapesRandom.logUniform(&rng, aspectRange)
        if self == .bar, rng.uniform() < 0.5 { r = 1 / r }
        return r
    }

    /// The outline, with any per-instance variation drawn from `rng`.
    func outline(_ rng: inout SeededRandom) -> ShapeOutline {
        switch self {
        case .disc:
            return .ellipse
        case .ring:
            let t = rng.uniform(0.14, 0.22)
            return ShapeOutline(outer: .ellipse(center: UnitPoint(0.5, 0.5), radiusU: 0.5, radiusV: 0.5),
                                hole: .ellipse(center: UnitPoint(0.5, 0.5), radiusU: 0.5 - t, radiusV: 0.5 - t))
        case .square, .checker, .bar:
            return .rectangle
        case .frame:
            let t = rng.uniform(0.15, 0.25)
            return ShapeOutline(outer: ShapeOutline.rectangle.outer,
                                hole: .polygon([UnitPoint(t, t), UnitPoint(1 - t, t), UnitPoint(1 - t, 1 - t), UnitPoint(t, 1 - t)]))
        case .triangle:
            return ShapeOutline(outer: .polygon([UnitPoint(0.5, 0), UnitPoint(1, 1), UnitPoint(0, 1)]))
        case .diamond:
            return ShapeOutline(outer: .polygon([UnitPoint(0.5, 0), UnitPoint(1, 0.5), UnitPoint(0.5, 1), UnitPoint(0, 0.5)]))
        case .cross:
            let t = rng.uniform(0.3, 0.4)
            let a = (1 - t) / 2, b = (1 + t) / 2
            return ShapeOutline(outer: .polygon([
                UnitPoint(a, 0), UnitPoint(b, 0), UnitPoint(b, a), UnitPoint(1, a), UnitPoint(1, b), UnitPoint(b, b),
                UnitPoint(b, 1), UnitPoint(a, 1), UnitPoint(a, b), UnitPoint(0, b), UnitPoint(0, a), UnitPoint(a, a),
            ]))
        case .star:
            return ShapeOutline(outer: .polygon(ShapeCategory.starVertices))
        case .hexagon:
            return ShapeOutline(outer: .polygon([UnitPoint(0.25, 0), UnitPoint(0.75, 0), UnitPoint(1, 0.5),
                                                 UnitPoint(0.75, 1), UnitPoint(0.25, 1), UnitPoint(0, 0.5)]))
        case .crescent:
            // Unit circle at the origin minus a circle of radius 0.84 centred at (0.6, 0): the
            // horns end at x = (1 − 0.84² + 0.6²)/1.2 = 0.5453, so the tight box is x ∈ [−1, 0.5453].
            let span = 1.545_333_333_333_333_3
            let c = ShapeOutline(outer: .ellipse(center: UnitPoint(1 / span, 0.5), radiusU: 1 / span, radiusV: 0.5),
                                 hole: .ellipse(center: UnitPoint(1.6 / span, 0.5), radiusU: 0.84 / span, radiusV: 0.42))
            return c.mirrored(horizontally: rng.uniform() < 0.5, vertically: false)
        }
    }

    /// The fill: `checker` and `bar` have their own textures, the others a random plain,
    /// gradient or dotted surface. `base` is the colour the shape must stand out from.
    func fill(_ rng: inout SeededRandom, base: RGB, aspect: Double) -> ShapeFill {
        let c0 = RGB.contrasting(&rng, from: [base], minDistance: 180)
        let c1 = RGB.contrasting(&rng, from: [c0, base], minDistance: 120)
        switch self {
        case .checker:
            let n = 3 + rng.int(below: 3)
            let nv = max(2, Int((Double(n) * aspect).rounded()))
            return .checker(c0, c1, cellsU: n, cellsV: nv)
        case .bar:
            let n = 5 + 2 * rng.int(below: 2)   // odd: both ends share the first colour
            return .stripes(c0, c1, count: n, alongU: aspect < 1)
        default:
            return ShapesRandom.plainFill(&rng, c0, c1)
        }
    }

    /// Outer vertices of a five-pointed star (inner radius 0.45), point up, normalised to the box.
    static let starVertices: [UnitPoint] = {
        var ps: [UnitPoint] = []
        for k in 0..<10 {
            let angle = -0.5 * Double.pi + Double(k) * Double.pi / 5
            let r = k % 2 == 0 ? 1.0 : 0.45
            ps.append(UnitPoint(r * FixedMath.cos(angle), r * FixedMath.sin(angle)))
        }
        return ShapeOutline.normalized(ps)
    }()
}

/// Sampling helpers shared by the scene generator's parts.
enum ShapesRandom {
    /// Log-uniform in `range` (both ends > 0), with the deterministic `FixedMath`.
    static func logUniform(_ rng: inout SeededRandom, _ range: ClosedRange<Double>) -> Double {
        let a = FixedMath.log(range.lowerBound), b = FixedMath.log(range.upperBound)
        return FixedMath.exp(rng.uniform(a, b))
    }

    /// Plain (45%), gradient (35%) or dotted (20%) surface in the given colours.
    static func plainFill(_ rng: inout SeededRandom, _ c0: RGB, _ c1: RGB) -> ShapeFill {
        let p = rng.uniform()
        if p < 0.45 { return .solid(c0) }
        if p < 0.8 {
            // A gradient towards a colour halfway to c1 keeps the shape's contrast.
            return .gradient(c0, ShapeFill.mix(c0, c1, 0.6), direction: rng.int(below: 4))
        }
        let n = 2 + rng.int(below: 3)
        return .dots(c0, c1, cellsU: n, cellsV: n)
    }
}
