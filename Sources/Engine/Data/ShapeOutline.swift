/// The outline of one drawable item in the unit square of its box: u = 0…1 left to right,
/// v = 0…1 top to bottom. The renderer maps it affinely onto the item's box, so a polygon stays
/// a polygon and an ellipse an axis-aligned ellipse at every scale.
public struct ShapeOutline: Hashable, Sendable {
    /// A closed region: a simple polygon (vertices in order, any winding) or an axis-aligned ellipse.
    public enum Region: Hashable, Sendable {
        case polygon([UnitPoint])
        case ellipse(center: UnitPoint, radiusU: Double, radiusV: Double)
    }

    /// The filled region.
    public var outer: Region
    /// A region cut out of `outer` (rings, frames, crescents), if any.
    public var hole: Region?

    public init(outer: Region, hole: Region? = nil) { self.outer = outer; self.hole = hole }
}

/// A point in an item's unit square (or any 2-D point in Double).
public struct UnitPoint: Hashable, Sendable {
    public var u: Double
    public var v: Double
    public init(_ u: Double, _ v: Double) { self.u = u; self.v = v }
}

extension ShapeOutline {
    /// Axis-aligned rectangle filling the box.
    static let rectangle = ShapeOutline(outer: .polygon([UnitPoint(0, 0), UnitPoint(1, 0), UnitPoint(1, 1), UnitPoint(0, 1)]))

    /// Ellipse inscribed in the box.
    static let ellipse = ShapeOutline(outer: .ellipse(center: UnitPoint(0.5, 0.5), radiusU: 0.5, radiusV: 0.5))

    /// `vertices` (any 2-D coordinates) scaled and shifted so their bounding box is the unit square.
    static func normalized(_ vertices: [UnitPoint]) -> [UnitPoint] {
        var u0 = Double.infinity, v0 = Double.infinity, u1 = -Double.infinity, v1 = -Double.infinity
        for p in vertices { u0 = min(u0, p.u); u1 = max(u1, p.u); v0 = min(v0, p.v); v1 = max(v1, p.v) }
        return vertices.map { UnitPoint(($0.u - u0) / (u1 - u0), ($0.v - v0) / (v1 - v0)) }
    }

    /// The outline mirrored left–right (u → 1 − u) and/or top–bottom (v → 1 − v).
    func mirrored(horizontally h: Bool, vertically v: Bool) -> ShapeOutline {
        func m(_ p: UnitPoint) -> UnitPoint { UnitPoint(h ? 1 - p.u : p.u, v ? 1 - p.v : p.v) }
        func mr(_ r: Region) -> Region {
            switch r {
            case let .polygon(ps): return .polygon(ps.map(m))
            case let .ellipse(c, ru, rv): return .ellipse(center: m(c), radiusU: ru, radiusV: rv)
            }
        }
        return ShapeOutline(outer: mr(outer), hole: hole.map(mr))
    }

    /// The outline with u and v exchanged (a quarter turn plus a mirror), for up/down variants.
    func transposed() -> ShapeOutline {
        func t(_ r: Region) -> Region {
            switch r {
            case let .polygon(ps): return .polygon(ps.map { UnitPoint($0.v, $0.u) })
            case let .ellipse(c, ru, rv): return .ellipse(center: UnitPoint(c.v, c.u), radiusU: rv, radiusV: ru)
            }
        }
        return ShapeOutline(outer: t(outer), hole: hole.map(t))
    }
}
