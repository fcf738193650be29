import Foundation

/// A raw output buffer shared by worker threads that write disjoint slots.
struct SharedDoubles: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
}

/// A raw output buffer of integers shared the same way.
struct SharedInts: @unchecked Sendable {
    let base: UnsafeMutablePointer<Int>
}

extension COCOEvaluator {
    /// Evaluates every category (in parallel on `threads` threads), accumulates and summarizes.
    public func run(threads: Int = 1) throws -> COCOEvalSummary {
        let T = parameters.iouThresholds.count, R = parameters.recallThresholds.count
        let A = parameters.areaRanges.count, M = maxDets.count
        let K = gtStart.count - 1
        let precision = UnsafeMutablePointer<Double>.allocate(capacity: T * R * K * A * M)
        precision.initialize(repeating: -1, count: T * R * K * A * M)
        let recall = UnsafeMutablePointer<Double>.allocate(capacity: T * K * A * M)
        recall.initialize(repeating: -1, count: T * K * A * M)
        defer { precision.deallocate(); recall.deallocate() }
        let p = SharedDoubles(base: precision), rc = SharedDoubles(base: recall)
        // Per group: the position in `gts` of a ground truth whose match pycocotools cannot record, or -1.
        let failures = UnsafeMutablePointer<Int>.allocate(capacity: max(1, K))
        failures.initialize(repeating: -1, count: max(1, K))
        defer { failures.deallocate() }
        let fail = SharedInts(base: failures)

        // Largest groups first so two threads finish together.
        let size = (0..<K).map { dtStart[$0 + 1] - dtStart[$0] }
        let work = (0..<K).sorted { (a: Int, b: Int) -> Bool in size[a] > size[b] || (size[a] == size[b] && a < b) }
        let workers = max(1, min(threads, K))
        if workers == 1 {
            for k in work { fail.base[k] = evaluateGroup(k, precision: p, recall: rc) }
        } else {
            let lock = NSLock()
            nonisolated(unsafe) var next = 0
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    lock.lock()
                    let i = next
                    next += 1
                    lock.unlock()
                    if i >= work.count { break }
                    fail.base[work[i]] = evaluateGroup(work[i], precision: p, recall: rc)
                }
            }
        }
        if let k = (0..<K).first(where: { failures[$0] >= 0 }) {
            let (id, index) = unrecordableIds[failures[k]] ?? (0, 0)
            let why = COCOId.matchState(id) == .unsupported
                ? "cocoeval does not reproduce Python's float() on non-ASCII text"
                : "Python cannot convert it to a float (ValueError / OverflowError)"
            throw COCOError(.value, file: groundTruthFile, path: "annotations[\(index)].id",
                            "a detection matches the annotation with id \(COCOId.jsonText(id))"
                            + (parameters.useCategories ? " (category \(COCOId.jsonText(categoryIds[k])))" : "")
                            + ": pycocotools records a match by storing the annotation id in a float array, and \(why); "
                            + "use numeric annotation ids")
        }
        return try COCOEvalSummary(
            parameters: parameters, maxDetections: maxDets, imageIds: imageIds,
            categoryIds: parameters.useCategories ? categoryIds : [-1], categoryNames: categoryNames,
            precision: Array(UnsafeBufferPointer(start: precision, count: T * R * K * A * M)),
            recall: Array(UnsafeBufferPointer(start: recall, count: T * K * A * M)))
    }

    /// pycocotools' `evaluateImg` for every image of group `k`, then `accumulate` for that group.
    /// Returns the position in `gts` of a ground truth whose match pycocotools cannot record
    /// (`COCOId.MatchState` ≥ 2), or -1.
    func evaluateGroup(_ k: Int, precision: SharedDoubles, recall: SharedDoubles) -> Int {
        let T = parameters.iouThresholds.count, A = parameters.areaRanges.count
        let AT = A * T
        let g0 = gtStart[k], g1 = gtStart[k + 1], d0 = dtStart[k], d1 = dtStart[k + 1]

        // Group members sorted by image, keeping list order within an image.
        var gKeys = [UInt64](unsafeUninitializedCapacity: g1 - g0) { b, n in
            for i in 0..<(g1 - g0) { b[i] = UInt64(UInt32(bitPattern: gts[g0 + i].image)) << 32 | UInt64(i) }
            n = g1 - g0
        }
        var dKeys = [UInt64](unsafeUninitializedCapacity: d1 - d0) { b, n in
            for i in 0..<(d1 - d0) { b[i] = UInt64(UInt32(bitPattern: dts[d0 + i].image)) << 32 | UInt64(i) }
            n = d1 - d0
        }
        gKeys.sort(); dKeys.sort()

        // Per evaluated detection (image order, then score rank): score, rank and A×T states
        // (0 = ignored, 1 = true positive, 2 = false positive), layout [entry][a][t].
        var entries = GroupEntries(capacity: d1 - d0, statesPerEntry: AT)
        var npig = [Int](repeating: 0, count: A)
        var s = ImageScratch()
        defer { s.free() }
        var failure = -1
        gts.withUnsafeBufferPointer { gtb in
            dts.withUnsafeBufferPointer { dtb in
                var gi = 0, di = 0
                while gi < gKeys.count || di < dKeys.count {
                    let gImg = gi < gKeys.count ? gKeys[gi] >> 32 : UInt64.max
                    let dImg = di < dKeys.count ? dKeys[di] >> 32 : UInt64.max
                    let img = Swift.min(gImg, dImg)
                    s.gl.count = 0; s.dl.count = 0; s.gPos.count = 0
                    while gi < gKeys.count, gKeys[gi] >> 32 == img {
                        let g = g0 + Int(gKeys[gi] & 0xFFFF_FFFF)
                        s.gl.append(gtb[g]); s.gPos.append(Int32(g)); gi += 1
                    }
                    while di < dKeys.count, dKeys[di] >> 32 == img { s.dl.append(dtb[d0 + Int(dKeys[di] & 0xFFFF_FFFF)]); di += 1 }
                    evaluateImage(&s, entries: &entries, npig: &npig)
                    if s.failure >= 0 && failure < 0 { failure = s.failure }
                }
            }
        }
        accumulateGroup(k, entries: entries, npig: npig, precision: precision, recall: recall)
        entries.free()
        return failure
    }

    /// pycocotools' `evaluateImg` for one image of a group (all area ranges and IoU thresholds).
    private func evaluateImage(_ s: inout ImageScratch, entries: inout GroupEntries, npig: inout [Int]) {
        let iouThrs = parameters.iouThresholds, areas = parameters.areaRanges
        let T = iouThrs.count, A = areas.count, AT = A * T
        let gl = s.gl.base, dl = s.dl.base
        let G = s.gl.count

        // Detections by score, stable (np.argsort(-score, kind='mergesort')), cut at maxDets[-1].
        s.order.count = 0
        for i in 0..<s.dl.count { s.order.append(Int32(i)) }
        var ord = UnsafeMutableBufferPointer(start: s.order.base, count: s.order.count)
        if ord.count > 1 {
            ord.sort { (a: Int32, b: Int32) -> Bool in
                let sa = dl[Int(a)].score, sb = dl[Int(b)].score
                return sa > sb || (sa == sb && a < b)
            }
        }
        let D = Swift.min(ord.count, maxDets[maxDets.count - 1])

        // IoU (maskUtils.bbIou: float64, no +1; a crowd GT's union is the detection's area).
        // Only pairs that can match at some threshold are kept: IoU ≥ the smallest threshold.
        var minThr = 1.0
        for t in iouThrs { minThr = Swift.min(minThr, Swift.min(t, 1 - 1e-10)) }
        s.candStart.count = 0; s.candG.count = 0; s.candIoU.count = 0
        for di in 0..<D {
            s.candStart.append(Int32(s.candG.count))
            let d = dl[Int(ord[di])]
            let da = d.w * d.h
            for g in 0..<G {
                let gt = gl[g]
                let w = Swift.min(d.w + d.x, gt.w + gt.x) - Swift.max(d.x, gt.x)
                var v = 0.0
                if w > 0 {
                    let h = Swift.min(d.h + d.y, gt.h + gt.y) - Swift.max(d.y, gt.y)
                    if h > 0 {
                        let i = w * h
                        let u = gt.crowd ? da : da + gt.w * gt.h - i
                        v = i / u
                    }
                }
                if v >= minThr { s.candG.append(Int32(g)); s.candIoU.append(v) }
            }
        }
        s.candStart.append(Int32(s.candG.count))

        let entryBase = entries.count
        for r in 0..<D { entries.append(score: dl[Int(ord[r])].score, rank: Int32(r)) }
        s.ignored.reserve(G); s.taken.reserve(G * T)
        let ignored = s.ignored.base, taken = s.taken.base
        let candG = s.candG.base, candIoU = s.candIoU.base, candStart = s.candStart.base
        var thresholds = (0..<T).map { Swift.min(iouThrs[$0], 1 - 1e-10) }

        for a in 0..<A {
            let lo = areas[a].min, hi = areas[a].max
            // GT ignore = iscrowd or area outside the range; pycocotools sorts ignored GT last.
            for g in 0..<G {
                let ig = gl[g].crowd || gl[g].area < lo || gl[g].area > hi
                ignored[g] = ig
                if !ig { npig[a] += 1 }
            }
            for j in 0..<(G * T) { taken[j] = false }
            // Detections in score order; per threshold t, `taken[t*G + g]` marks matched GT. The
            // thresholds are independent, so looping t inside d gives pycocotools' result.
            for di in 0..<D {
                let c0 = Int(candStart[di]), c1 = Int(candStart[di + 1])
                let d = dl[Int(ord[di])]
                let outside = d.area < lo || d.area > hi
                let out = entries.states.base + (entryBase + di) * AT + a * T
                if c0 == c1 {
                    // No GT reaches the smallest threshold: unmatched at every threshold.
                    for t in 0..<T { out[t] = outside ? 0 : 2 }
                    continue
                }
                for t in 0..<T {
                    let tk = taken + t * G
                    var best = thresholds[t]
                    var m = -1
                    // Candidates in pycocotools' GT order: non-ignored first, then ignored.
                    pass: for pass in 0..<2 {
                        for c in c0..<c1 {
                            let g = Int(candG[c])
                            if ignored[g] != (pass == 1) { continue }
                            if tk[g] && !gl[g].crowd { continue }
                            if m > -1 && !ignored[m] && ignored[g] { break pass }
                            let v = candIoU[c]
                            if v < best { continue }
                            best = v; m = g
                        }
                    }
                    var isIgnored = false, isMatched = false
                    if m >= 0 {
                        isIgnored = ignored[m]
                        // pycocotools stores the GT id; id 0 reads as "no match"; some ids cannot be stored.
                        let state = gl[m].matchState
                        isMatched = state == 1
                        if state >= 2 && s.failure < 0 { s.failure = Int(s.gPos[m]) }
                        tk[m] = true
                    }
                    if !isMatched && outside { isIgnored = true }
                    out[t] = isIgnored ? 0 : (isMatched ? 1 : 2)
                }
            }
        }
        thresholds.removeAll()
    }

    /// pycocotools' `accumulate` for one group: precision at the recall thresholds and recall.
    ///
    /// Ignored detections leave tp/fp unchanged, so they only repeat the previous (recall,
    /// precision) point; skipping them gives the same interpolated values and the same last recall.
    private func accumulateGroup(_ k: Int, entries: GroupEntries, npig: [Int], precision: SharedDoubles, recall: SharedDoubles) {
        let recThrs = parameters.recallThresholds
        let T = parameters.iouThresholds.count, R = recThrs.count, A = parameters.areaRanges.count, M = maxDets.count
        let K = gtStart.count - 1
        let AT = A * T
        let n = entries.count

        // Stable sort by score, descending, over the (image, rank) concatenation order.
        var order = [Int32](unsafeUninitializedCapacity: n) { b, c in for i in 0..<n { b[i] = Int32(i) }; c = n }
        let score = entries.scores.base
        order.withUnsafeMutableBufferPointer { o in
            o.sort { (a: Int32, b: Int32) -> Bool in
                let sa = score[Int(a)], sb = score[Int(b)]
                return sa > sb || (sa == sb && a < b)
            }
        }
        // Transpose states to [a][t][sorted position] so each pass reads contiguous bytes.
        let states = UnsafeMutablePointer<UInt8>.allocate(capacity: Swift.max(1, n * AT))
        let rank = UnsafeMutablePointer<Int32>.allocate(capacity: Swift.max(1, n))
        var maxRank: Int32 = -1
        for (i, e) in order.enumerated() {
            let src = entries.states.base + Int(e) * AT
            for c in 0..<AT { states[c * n + i] = src[c] }
            rank[i] = entries.ranks[Int(e)]
            maxRank = Swift.max(maxRank, rank[i])
        }
        let rcBuf = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, n))
        let prBuf = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, n))
        defer { states.deallocate(); rank.deallocate(); rcBuf.deallocate(); prBuf.deallocate() }
        let eps = Double.ulpOfOne  // np.spacing(1)

        let compact = UnsafeMutablePointer<UInt8>.allocate(capacity: Swift.max(1, n * AT))
        let kept = UnsafeMutablePointer<Int32>.allocate(capacity: Swift.max(1, n))
        defer { compact.deallocate(); kept.deallocate() }
        for m in 0..<M {
            let cap = maxDets[m]
            // The columns for this maxDets: all detections, or only those ranked below the cap.
            var cols = states, len = n
            if Int(maxRank) >= cap {
                len = 0
                for i in 0..<n where Int(rank[i]) < cap { kept[len] = Int32(i); len += 1 }
                for c in 0..<AT {
                    let src = states + c * n, dst = compact + c * len
                    for j in 0..<len { dst[j] = src[Int(kept[j])] }
                }
                cols = compact
            }
            for a in 0..<A where npig[a] > 0 {
                let np = Double(npig[a])
                for t in 0..<T {
                    let col = cols + (a * T + t) * len
                    // Only true positives raise recall; at each one record (recall, precision).
                    // A false positive's precision never exceeds that of the true positive before
                    // it (same tp, larger denominator), and points with tp = 0 have precision 0,
                    // so the suffix maxima pycocotools samples are maxima over these points.
                    var tp = 0, fp = 0, e = 0
                    var i = 0
                    while i < len {
                        if i + 8 <= len {
                            // Eight states at once: bytes are 0 (ignored), 1 (TP) or 2 (FP).
                            let w = UnsafeRawPointer(col + i).loadUnaligned(as: UInt64.self)
                            if w & 0x0101_0101_0101_0101 == 0 {
                                fp += (w & 0x0202_0202_0202_0202).nonzeroBitCount
                                i += 8
                                continue
                            }
                        }
                        let end = Swift.min(i + 8, len)
                        while i < end {
                            let st = col[i]
                            i += 1
                            if st == 2 { fp += 1 } else if st == 1 {
                                tp += 1
                                let tpd = Double(tp)
                                rcBuf[e] = tpd / np
                                prBuf[e] = tpd / (Double(fp) + tpd + eps)
                                e += 1
                            }
                        }
                    }
                    recall.base[((t * K + k) * A + a) * M + m] = e > 0 ? rcBuf[e - 1] : 0
                    var j = e - 1
                    while j > 0 {
                        if prBuf[j] > prBuf[j - 1] { prBuf[j - 1] = prBuf[j] }
                        j -= 1
                    }
                    for r in 0..<R {
                        // np.searchsorted(rc, recThr, side='left'); pycocotools stops at the first miss.
                        let v = recThrs[r]
                        var lo = 0, hi = e
                        while lo < hi {
                            let mid = (lo + hi) >> 1
                            if rcBuf[mid] < v { lo = mid + 1 } else { hi = mid }
                        }
                        if lo >= e {
                            for r2 in r..<R { precision.base[((t * R + r2) * K + k) * A * M + a * M + m] = 0 }
                            break
                        }
                        precision.base[((t * R + r) * K + k) * A * M + a * M + m] = prBuf[lo]
                    }
                }
            }
        }
    }
}

/// Per-image working memory of one group's evaluation, reused across images.
struct ImageScratch {
    var gl = ScratchBuffer<COCOEvaluator.GTBox>(capacity: 64)
    var dl = ScratchBuffer<COCOEvaluator.DTBox>(capacity: 128)
    var order = ScratchBuffer<Int32>(capacity: 128)
    var candStart = ScratchBuffer<Int32>(capacity: 128)
    var candG = ScratchBuffer<Int32>(capacity: 256)
    var candIoU = ScratchBuffer<Double>(capacity: 256)
    var ignored = ScratchBuffer<Bool>(capacity: 64)
    var taken = ScratchBuffer<Bool>(capacity: 64)
    /// Position in `gts` of each GT of `gl`.
    var gPos = ScratchBuffer<Int32>(capacity: 64)
    /// Position in `gts` of a GT whose match pycocotools cannot record, or -1.
    var failure = -1

    func free() {
        gl.free(); dl.free(); order.free(); candStart.free(); candG.free(); candIoU.free(); ignored.free(); taken.free(); gPos.free()
    }
}

/// A group's evaluated detections: score, rank within its image, and A×T states each.
struct GroupEntries {
    var scores: ScratchBuffer<Double>
    var ranks: ScratchBuffer<Int32>
    var states: ScratchBuffer<UInt8>
    let statesPerEntry: Int

    init(capacity: Int, statesPerEntry: Int) {
        scores = ScratchBuffer(capacity: capacity); ranks = ScratchBuffer(capacity: capacity)
        states = ScratchBuffer(capacity: capacity * statesPerEntry); self.statesPerEntry = statesPerEntry
    }

    var count: Int { scores.count }

    mutating func append(score: Double, rank: Int32) {
        scores.append(score); ranks.append(rank)
        states.reserve((scores.count) * statesPerEntry)
        states.count = scores.count * statesPerEntry
    }

    func free() { scores.free(); ranks.free(); states.free() }
}
