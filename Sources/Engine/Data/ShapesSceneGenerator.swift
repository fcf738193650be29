import COCOKit

/// Builds the vector scene of one built-in image from (seed, split, index).
///
/// Only `SeededRandom` and `FixedMath` decide anything, so scenes are identical on every platform.
/// Drawing order: background → faint textured clutter → distractors behind → objects (largest
/// first) → crowd group → distractors in front → speckles → thin lines. Occlusion is bounded:
/// anything drawn after an object covers at most `maxOcclusion` of its box (lines excepted).
public struct ShapesSceneGenerator: Sendable {
    public var config: ShapesConfig

    public init(config: ShapesConfig = ShapesConfig()) { self.config = config }

    /// The scene of image `index` of `split`.
    public func scene(split: ShapesSplit, index: Int) -> ShapesScene {
        scene(stream: split.stream(index), forcedCategory: nil)
    }

    /// A scene from `stream`; with `forcedCategory` it has at least one object, the first of that category.
    func scene(stream: UInt64, forcedCategory: ShapeCategory?) -> ShapesScene {
        var rng = SeededRandom(seed: config.seed, stream: stream)
        var b = Builder(config: config, background: makeBackground(&rng))

        for _ in 0..<count(in: config.clutterPatches, &rng) { b.addClutter(&rng) }

        var nObjects = 0
        if forcedCategory != nil || rng.uniform() >= config.emptyImageFraction {
            nObjects = 1
            while nObjects < config.maxObjects, rng.uniform() > 1 / config.meanObjects { nObjects += 1 }
        }
        var specs: [(category: ShapeCategory, sizeClass: Int)] = []
        for i in 0..<nObjects {
            let c = (i == 0 ? forcedCategory : nil) ?? ShapeCategory.allCases[rng.int(below: ShapeCategory.allCases.count)]
            specs.append((c, sampleSizeClass(&rng)))
        }
        let nDistractors = count(in: config.distractors, &rng)
        let behind = (0..<nDistractors).map { _ in rng.uniform() < 0.5 }
        for d in 0..<nDistractors where behind[d] { b.addDistractor(&rng, sizeClass: sampleSizeClass(&rng), front: false) }

        // Larger objects first, so small ones may lie on top of them (a bounded occlusion).
        let objects: [(category: ShapeCategory, side: Double, aspect: Double)] = specs.map { s in
            (s.category, sampleSide(&rng, sizeClass: s.sizeClass), s.category.sampleAspect(&rng))
        }
        let order = objects.indices.sorted { objects[$0].side > objects[$1].side || (objects[$0].side == objects[$1].side && $0 < $1) }
        for i in order { b.addObject(&rng, category: objects[i].category, side: objects[i].side, aspect: objects[i].aspect) }

        if rng.uniform() < config.crowdImageFraction { b.addCrowd(&rng) }
        for d in 0..<nDistractors where !behind[d] { b.addDistractor(&rng, sizeClass: sampleSizeClass(&rng), front: true) }
        for _ in 0..<count(in: config.speckles, &rng) { b.addSpeckle(&rng) }
        for _ in 0..<count(in: config.lines, &rng) { b.addLine(&rng) }
        return ShapesScene(width: config.width, height: config.height, background: b.background,
                           items: b.items, objects: b.objects)
    }

    func count(in range: ClosedRange<Int>, _ rng: inout SeededRandom) -> Int {
        range.lowerBound + rng.int(below: range.count)
    }

    /// 0 small, 1 medium, 2 large with the configured fractions.
    func sampleSizeClass(_ rng: inout SeededRandom) -> Int {
        let u = rng.uniform()
        return u < config.smallFraction ? 0 : (u < config.smallFraction + config.mediumFraction ? 1 : 2)
    }

    /// √area of a box of `sizeClass`, log-uniform within the class's COCO range.
    func sampleSide(_ rng: inout SeededRandom, sizeClass: Int) -> Double {
        let bounds = [config.minObjectSide, 32, 96, config.maxObjectSide]
        return ShapesRandom.logUniform(&rng, bounds[sizeClass]...bounds[sizeClass + 1])
    }

    func makeBackground(_ rng: inout SeededRandom) -> ShapesBackground {
        let c0 = RGB.random(&rng, in: 30...225)
        let c1 = RGB.random(&rng, in: 30...225)
        let angle = rng.uniform(0, 2 * Double.pi)
        let cell = 80.0
        let cols = Int((Double(config.width) / cell).rounded(.up)) + 2
        let rows = Int((Double(config.height) / cell).rounded(.up)) + 2
        let noise = (0..<(cols * rows)).map { _ in Float(rng.uniform(-1, 1)) }
        return ShapesBackground(color0: c0, color1: c1, directionX: FixedMath.cos(angle), directionY: FixedMath.sin(angle),
                                noise: noise, noiseColumns: cols, noiseRows: rows, noiseCell: cell,
                                noiseAmplitude: Float(rng.uniform(6, 24)), grainAmplitude: Float(rng.uniform(2, 6)),
                                grainSeed: UInt32(truncatingIfNeeded: rng.next()))
    }
}

/// Accumulates items and annotations while enforcing the placement rules.
struct ShapesSceneBuilder {
    let config: ShapesConfig
    let background: ShapesBackground
    var items: [ShapeItem] = []
    var objects: [SceneObject] = []
    /// Unclipped boxes of annotated objects (and crowd regions), for the occlusion rule.
    var occludable: [(Double, Double, Double, Double)] = []
    /// Category of each `occludable` entry.
    var occludableCategory: [ShapeCategory] = []
    let maxTries = 40

    init(config: ShapesConfig, background: ShapesBackground) {
        self.config = config; self.background = background
    }

    var w: Double { Double(config.width) }
    var h: Double { Double(config.height) }

    func baseColor(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> RGB {
        background.color(x: 0.5 * (x0 + x1), y: 0.5 * (y0 + y1), width: w, height: h)
    }

    /// Whether a box drawn now would cover more than `maxOcclusion` of an annotated object.
    func occludesTooMuch(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Bool {
        for (a0, b0, a1, b1) in occludable {
            let iw = max(0, min(a1, x1) - max(a0, x0)), ih = max(0, min(b1, y1) - max(b0, y0))
            if iw * ih > config.maxOcclusion * (a1 - a0) * (b1 - b0) { return true }
        }
        return false
    }

    /// Whether a new object of `category` would overlap one of the same category by more than
    /// 10% of the smaller box (a star nested in a star reads as one odd shape, not two stars).
    func overlapsSameCategory(_ category: ShapeCategory, _ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Bool {
        for (k, (a0, b0, a1, b1)) in occludable.enumerated() where occludableCategory[k] == category {
            let iw = max(0, min(a1, x1) - max(a0, x0)), ih = max(0, min(b1, y1) - max(b0, y0))
            if iw * ih > 0.1 * min((a1 - a0) * (b1 - b0), (x1 - x0) * (y1 - y0)) { return true }
        }
        return false
    }

    /// A position for a box of bw × bh: inside the image, or (if `truncate`) up to 30% outside.
    func position(_ rng: inout SeededRandom, _ bw: Double, _ bh: Double, truncate: Bool) -> (Double, Double) {
        let m = truncate ? 0.3 : 0
        let x = rng.uniform(-m * bw, max(-m * bw, w - (1 - m) * bw))
        let y = rng.uniform(-m * bh, max(-m * bh, h - (1 - m) * bh))
        return (x, y)
    }

    /// Box size with area side² and aspect h/w, shrunk to fit inside 95% of the image.
    func boxSize(side: Double, aspect: Double) -> (Double, Double) {
        var bw = side / aspect.squareRoot(), bh = side * aspect.squareRoot()
        let f = min(1, 0.95 * w / bw, 0.95 * h / bh)
        bw *= f; bh *= f
        return (bw, bh)
    }

    mutating func addObject(_ rng: inout SeededRandom, category: ShapeCategory, side: Double, aspect: Double) {
        let (bw, bh) = boxSize(side: side, aspect: aspect)
        let truncate = rng.uniform() < config.truncationFraction
        for _ in 0..<maxTries {
            let (x0, y0) = position(&rng, bw, bh, truncate: truncate)
            if occludesTooMuch(x0, y0, x0 + bw, y0 + bh) || overlapsSameCategory(category, x0, y0, x0 + bw, y0 + bh) { continue }
            let outline = category.outline(&rng)
            let fill = category.fill(&rng, base: baseColor(x0, y0, x0 + bw, y0 + bh), aspect: bh / bw)
            items.append(ShapeItem(role: .object(category), x0: x0, y0: y0, x1: x0 + bw, y1: y0 + bh,
                                   outline: outline, fill: fill, opacity: 1))
            occludable.append((x0, y0, x0 + bw, y0 + bh)); occludableCategory.append(category)
            annotate(category, x0, y0, x0 + bw, y0 + bh, crowd: false)
            return
        }
    }

    mutating func annotate(_ c: ShapeCategory, _ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, crowd: Bool) {
        let cx0 = max(0, x0), cy0 = max(0, y0), cx1 = min(w, x1), cy1 = min(h, y1)
        guard cx1 - cx0 >= 1, cy1 - cy0 >= 1 else { return }
        objects.append(SceneObject(category: c, box: COCOBox(x: cx0, y: cy0, width: cx1 - cx0, height: cy1 - cy0), isCrowd: crowd))
    }

    /// A group of 6–14 small instances of one category, annotated as one crowd box.
    mutating func addCrowd(_ rng: inout SeededRandom) {
        let c = ShapeCategory.allCases[rng.int(below: ShapeCategory.allCases.count)]
        let rw = rng.uniform(70, 160), rh = rng.uniform(50, 120)
        for _ in 0..<maxTries {
            let (x0, y0) = position(&rng, rw, rh, truncate: false)
            if occludesTooMuch(x0, y0, x0 + rw, y0 + rh) || overlapsSameCategory(c, x0, y0, x0 + rw, y0 + rh) { continue }
            let n = 6 + rng.int(below: 9)
            var u0 = Double.infinity, v0 = Double.infinity, u1 = -Double.infinity, v1 = -Double.infinity
            for _ in 0..<n {
                let (bw, bh) = boxSize(side: ShapesRandom.logUniform(&rng, 10...20), aspect: c.sampleAspect(&rng))
                let mx = x0 + rng.uniform(0, max(0, rw - bw)), my = y0 + rng.uniform(0, max(0, rh - bh))
                let outline = c.outline(&rng)
                let fill = c.fill(&rng, base: baseColor(mx, my, mx + bw, my + bh), aspect: bh / bw)
                items.append(ShapeItem(role: .crowdMember(c), x0: mx, y0: my, x1: mx + bw, y1: my + bh,
                                       outline: outline, fill: fill, opacity: 1))
                u0 = min(u0, mx); v0 = min(v0, my); u1 = max(u1, mx + bw); v1 = max(v1, my + bh)
            }
            occludable.append((u0, v0, u1, v1)); occludableCategory.append(c)
            annotate(c, u0, v0, u1, v1, crowd: true)
            return
        }
    }

    /// A non-category shape sized like an object; in front it obeys the occlusion rule.
    mutating func addDistractor(_ rng: inout SeededRandom, sizeClass: Int, front: Bool) {
        let form = ShapeDistractor.allCases[rng.int(below: ShapeDistractor.allCases.count)]
        let bounds = [config.minObjectSide, 32, 96, config.maxObjectSide]
        let side = ShapesRandom.logUniform(&rng, bounds[sizeClass]...bounds[sizeClass + 1])
        let (bw, bh) = boxSize(side: side, aspect: ShapesRandom.logUniform(&rng, form.aspectRange))
        for _ in 0..<maxTries {
            let (x0, y0) = position(&rng, bw, bh, truncate: rng.uniform() < config.truncationFraction)
            if front && occludesTooMuch(x0, y0, x0 + bw, y0 + bh) { continue }
            let outline = form.outline(&rng)
            let fill = form.fill(&rng, base: baseColor(x0, y0, x0 + bw, y0 + bh))
            items.append(ShapeItem(role: .distractor, x0: x0, y0: y0, x1: x0 + bw, y1: y0 + bh,
                                   outline: outline, fill: fill, opacity: 1))
            return
        }
    }

    /// A large faint textured rectangle or ellipse (background texture, never annotated).
    mutating func addClutter(_ rng: inout SeededRandom) {
        let bw = rng.uniform(100, 400), bh = rng.uniform(80, 300)
        let x0 = rng.uniform(-0.3 * bw, w - 0.7 * bw), y0 = rng.uniform(-0.3 * bh, h - 0.7 * bh)
        let outline: ShapeOutline = rng.uniform() < 0.5 ? .rectangle : .ellipse
        let c0 = RGB.random(&rng), c1 = RGB.contrasting(&rng, from: [c0], minDistance: 120)
        let fill: ShapeFill
        switch rng.int(below: 3) {
        case 0: fill = .stripes(c0, c1, count: 6 + rng.int(below: 10), alongU: rng.uniform() < 0.5)
        case 1: fill = .checker(c0, c1, cellsU: 4 + rng.int(below: 8), cellsV: 4 + rng.int(below: 8))
        default: fill = .dots(c0, c1, cellsU: 4 + rng.int(below: 6), cellsV: 3 + rng.int(below: 5))
        }
        // Faint, with a wide soft edge: a texture on the background, not an object outline.
        var item = ShapeItem(role: .clutter, x0: x0, y0: y0, x1: x0 + bw, y1: y0 + bh,
                             outline: outline, fill: fill, opacity: Float(rng.uniform(0.08, 0.22)))
        item.softness = rng.uniform(6, 16)
        items.append(item)
    }

    /// A tiny irregular blob (3–6 dataset pixels), smaller than any annotated object.
    mutating func addSpeckle(_ rng: inout SeededRandom) {
        let s = rng.uniform(3, 6)
        let x0 = rng.uniform(0, w - s), y0 = rng.uniform(0, h - s)
        let outline = ShapeDistractor.blob.outline(&rng)
        let c = RGB.contrasting(&rng, from: [baseColor(x0, y0, x0 + s, y0 + s)], minDistance: 120)
        items.append(ShapeItem(role: .speckle, x0: x0, y0: y0, x1: x0 + s, y1: y0 + s,
                               outline: outline, fill: .solid(c), opacity: 1))
    }

    /// A thin straight line (1–3 dataset pixels thick) across part of the image.
    mutating func addLine(_ rng: inout SeededRandom) {
        let px = rng.uniform(-50, w + 50), py = rng.uniform(-50, h + 50)
        var qx = rng.uniform(-50, w + 50), qy = rng.uniform(-50, h + 50)
        if abs(qx - px) + abs(qy - py) < 40 { qx = px + 80; qy = py + 20 }
        let half = 0.5 * rng.uniform(1, 3)
        let len = ((qx - px) * (qx - px) + (qy - py) * (qy - py)).squareRoot()
        let nx = -(qy - py) / len * half, ny = (qx - px) / len * half
        let corners = [UnitPoint(px + nx, py + ny), UnitPoint(qx + nx, qy + ny), UnitPoint(qx - nx, qy - ny), UnitPoint(px - nx, py - ny)]
        var x0 = Double.infinity, y0 = Double.infinity, x1 = -Double.infinity, y1 = -Double.infinity
        for p in corners { x0 = min(x0, p.u); x1 = max(x1, p.u); y0 = min(y0, p.v); y1 = max(y1, p.v) }
        let unit = corners.map { UnitPoint(($0.u - x0) / (x1 - x0), ($0.v - y0) / (y1 - y0)) }
        let c = RGB.contrasting(&rng, from: [baseColor(x0, y0, x1, y1)], minDistance: 150)
        items.append(ShapeItem(role: .line, x0: x0, y0: y0, x1: x1, y1: y1, outline: ShapeOutline(outer: .polygon(unit)),
                               fill: .solid(c), opacity: Float(rng.uniform(0.5, 0.9))))
    }
}

extension ShapesSceneGenerator {
    typealias Builder = ShapesSceneBuilder
}
