/// Forms drawn as hard negatives: shapes that belong to no category, sized like the objects.
///
/// They share colours and textures with the categories (a checkered L-shape is not a `checker`,
/// a striped trapezoid is not a `bar`), so only the outline tells them apart.
enum ShapeDistractor: Int, CaseIterable, Sendable {
    case lShape, tShape, arrow, trapezoid, blob, halfDisc

    /// Aspect ratio (h/w) range, log-uniform.
    var aspectRange: ClosedRange<Double> {
        switch self {
        case .lShape, .tShape: return 0.7...1.4
        case .arrow: return 0.4...0.8
        case .trapezoid: return 0.5...1
        case .blob: return 0.6...1.6
        case .halfDisc: return 0.45...0.6
        }
    }

    /// A random outline of this form (orientation and proportions vary).
    func outline(_ rng: inout SeededRandom) -> ShapeOutline {
        let flipU = rng.uniform() < 0.5, flipV = rng.uniform() < 0.5
        switch self {
        case .lShape:
            let t = rng.uniform(0.3, 0.45)
            return ShapeOutline(outer: .polygon([UnitPoint(0, 0), UnitPoint(t, 0), UnitPoint(t, 1 - t), UnitPoint(1, 1 - t),
                                                 UnitPoint(1, 1), UnitPoint(0, 1)])).mirrored(horizontally: flipU, vertically: flipV)
        case .tShape:
            let t = rng.uniform(0.3, 0.42)
            let a = 0.5 - t / 2, b = 0.5 + t / 2
            return ShapeOutline(outer: .polygon([UnitPoint(0, 0), UnitPoint(1, 0), UnitPoint(1, t), UnitPoint(b, t),
                                                 UnitPoint(b, 1), UnitPoint(a, 1), UnitPoint(a, t), UnitPoint(0, t)]))
                .mirrored(horizontally: false, vertically: flipV)
        case .arrow:
            let t = rng.uniform(0.35, 0.5), head = rng.uniform(0.5, 0.65)
            let a = 0.5 - t / 2, b = 0.5 + t / 2
            return ShapeOutline(outer: .polygon([UnitPoint(0, a), UnitPoint(head, a), UnitPoint(head, 0), UnitPoint(1, 0.5),
                                                 UnitPoint(head, 1), UnitPoint(head, b), UnitPoint(0, b)]))
                .mirrored(horizontally: flipU, vertically: false)
        case .trapezoid:
            let a = rng.uniform(0.18, 0.32)
            return ShapeOutline(outer: .polygon([UnitPoint(a, 0), UnitPoint(1 - a, 0), UnitPoint(1, 1), UnitPoint(0, 1)]))
                .mirrored(horizontally: false, vertically: flipV)
        case .blob:
            let n = 6 + rng.int(below: 4)
            var ps: [UnitPoint] = []
            for k in 0..<n {
                let angle = 2 * Double.pi * (Double(k) + rng.uniform(-0.3, 0.3)) / Double(n)
                let r = rng.uniform(0.5, 1)
                ps.append(UnitPoint(r * FixedMath.cos(angle), r * FixedMath.sin(angle)))
            }
            return ShapeOutline(outer: .polygon(ShapeOutline.normalized(ps)))
        case .halfDisc:
            return ShapeOutline(outer: .polygon(ShapeDistractor.halfDiscVertices)).mirrored(horizontally: false, vertically: flipV)
        }
    }

    /// Any fill, textured ones included (25% checker or stripes: hard negatives for those classes).
    func fill(_ rng: inout SeededRandom, base: RGB) -> ShapeFill {
        let c0 = RGB.contrasting(&rng, from: [base], minDistance: 180)
        let c1 = RGB.contrasting(&rng, from: [c0, base], minDistance: 120)
        let p = rng.uniform()
        if p < 0.125 { return .checker(c0, c1, cellsU: 3 + rng.int(below: 3), cellsV: 3 + rng.int(below: 3)) }
        if p < 0.25 { return .stripes(c0, c1, count: 5 + 2 * rng.int(below: 2), alongU: rng.uniform() < 0.5) }
        return ShapesRandom.plainFill(&rng, c0, c1)
    }

    /// A half disc (flat side down) as a 17-vertex polygon.
    static let halfDiscVertices: [UnitPoint] = {
        var ps: [UnitPoint] = []
        for k in 0...16 {
            let angle = Double.pi + Double(k) * Double.pi / 16
            ps.append(UnitPoint(FixedMath.cos(angle), FixedMath.sin(angle)))
        }
        return ShapeOutline.normalized(ps)
    }()
}
