/// RetinaNet anchors for FPN levels P3–P7 on an input of any size.
///
/// Conventions (PAPER.md §3; chosen here and used by the matcher, coder and inference):
/// - Coordinates are continuous input pixels: pixel (i, j) covers [j, j+1) × [i, i+1); boxes are
///   (x1, y1, x2, y2) with width x2 − x1 (no Detectron "+1").
/// - Centre of the anchors at grid cell (x, y) of a level with stride s: ((x + ½)·s, (y + ½)·s).
///   This is Detectron's centre (x·s + (s−1)/2 in its integer "+1" pixels) written in continuous
///   coordinates; detectron2's default offset 0 would put it on the cell's top-left corner.
/// - Sizes are exact (no rounding): size = anchorScale · s · 2^(k/n) for octave k < n; for aspect
///   ratio r = h/w, w = size/√r and h = size·√r, so every anchor of one size has area size².
/// - Feature map of a level: ⌈H/s⌉ × ⌈W/s⌉ (what stride-2, 3×3, pad-1 convolutions produce).
/// - Order: level-major, then row y, column x, then anchor a = k·R + j (octave k, ratio j; as
///   Detectron). This is the order of a head output of shape [A·K, H, W] transposed to [H, W, A, K].
public struct AnchorGenerator: Hashable, Sendable {
    /// Pyramid levels; stride of level l is 2^l.
    public let levels: ClosedRange<Int>
    /// Anchor size at octave 0 in units of the level stride (paper: 4).
    public let anchorScale: Double
    /// Octave scales per level, 2^(k/n) for k = 0..<n (paper: 3).
    public let scalesPerOctave: Int
    /// Aspect ratios h/w (paper: 0.5, 1, 2).
    public let aspectRatios: [Double]

    /// Errors for configurations that cannot produce anchors.
    public struct ConfigError: Error, CustomStringConvertible {
        public var description: String
    }

    public init(levels: ClosedRange<Int> = 3...7, anchorScale: Double = 4, scalesPerOctave: Int = 3,
                aspectRatios: [Double] = [0.5, 1, 2]) throws {
        guard levels.lowerBound >= 0, levels.upperBound <= 12 else {
            throw ConfigError(description: "anchor levels \(levels) out of range 0...12")
        }
        guard anchorScale.isFinite, anchorScale > 0 else {
            throw ConfigError(description: "anchorScale must be a positive number, got \(anchorScale)")
        }
        guard (1...16).contains(scalesPerOctave) else {
            throw ConfigError(description: "scalesPerOctave must be in 1...16, got \(scalesPerOctave)")
        }
        guard !aspectRatios.isEmpty, aspectRatios.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw ConfigError(description: "aspectRatios must be a non-empty list of positive numbers, got \(aspectRatios)")
        }
        self.levels = levels; self.anchorScale = anchorScale
        self.scalesPerOctave = scalesPerOctave; self.aspectRatios = aspectRatios
    }

    /// Anchors per feature-map location (A = scales × ratios).
    public var anchorsPerLocation: Int { scalesPerOctave * aspectRatios.count }

    /// Stride of pyramid level `level` in input pixels.
    public static func stride(ofLevel level: Int) -> Int { 1 << level }

    /// Feature-map side for an input side `n` at `stride`: ⌈n / stride⌉.
    public static func featureSize(_ n: Int, stride: Int) -> Int { (n + stride - 1) / stride }

    /// The A cell anchors of a level as (width, height) pairs, index a = k·R + j.
    public func cellSizes(level: Int) -> [(width: Double, height: Double)] {
        let s = Double(AnchorGenerator.stride(ofLevel: level))
        var out: [(width: Double, height: Double)] = []
        out.reserveCapacity(anchorsPerLocation)
        for k in 0..<scalesPerOctave {
            let size = anchorScale * s * FixedMath.exp2(Double(k) / Double(scalesPerOctave))
            for r in aspectRatios {
                let root = r.squareRoot()
                out.append((size / root, size * root))
            }
        }
        return out
    }

    /// All anchors of an input of `height` × `width` pixels, with the ⌈H/s⌉ × ⌈W/s⌉ grids.
    public func anchors(height: Int, width: Int) -> AnchorSet {
        let grids = levels.map { l -> (Int, Int) in
            let s = AnchorGenerator.stride(ofLevel: l)
            return (AnchorGenerator.featureSize(height, stride: s), AnchorGenerator.featureSize(width, stride: s))
        }
        return anchors(gridSizes: grids)
    }

    /// All anchors for explicit per-level grid sizes (rows, columns), one entry per level, for a
    /// network whose feature maps differ from ⌈H/s⌉ × ⌈W/s⌉.
    public func anchors(gridSizes: [(rows: Int, columns: Int)]) -> AnchorSet {
        precondition(gridSizes.count == levels.count, "one grid size per level")
        let a = anchorsPerLocation
        var total = 0
        var levelInfo: [AnchorSet.Level] = []
        for (i, l) in levels.enumerated() {
            let (rows, cols) = gridSizes[i]
            levelInfo.append(AnchorSet.Level(level: l, stride: AnchorGenerator.stride(ofLevel: l),
                                             rows: rows, columns: cols, offset: total))
            total += rows * cols * a
        }
        var boxes = [Float](repeating: 0, count: total * 4)
        boxes.withUnsafeMutableBufferPointer { out in
            for info in levelInfo {
                let s = Double(info.stride)
                let cells = cellSizes(level: info.level)
                var o = info.offset * 4
                for y in 0..<info.rows {
                    let cy = (Double(y) + 0.5) * s
                    for x in 0..<info.columns {
                        let cx = (Double(x) + 0.5) * s
                        for c in cells {
                            out[o] = Float(cx - 0.5 * c.width); out[o + 1] = Float(cy - 0.5 * c.height)
                            out[o + 2] = Float(cx + 0.5 * c.width); out[o + 3] = Float(cy + 0.5 * c.height)
                            o += 4
                        }
                    }
                }
            }
        }
        return AnchorSet(boxes: boxes, levels: levelInfo, anchorsPerLocation: a,
                         cellSizes: levels.map { cellSizes(level: $0) })
    }
}

/// The anchors of one input size: boxes in the generator's order plus where each level starts.
public struct AnchorSet: Sendable {
    /// One pyramid level's slice of the anchors.
    public struct Level: Hashable, Sendable {
        public var level: Int
        public var stride: Int
        public var rows: Int
        public var columns: Int
        /// Index of the level's first anchor in `boxes` (in anchors, not floats).
        public var offset: Int
        /// Anchors in this level given A per location.
        public func count(anchorsPerLocation a: Int) -> Int { rows * columns * a }
    }

    /// [N × 4] (x1, y1, x2, y2) in input pixels, Float, row-major.
    public let boxes: [Float]
    public let levels: [Level]
    public let anchorsPerLocation: Int
    /// Per-level cell sizes (width, height) in input pixels, index a = k·R + j.
    public let cellSizes: [[(width: Double, height: Double)]]
    /// The same boxes as separate coordinate arrays (structure of arrays), for vectorised IoU.
    public let x1: [Float], y1: [Float], x2: [Float], y2: [Float]
    /// Anchor areas (x2 − x1)·(y2 − y1) in input pixels².
    public let areas: [Float]

    init(boxes: [Float], levels: [Level], anchorsPerLocation: Int, cellSizes: [[(width: Double, height: Double)]]) {
        self.boxes = boxes; self.levels = levels
        self.anchorsPerLocation = anchorsPerLocation; self.cellSizes = cellSizes
        let n = boxes.count / 4
        var x1 = [Float](repeating: 0, count: n), y1 = x1, x2 = x1, y2 = x1, ar = x1
        for i in 0..<n {
            x1[i] = boxes[4 * i]; y1[i] = boxes[4 * i + 1]; x2[i] = boxes[4 * i + 2]; y2[i] = boxes[4 * i + 3]
            ar[i] = (x2[i] - x1[i]) * (y2[i] - y1[i])
        }
        self.x1 = x1; self.y1 = y1; self.x2 = x2; self.y2 = y2; self.areas = ar
    }

    /// Number of anchors N.
    public var count: Int { boxes.count / 4 }

    /// Anchor `i` as (x1, y1, x2, y2).
    public func box(_ i: Int) -> (Float, Float, Float, Float) {
        (boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3])
    }

    /// Bytes held by this set (boxes plus the structure-of-arrays copies).
    public var memoryBytes: Int { (boxes.count + 5 * count) * MemoryLayout<Float>.stride }
}
