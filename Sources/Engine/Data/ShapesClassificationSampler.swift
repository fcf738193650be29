/// Classification patches from the built-in generator, for pretraining the backbone once (the
/// paper starts from ImageNet weights; FINDINGS.md: a from-scratch backbone reverses FL vs CE).
///
/// Sample `index` has label `index % classCount` (exactly balanced): labels 0…11 are the
/// categories, 12 (`backgroundClass`) is "no object": background, clutter or a distractor.
/// An object patch is a square view centred near one object of that category, the object
/// spanning 50–85% of the side; a background patch is a view of similar size in which no object
/// shows more than 10% of its box, centred on a distractor half of the time (hard negatives).
/// Patches are rendered directly at `size` × `size` from the vector scene; the scenes come from
/// their own split (`ShapesSplit.classification`), disjoint from train and val.
public struct ShapesClassificationSampler: Sendable {
    public let generator: ShapesSceneGenerator
    /// Side of the square patch in pixels.
    public let size: Int

    /// Class index of "no object".
    public static let backgroundClass = ShapeCategory.allCases.count
    /// Categories + background.
    public static let classCount = ShapeCategory.allCases.count + 1

    public init(config: ShapesConfig = ShapesConfig(), size: Int = 64) {
        precondition(size > 0, "patch size must be positive")
        self.generator = ShapesSceneGenerator(config: config); self.size = size
    }

    /// Patch `index` and its label.
    public func sample(at index: Int) -> (image: PixelImage, label: Int) {
        let label = index % Self.classCount
        // Bit 39 is set by no split base (bits 40+), image index (< 2³²) or attempt (bits 32–35):
        // the choices of view get a stream of their own.
        var rng = SeededRandom(seed: generator.config.seed, stream: ShapesSplit.classification.stream(index) | 1 << 39)
        for attempt in 0..<16 {
            let stream = ShapesSplit.classification.stream(index) | UInt64(attempt) << 32
            if label < ShapeCategory.allCases.count {
                let category = ShapeCategory.allCases[label]
                let scene = generator.scene(stream: stream, forcedCategory: category)
                let candidates = scene.objects.filter { $0.category == category && !$0.isCrowd }
                guard !candidates.isEmpty else { continue }
                let o = candidates[rng.int(below: candidates.count)]
                let side = max(o.box.width, o.box.height) / rng.uniform(0.5, 0.85)
                let cx = o.box.x + 0.5 * o.box.width + rng.uniform(-0.1, 0.1) * side
                let cy = o.box.y + 0.5 * o.box.height + rng.uniform(-0.1, 0.1) * side
                return (render(scene, cx, cy, side), label)
            }
            let scene = generator.scene(stream: stream, forcedCategory: nil)
            let distractors = scene.items.filter { $0.role == .distractor }
            for _ in 0..<20 {
                let side = ShapesRandom.logUniform(&rng, 24...240)
                var cx = rng.uniform(0, Double(scene.width)), cy = rng.uniform(0, Double(scene.height))
                if !distractors.isEmpty, rng.uniform() < 0.5 {
                    let d = distractors[rng.int(below: distractors.count)]
                    cx = 0.5 * (d.x0 + d.x1); cy = 0.5 * (d.y0 + d.y1)
                }
                let x0 = cx - side / 2, y0 = cy - side / 2
                let clear = scene.objects.allSatisfy { o in
                    let iw = max(0, min(o.box.x + o.box.width, x0 + side) - max(o.box.x, x0))
                    let ih = max(0, min(o.box.y + o.box.height, y0 + side) - max(o.box.y, y0))
                    return iw * ih <= 0.1 * o.box.area
                }
                if clear { return (render(scene, cx, cy, side), label) }
            }
        }
        // Not reached in practice (16 scenes without a usable view); a plain background view.
        let scene = generator.scene(stream: ShapesSplit.classification.stream(index), forcedCategory: nil)
        let empty = ShapesScene(width: scene.width, height: scene.height, background: scene.background, items: [], objects: [])
        return (render(empty, 320, 240, 64), Self.backgroundClass)
    }

    func render(_ scene: ShapesScene, _ cx: Double, _ cy: Double, _ side: Double) -> PixelImage {
        ShapesRenderer.render(scene, width: size, height: size, scale: Double(size) / side,
                              originX: cx - side / 2, originY: cy - side / 2)
    }
}
