/// The figures of docs/DATASET.md, computed from the code: object statistics, anchor counts and
/// foreground/background imbalance per scale and anchor configuration, and speeds.
/// `ablate` can print it (suggested: `ablate dataset-report`); the test
/// `DatasetReportTests.testPrintReport` prints it when FOCAL_DATASET_REPORT=1.
public enum DatasetReport {
    /// The full Markdown report. `trainImages`/`valImages` size the splits (RunConfig defaults
    /// 2000/250); `quick` cuts the speed measurements to a few images.
    public static func markdown(config: ShapesConfig = ShapesConfig(), trainImages: Int = 2000, valImages: Int = 250,
                                quick: Bool = false) throws -> String {
        var out: [String] = []
        let train = ShapesDataset(split: .train, count: trainImages, config: config)
        let val = ShapesDataset(split: .val, count: valImages, config: config)
        let defaultAnchors = try AnchorGenerator()

        out.append("### Objects (default generator, seed \(config.seed))\n")
        for (name, ds) in [("train", train), ("val", val)] {
            let r = try ImbalanceReport.compute(dataset: ds, scale: 256, anchors: defaultAnchors)
            out.append("- \(name): " + r.objectSummary)
        }

        out.append("\n### Anchors and imbalance per scale (train split, 3 scales × 3 ratios, detectron2 low-quality rule, crowd = ignore regions)\n")
        out.append(ImbalanceReport.markdownHeader)
        for scale in [160, 256, 384, 512] {
            out.append(try ImbalanceReport.compute(dataset: train, scale: scale, anchors: defaultAnchors).markdownRow)
        }

        out.append("\n### Anchor configurations of Table 1c at scale 256 (train split)\n")
        out.append(ImbalanceReport.markdownHeader(leading: ["scales × ratios"]))
        for (s, ratios) in [(1, [1.0]), (2, [1.0]), (3, [1.0]), (1, [0.5, 1, 2]), (2, [0.5, 1, 2]), (3, [0.5, 1, 2]), (4, [0.5, 1, 2])] {
            let g = try AnchorGenerator(scalesPerOctave: s, aspectRatios: ratios)
            out.append("| \(s)×\(ratios.count) " + (try ImbalanceReport.compute(dataset: train, scale: 256, anchors: g).markdownRow))
        }

        out.append("\n### Low-quality matching rule at scale 256 (train split, 3×3)\n")
        out.append(ImbalanceReport.markdownHeader(leading: ["low-quality rule"]))
        for rule in AnchorMatcher.LowQualityRule.allCases {
            let r = try ImbalanceReport.compute(dataset: train, scale: 256, anchors: defaultAnchors, matcher: AnchorMatcher(lowQuality: rule))
            out.append("| \(rule.rawValue) " + r.markdownRow)
        }

        out.append("\n### Objects per image vs imbalance at scale 256 (train split, 3×3; `ShapesConfig.meanObjects`)\n")
        out.append(ImbalanceReport.markdownHeader(leading: ["meanObjects", "objects/img"]))
        for m in [1.3, 1.6, 2.0, 2.5, 3.5] {
            var c = config
            c.meanObjects = m
            let r = try ImbalanceReport.compute(dataset: ShapesDataset(split: .train, count: trainImages, config: c), scale: 256, anchors: defaultAnchors)
            out.append("| \(m) | \(ImbalanceReport.fmt(Double(r.objects) / Double(max(1, r.images)), 2)) " + r.markdownRow)
        }

        out.append("\n### Speed (one thread; wall and thread-CPU time, mean per item)\n")
        out.append("| what | wall | CPU |")
        out.append("| --- | --- | --- |")
        let n = quick ? 10 : 200
        let scenes = BenchClock.measure(repeats: 1) { for i in 0..<n { _ = train.scene(at: i) } }
        out.append("| scene generation (annotations only) | \(us(scenes.wall / Double(n))) | \(us(scenes.cpu / Double(n))) |")
        for scale in [160, 256, 384, 512] {
            let t = BenchClock.measure(repeats: 1) { for i in 0..<n { _ = train.sample(at: i, scale: scale) } }
            out.append("| render image at scale \(scale) | \(ms(t.wall / Double(n))) | \(ms(t.cpu / Double(n))) |")
        }
        let samples = (0..<min(n, 50)).map { train.sample(at: $0, scale: 256) }
        var chw = [Float](repeating: 0, count: 3 * 341 * 256)
        let conv = BenchClock.measure(repeats: 1) {
            chw.withUnsafeMutableBufferPointer { buf in for s in samples { s.pixels.writeNormalizedCHW(into: buf, normalization: .shapes, flipped: true) } }
        }
        out.append("| UInt8 → normalised float CHW (+flip) at 256 | \(ms(conv.wall / Double(samples.count))) | \(ms(conv.cpu / Double(samples.count))) |")
        let sampler = ShapesClassificationSampler(config: config)
        let patches = BenchClock.measure(repeats: 1) { for i in 0..<n { _ = sampler.sample(at: i) } }
        out.append("| classification patch 64×64 | \(ms(patches.wall / Double(n))) | \(ms(patches.cpu / Double(n))) |")
        let big = try AnchorGenerator(scalesPerOctave: 4)
        var set512 = big.anchors(height: 512, width: 683)
        let gen = BenchClock.measure(repeats: quick ? 2 : 20) { set512 = big.anchors(height: 512, width: 683) }
        out.append("| anchors for 683×512, 4×3 per location (\(set512.count) anchors, \(set512.memoryBytes / 1024) KiB) | \(ms(gen.wall)) | \(ms(gen.cpu)) |")
        for (scale, g) in [(256, defaultAnchors), (512, defaultAnchors), (512, big)] {
            let size = DetectionSample.inputSize(width: config.width, height: config.height, scale: scale)
            let anchors = g.anchors(height: size.height, width: size.width)
            let gts = try (0..<n).map { try GroundTruthBoxes(annotations: train.annotations(at: $0), scale: size.factor, classIndex: train.classIndex) }
            var a = AnchorAssignment()
            let matcher = AnchorMatcher()
            let t = BenchClock.measure(repeats: quick ? 1 : 5) { for gt in gts { matcher.match(gt, anchors: anchors, into: &a) } }
            out.append("| match one image at scale \(scale), \(g.scalesPerOctave)×\(g.aspectRatios.count) (\(anchors.count) anchors) | \(us(t.wall / Double(n))) | \(us(t.cpu / Double(n))) |")
        }
        // NMS: OHEM's NMS over all anchors of an image scored by (random) loss, and inference's
        // class-wise NMS over 5 levels × 1000 candidates keeping 100.
        let anchors256 = defaultAnchors.anchors(height: 256, width: 341)
        var rng = SeededRandom(seed: 99)
        let losses = (0..<anchors256.count).map { _ in Float(rng.uniform()) }
        for (keep, thr) in [(128, Float(0.7)), (512, Float(0.7)), (512, Float(0.5))] {
            let t = BenchClock.measure(repeats: quick ? 1 : 10) {
                _ = NMS.greedy(boxes: anchors256.boxes, scores: losses, iouThreshold: thr, maxOutput: keep)
            }
            out.append("| OHEM NMS over \(anchors256.count) anchors at \(thr), keep \(keep) | \(ms(t.wall)) | \(ms(t.cpu)) |")
        }
        var candidates: [Float] = [], scores: [Float] = [], classes: [Int32] = []
        for _ in 0..<5000 {
            let cx = Float(rng.uniform(0, 341)), cy = Float(rng.uniform(0, 256)), w = Float(rng.uniform(8, 150)), h = Float(rng.uniform(8, 150))
            candidates += [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]
            scores.append(Float(rng.uniform(0.05, 1))); classes.append(Int32(rng.int(below: 12)))
        }
        let inference = BenchClock.measure(repeats: quick ? 1 : 10) {
            _ = NMS.batched(boxes: candidates, scores: scores, classes: classes, iouThreshold: 0.5, maxOutput: 100)
        }
        out.append("| class-wise NMS of 5000 candidates at 0.5, keep 100 | \(ms(inference.wall)) | \(ms(inference.cpu)) |")
        return out.joined(separator: "\n") + "\n"
    }

    static func ms(_ s: Double) -> String { ImbalanceReport.fmt(s * 1e3, 2) + " ms" }
    static func us(_ s: Double) -> String { ImbalanceReport.fmt(s * 1e6, 1) + " µs" }
}
