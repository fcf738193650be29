/// Parameters of the built-in dataset's generator. The defaults are the dataset documented in
/// docs/DATASET.md; changing any of them changes every image (and the pinned test hashes).
public struct ShapesConfig: Hashable, Sendable {
    /// Seed of the generator (RunConfig.dataSeed).
    public var seed: UInt64 = 1
    /// Dataset coordinate space; annotations and predictions live here.
    public var width: Int = 640
    public var height: Int = 480
    /// Fraction of images with no annotated object (only background, clutter and distractors).
    public var emptyImageFraction: Double = 0.1
    /// Mean number of objects in a non-empty image (geometric distribution from 1, capped at `maxObjects`).
    public var meanObjects: Double = 2.5
    public var maxObjects: Int = 12
    /// Fractions of small (< 32²), medium (32²…96²) and large (≥ 96²) objects by box area, as COCO.
    public var smallFraction: Double = 0.41
    public var mediumFraction: Double = 0.34
    /// Range of √(box area) in dataset pixels; small objects start at `minObjectSide`.
    public var minObjectSide: Double = 12
    public var maxObjectSide: Double = 320
    /// Fraction of objects allowed to extend past the image border (annotated clipped).
    public var truncationFraction: Double = 0.1
    /// At most this fraction of an object's box may be covered by later-drawn objects or distractors.
    public var maxOcclusion: Double = 0.35
    /// Hard negatives per image.
    public var distractors: ClosedRange<Int> = 1...5
    public var clutterPatches: ClosedRange<Int> = 0...3
    public var lines: ClosedRange<Int> = 0...3
    public var speckles: ClosedRange<Int> = 0...6
    /// Fraction of images with one crowd group (annotated with `iscrowd` = 1).
    public var crowdImageFraction: Double = 0.03

    public init() {}

    /// The default configuration with another seed.
    public init(seed: UInt64) { self.seed = seed }
}

/// A subset of the built-in dataset with its own disjoint random streams.
public enum ShapesSplit: String, CaseIterable, Hashable, Sendable {
    case train, val
    /// Patches for backbone pretraining (`ShapesClassificationSampler`).
    case classification

    /// Stream of image `index` of this split (splits never share a stream).
    func stream(_ index: Int) -> UInt64 {
        let base: UInt64
        switch self {
        case .train: base = 1 << 40
        case .val: base = 2 << 40
        case .classification: base = 3 << 40
        }
        return base | UInt64(index)
    }
}
