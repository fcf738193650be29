/// Assigns every anchor to a ground-truth box, to background, or to "ignored" (RetinaNet §4).
///
/// Rules (IoU without "+1", Float, `boxIoU`):
/// 1. Each anchor's best IoU q over the non-crowd boxes, and the first box reaching it (g).
/// 2. q ≥ `foregroundIoU` (0.5): foreground of g; q < `backgroundIoU` (0.4): background;
///    in between: ignored (no classification or box loss).
/// 3. Low-quality matches (`lowQuality`), for each non-crowd box j with best IoU b_j > 0, every
///    anchor whose IoU with j equals b_j (ties included):
///    - `.detectron2` (default; also torchvision): becomes foreground at any IoU. Needed here:
///      at scale 256 a COCO-small object (< 32² in 640×480) is < 17 px, and the smallest default
///      anchor (32 px) reaches IoU < 0.3 with it, so without this rule small objects have no
///      positive anchor at all.
///    - `.detectron` (the paper's code): becomes foreground only if its own q ≥ `backgroundIoU`
///      (Detectron labels these anchors first and then overwrites every anchor with q < 0.4 as
///      background), i.e. it only rescues anchors from the ignore band.
///    - `.none`: thresholds only.
///    As in both codebases such an anchor is matched to its own best box g (usually j itself).
/// 4. Crowd boxes (`crowd`): never foreground. `.ignoreRegions(minOverlap:)` (default, 0.7 as
///    Detectron's CROWD_FILTER_THRESH) turns a background anchor into ignored when the part of
///    the anchor inside a crowd box exceeds `minOverlap` of the anchor's area — pycocotools
///    ignores detections there, so they should not be trained as negatives. `.drop` removes crowd
///    boxes entirely (Detectron's and detectron2's RetinaNet).
/// Boxes with zero area never match. For speed each box is only compared with the anchors of the
/// grid cells that can overlap it; the result equals the all-pairs computation (tested).
public struct AnchorMatcher: Hashable, Sendable {
    /// Which low-quality matching rule to apply (see the type's documentation).
    public enum LowQualityRule: String, Hashable, Sendable, CaseIterable, Codable {
        case none, detectron, detectron2
    }

    /// What crowd (`iscrowd = 1`) boxes do.
    public enum CrowdPolicy: Hashable, Sendable {
        case drop
        case ignoreRegions(minOverlap: Float)
    }

    public let foregroundIoU: Float
    public let backgroundIoU: Float
    public let lowQuality: LowQualityRule
    public let crowd: CrowdPolicy

    /// The paper's thresholds (0.5 / 0.4) with the given rules.
    public init(lowQuality: LowQualityRule = .detectron2, crowd: CrowdPolicy = .ignoreRegions(minOverlap: 0.7)) {
        self.init(checked: 0.5, 0.4, lowQuality, crowd)
    }

    private init(checked fg: Float, _ bg: Float, _ lowQuality: LowQualityRule, _ crowd: CrowdPolicy) {
        foregroundIoU = fg; backgroundIoU = bg
        self.lowQuality = lowQuality; self.crowd = crowd
    }

    /// A configuration error (thresholds out of order or range).
    public struct ConfigError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Custom thresholds; needs 0 < backgroundIoU ≤ foregroundIoU ≤ 1.
    public init(foregroundIoU: Float, backgroundIoU: Float, lowQuality: LowQualityRule = .detectron2,
                crowd: CrowdPolicy = .ignoreRegions(minOverlap: 0.7)) throws {
        guard backgroundIoU > 0, backgroundIoU <= foregroundIoU, foregroundIoU <= 1 else {
            throw ConfigError(description: "matcher thresholds need 0 < background (\(backgroundIoU)) ≤ foreground (\(foregroundIoU)) ≤ 1")
        }
        self.init(checked: foregroundIoU, backgroundIoU, lowQuality, crowd)
    }

    /// Matches `gt` against `anchors` into a new assignment.
    public func match(_ gt: GroundTruthBoxes, anchors: AnchorSet) -> AnchorAssignment {
        var out = AnchorAssignment()
        match(gt, anchors: anchors, into: &out)
        return out
    }

    /// Matches `gt` against `anchors`, reusing `out`'s per-anchor storage (only per-box arrays are allocated).
    public func match(_ gt: GroundTruthBoxes, anchors: AnchorSet, into out: inout AnchorAssignment) {
        let n = anchors.count
        out.reset(count: n)
        var gtBest = [Float](repeating: 0, count: gt.count)
        let fg = foregroundIoU, bg = backgroundIoU
        // Work on local arrays (moved out of `out`, so no copy) to keep accesses exclusive.
        var bestIoU: [Float] = [], bestBox: [Int32] = [], matchArr: [Int32] = [], boxBest: [Float] = []
        var positives = 0, ignored = 0
        swap(&bestIoU, &out.bestIoU); swap(&bestBox, &out.bestBox); swap(&matchArr, &out.matches)
        defer {
            swap(&bestIoU, &out.bestIoU); swap(&bestBox, &out.bestBox); swap(&matchArr, &out.matches)
            out.boxBestIoU = boxBest
            out.positiveCount = positives; out.ignoredCount = ignored; out.negativeCount = n - positives - ignored
        }

        anchors.x1.withUnsafeBufferPointer { ax1 in
        anchors.y1.withUnsafeBufferPointer { ay1 in
        anchors.x2.withUnsafeBufferPointer { ax2 in
        anchors.y2.withUnsafeBufferPointer { ay2 in
        anchors.areas.withUnsafeBufferPointer { aa in
        bestIoU.withUnsafeMutableBufferPointer { best in
        bestBox.withUnsafeMutableBufferPointer { arg in
        matchArr.withUnsafeMutableBufferPointer { matches in
            // 1. Best IoU and first best box per anchor, best IoU per box.
            for j in 0..<gt.count where !gt.isCrowd[j] {
                let (gx1, gy1, gx2, gy2) = Self.box(gt, j)
                let ga = (gx2 - gx1) * (gy2 - gy1)
                guard gx2 > gx1, gy2 > gy1 else { continue }
                var bj: Float = 0
                let jj = Int32(j)
                Self.forEachRun(anchors, gx1, gy1, gx2, gy2) { s, e in
                    var i = s
                    var bj16 = SIMD16<Float>(repeating: 0)
                    while i + 16 <= e {
                        let iou = boxIoU16(ax1, ay1, ax2, ay2, aa, i, gx1, gy1, gx2, gy2, ga)
                        let b = UnsafeRawPointer(best.baseAddress! + i).loadUnaligned(as: SIMD16<Float>.self)
                        let better = iou .> b
                        UnsafeMutableRawPointer(best.baseAddress! + i).storeBytes(of: b.replacing(with: iou, where: better), as: SIMD16<Float>.self)
                        let g = UnsafeRawPointer(arg.baseAddress! + i).loadUnaligned(as: SIMD16<Int32>.self)
                        UnsafeMutableRawPointer(arg.baseAddress! + i).storeBytes(of: g.replacing(with: jj, where: better), as: SIMD16<Int32>.self)
                        bj16 = bj16.replacing(with: iou, where: iou .> bj16)
                        i += 16
                    }
                    bj = max(bj, bj16.max())
                    while i < e {
                        let iou = boxIoU(ax1[i], ay1[i], ax2[i], ay2[i], aa[i], gx1, gy1, gx2, gy2, ga)
                        if iou > best[i] { best[i] = iou; arg[i] = jj }
                        bj = max(bj, iou)
                        i += 1
                    }
                }
                gtBest[j] = bj
            }
            boxBest = gtBest
            // 2. Thresholds (counting as we go; passes 3 and 4 adjust the counts per change).
            (positives, ignored) = Self.threshold(best.baseAddress!, arg.baseAddress!, matches.baseAddress!, n, fg: fg, bg: bg)
            // 3. Low-quality matches.
            if lowQuality != .none {
                let requireBand = lowQuality == .detectron
                for j in 0..<gt.count where !gt.isCrowd[j] && gtBest[j] > 0 {
                    let (gx1, gy1, gx2, gy2) = Self.box(gt, j)
                    let ga = (gx2 - gx1) * (gy2 - gy1)
                    let bj = gtBest[j]
                    Self.forEachRun(anchors, gx1, gy1, gx2, gy2) { s, e in
                        var i = s
                        while i < e {
                            // Blocks of 16 with no tie are skipped without looking at single anchors.
                            if i + 16 <= e, !any(boxIoU16(ax1, ay1, ax2, ay2, aa, i, gx1, gy1, gx2, gy2, ga) .== bj) {
                                i += 16; continue
                            }
                            let end = min(e, i + 16)
                            for t in i..<end where boxIoU(ax1[t], ay1[t], ax2[t], ay2[t], aa[t], gx1, gy1, gx2, gy2, ga) == bj {
                                if (!requireBand || best[t] >= bg) && matches[t] < 0 {
                                    positives += 1
                                    if matches[t] == AnchorAssignment.ignored { ignored -= 1 }
                                    matches[t] = arg[t]
                                }
                            }
                            i = end
                        }
                    }
                }
            }
            // 4. Crowd regions.
            if case let .ignoreRegions(minOverlap) = crowd {
                for j in 0..<gt.count where gt.isCrowd[j] {
                    let (gx1, gy1, gx2, gy2) = Self.box(gt, j)
                    guard gx2 > gx1, gy2 > gy1 else { continue }
                    Self.forEachRun(anchors, gx1, gy1, gx2, gy2) { s, e in
                        for i in s..<e where matches[i] == AnchorAssignment.background {
                            if boxIntersectionOverFirst(ax1[i], ay1[i], ax2[i], ay2[i], aa[i], gx1, gy1, gx2, gy2) > minOverlap {
                                matches[i] = AnchorAssignment.ignored
                                ignored += 1
                            }
                        }
                    }
                }
            }
        } } } } } } } }
    }

    /// Labels every anchor from its best IoU; returns (foreground, ignored) counts.
    static func threshold(_ best: UnsafeMutablePointer<Float>, _ arg: UnsafeMutablePointer<Int32>,
                          _ matches: UnsafeMutablePointer<Int32>, _ n: Int, fg: Float, bg: Float) -> (Int, Int) {
        // Explicit SIMD with `.<` masks only (LLVM turns scalar selects back into branches, and
        // `.>=`, `.!` lower to lane loops). Since bg ≤ fg: ignored = #(q < fg) − #(q < bg).
        var i = 0
        var notFg16 = SIMD16<Int32>(repeating: 0), bg16 = SIMD16<Int32>(repeating: 0)
        let zero = SIMD16<Int32>(repeating: 0), one = SIMD16<Int32>(repeating: 1)
        let bgLabel = SIMD16<Int32>(repeating: AnchorAssignment.background)
        let ignoredLabel = SIMD16<Int32>(repeating: AnchorAssignment.ignored)
        let fgv = SIMD16<Float>(repeating: fg), bgv = SIMD16<Float>(repeating: bg)
        while i + 16 <= n {
            let q = UnsafeRawPointer(best + i).loadUnaligned(as: SIMD16<Float>.self)
            let a = UnsafeRawPointer(arg + i).loadUnaligned(as: SIMD16<Int32>.self)
            let notFg = q .< fgv, isBg = q .< bgv
            let m = a.replacing(with: ignoredLabel.replacing(with: bgLabel, where: isBg), where: notFg)
            UnsafeMutableRawPointer(matches + i).storeBytes(of: m, as: SIMD16<Int32>.self)
            notFg16 &+= zero.replacing(with: one, where: notFg)
            bg16 &+= zero.replacing(with: one, where: isBg)
            i += 16
        }
        let notFgCount = notFg16.wrappedSum(), bgCount = bg16.wrappedSum()
        var p = Int32(i) - notFgCount, g = notFgCount - bgCount
        while i < n {
            let q = best[i]
            matches[i] = q >= fg ? arg[i] : (q < bg ? AnchorAssignment.background : AnchorAssignment.ignored)
            p &+= q >= fg ? 1 : 0
            g &+= matches[i] == AnchorAssignment.ignored ? 1 : 0
            i += 1
        }
        return (Int(p), Int(g))
    }

    @inline(__always)
    static func box(_ gt: GroundTruthBoxes, _ j: Int) -> (Float, Float, Float, Float) {
        (gt.boxes[4 * j], gt.boxes[4 * j + 1], gt.boxes[4 * j + 2], gt.boxes[4 * j + 3])
    }

    /// Calls `body(start, end)` for each contiguous run of anchor indices (one grid row of one
    /// level, all A anchors per cell) whose anchors can intersect the box; anchors outside the runs
    /// have zero intersection with it. Ranges are widened by one cell against rounding.
    @inline(__always)
    static func forEachRun(_ anchors: AnchorSet, _ x1: Float, _ y1: Float, _ x2: Float, _ y2: Float,
                           _ body: (Int, Int) -> Void) {
        let a = anchors.anchorsPerLocation
        for (li, level) in anchors.levels.enumerated() {
            var maxW = 0.0, maxH = 0.0
            for c in anchors.cellSizes[li] { maxW = max(maxW, c.width); maxH = max(maxH, c.height) }
            let s = Double(level.stride)
            let c0 = max(0, Int(((Double(x1) - maxW / 2) / s - 0.5).rounded(.down)) - 1)
            let c1 = min(level.columns - 1, Int(((Double(x2) + maxW / 2) / s - 0.5).rounded(.up)) + 1)
            let r0 = max(0, Int(((Double(y1) - maxH / 2) / s - 0.5).rounded(.down)) - 1)
            let r1 = min(level.rows - 1, Int(((Double(y2) + maxH / 2) / s - 0.5).rounded(.up)) + 1)
            guard c0 <= c1, r0 <= r1 else { continue }
            for r in r0...r1 {
                let start = level.offset + (r * level.columns + c0) * a
                body(start, start + (c1 - c0 + 1) * a)
            }
        }
    }
}

/// The result of matching one image: per anchor a box index, background or ignored.
public struct AnchorAssignment: Sendable {
    /// `matches[i]` for a background anchor.
    public static let background: Int32 = -1
    /// `matches[i]` for an ignored anchor (between the thresholds, or in a crowd region).
    public static let ignored: Int32 = -2

    /// Per anchor: index of the matched ground-truth box (≥ 0), `background` or `ignored`.
    public internal(set) var matches: [Int32] = []
    /// Per anchor: best IoU with any non-crowd box (0 if none overlaps).
    public internal(set) var bestIoU: [Float] = []
    /// Per ground-truth box: its best IoU with any anchor (0 for crowd and empty boxes).
    public internal(set) var boxBestIoU: [Float] = []
    /// Per anchor: first box reaching `bestIoU` (−1 if none overlaps); scratch for the rules.
    var bestBox: [Int32] = []
    public internal(set) var positiveCount = 0
    public internal(set) var negativeCount = 0
    public internal(set) var ignoredCount = 0

    public init() {}

    mutating func reset(count n: Int) {
        if matches.count != n {
            matches = [Int32](repeating: 0, count: n)
            bestIoU = [Float](repeating: 0, count: n)
            bestBox = [Int32](repeating: -1, count: n)
        } else {
            for i in 0..<n { bestIoU[i] = 0; bestBox[i] = -1 }
        }
    }

    /// Counts recomputed from `matches` (the matcher maintains them incrementally; tests compare).
    mutating func recount() {
        var p = 0, g = 0
        matches.withUnsafeBufferPointer { m in
            for v in m { p &+= v >= 0 ? 1 : 0; g &+= v == AnchorAssignment.ignored ? 1 : 0 }
        }
        positiveCount = p; ignoredCount = g; negativeCount = matches.count - p - g
    }

    /// Classification target of anchor `i`: class index 0..<K of its box, −1 background, −2 ignored.
    public func classTarget(_ i: Int, classes: [Int32]) -> Int32 {
        let m = matches[i]
        return m >= 0 ? classes[Int(m)] : m
    }
}
