import COCOKit

/// A vector description of one built-in image in its 640×480 dataset coordinate space.
///
/// Generated from a seed by `ShapesSceneGenerator` without rendering; `ShapesRenderer` draws it
/// at any scale or viewport. Annotations come from `objects`, so they never depend on the scale.
public struct ShapesScene: Hashable, Sendable {
    /// Width and height of the dataset coordinate space (640 × 480 by default).
    public var width: Int
    public var height: Int
    public var background: ShapesBackground
    /// Items in drawing order (later items cover earlier ones).
    public var items: [ShapeItem]
    /// The annotated objects: one per category item, one per crowd group.
    public var objects: [SceneObject]
}

/// An annotated object of a scene.
public struct SceneObject: Hashable, Sendable {
    public var category: ShapeCategory
    /// The tight box of the drawn shape clipped to the image (dataset coordinates).
    public var box: COCOBox
    /// A crowd group (many small instances annotated as one `iscrowd` box).
    public var isCrowd: Bool
}

/// One drawable item: an outline mapped onto a box, a fill, an opacity.
public struct ShapeItem: Hashable, Sendable {
    /// What the item is in the scene (only `object` and crowd members are annotated).
    public enum Role: Hashable, Sendable {
        case object(ShapeCategory)
        case crowdMember(ShapeCategory)
        case distractor
        case clutter
        case line
        case speckle
    }

    public var role: Role
    /// The item's box (x0, y0, x1, y1) in dataset coordinates, not clipped to the image.
    public var x0: Double, y0: Double, x1: Double, y1: Double
    public var outline: ShapeOutline
    public var fill: ShapeFill
    /// 0…1; objects are opaque, clutter is faint.
    public var opacity: Float
    /// Width of the edge ramp in dataset pixels (0: a crisp one-output-pixel anti-aliased edge).
    public var softness: Double = 0

    var width: Double { x1 - x0 }
    var height: Double { y1 - y0 }
}

/// The background: a two-colour linear gradient, low-frequency value noise and pixel grain.
public struct ShapesBackground: Hashable, Sendable {
    public var color0: RGB
    public var color1: RGB
    /// Unit direction of the gradient in dataset coordinates.
    public var directionX: Double, directionY: Double
    /// Value-noise lattice, `noiseColumns × noiseRows` values in −1…1, one per `noiseCell` dataset pixels.
    public var noise: [Float]
    public var noiseColumns: Int, noiseRows: Int
    public var noiseCell: Double
    /// Brightness offset of the value noise at ±1 (0…255 units).
    public var noiseAmplitude: Float
    /// Per-output-pixel grain amplitude (0…255 units); depends on output pixels, not on geometry.
    public var grainAmplitude: Float
    public var grainSeed: UInt32

    /// Gradient position 0…1 at dataset point (x, y) of a `width` × `height` space.
    @inline(__always)
    func gradientT(x: Double, y: Double, width: Double, height: Double) -> Double {
        let t = 0.5 + 0.5 * (directionX * (2 * x / width - 1) + directionY * (2 * y / height - 1))
        return min(1, max(0, t))
    }

    /// The gradient colour at a dataset point (what the generator keeps objects in contrast with).
    func color(x: Double, y: Double, width: Double, height: Double) -> RGB {
        ShapeFill.mix(color0, color1, Float(gradientT(x: x, y: y, width: width, height: height)))
    }
}
