import Foundation

/// A raw output buffer shared by worker threads that write disjoint slots.
struct SharedDoubles: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
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

        // Largest groups first so two threads finish together.
        let size = (0..<K).map { dtStart[$0 + 1] - dtStart[$0] }
        let work = (0..<K).sorted { (a: Int, b: Int) -> Bool in size[a] > size[b] || (size[a] == size[b] && a < b) }
        let workers = max(1, min(threads, K))
        if workers == 1 {
            for k in work { evaluateGroup(k, precision: p, recall: rc) }
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
                    evaluateGroup(work[i], precision: p, recall: rc)
                }
            }
        }
        return try COCOEvalSummary(
            parameters: parameters, maxDetections: maxDets, imageIds: imageIds,
            categoryIds: parameters.useCategories ? categoryIds : [-1], categoryNames: categoryNames,
            precision: Array(UnsafeBufferPointer(start: precision, count: T * R * K * A * M)),
            recall: Array(UnsafeBufferPointer(start: recall, count: T * K * A * M)))
    }

    /// pycocotools' `evaluateImg` for every image of group `k`, then `accumulate` for that group.
    func evaluateGroup(_ k: Int, precision: SharedDoubles, recall: SharedDoubles) {
        let iouThrs = parameters.iouThresholds, recThrs = parameters.recallThresholds
        let areas = parameters.areaRanges
        let T = iouThrs.count, R = recThrs.count, A = areas.count, M = maxDets.count
        let K = gtStart.count - 1
        let AT = A * T
        let maxDetLast = maxDets[M - 1]
        let thresholds = iouThrs.map { Swift.min($0, 1 - 1e-10) }

        // Group members sorted by image, keeping list order within an image.
        let g0 = gtStart[k], g1 = gtStart[k + 1], d0 = dtStart[k], d1 = dtStart[k + 1]
        var gKeys = [UInt64](unsafeUninitializedCapacity: g1 - g0) { b, n in
            for i in 0..<(g1 - g0) { b[i] = UInt64(gts[g0 + i].image) << 32 | UInt64(i) }
            n = g1 - g0
        }
        var dKeys = [UInt64](unsafeUninitializedCapacity: d1 - d0) { b, n in
            for i in 0..<(d1 - d0) { b[i] = UInt64(dts[d0 + i].image) << 32 | UInt64(i) }
            n = d1 - d0
        }
        gKeys.sort(); dKeys.sort()

        // Per evaluated detection (image order, then score rank): score, rank, A×T states
        // (0 = ignored, 1 = true positive, 2 = false positive).
        var eScore: [Double] = []; eScore.reserveCapacity(d1 - d0)
        var eRank: [Int32] = []; eRank.reserveCapacity(d1 - d0)
        var eState: [UInt8] = []; eState.reserveCapacity((d1 - d0) * AT)
        var npig = [Int](repeating: 0, count: A)

        // Per-image scratch.
        var gl: [GTBox] = [], dl: [DTBox] = [], dOrder: [Int] = []
        var ious: [Double] = [], ignored: [Bool] = [], perm: [Int] = [], taken: [Bool] = []
        var gi = 0, di = 0
        while gi < gKeys.count || di < dKeys.count {
            let gImg = gi < gKeys.count ? gKeys[gi] >> 32 : UInt64.max
            let dImg = di < dKeys.count ? dKeys[di] >> 32 : UInt64.max
            let img = Swift.min(gImg, dImg)
            gl.removeAll(keepingCapacity: true); dl.removeAll(keepingCapacity: true)
            while gi < gKeys.count, gKeys[gi] >> 32 == img { gl.append(gts[g0 + Int(gKeys[gi] & 0xFFFF_FFFF)]); gi += 1 }
            while di < dKeys.count, dKeys[di] >> 32 == img { dl.append(dts[d0 + Int(dKeys[di] & 0xFFFF_FFFF)]); di += 1 }

            // Detections by score, stable (np.argsort(-score, kind='mergesort')), cut at maxDets[-1].
            dOrder.removeAll(keepingCapacity: true)
            dOrder.append(contentsOf: 0..<dl.count)
            dl.withUnsafeBufferPointer { db in
                dOrder.sort { db[$0].score > db[$1].score || (db[$0].score == db[$1].score && $0 < $1) }
            }
            let D = Swift.min(dOrder.count, maxDetLast)
            let G = gl.count

            // IoU (maskUtils.bbIou): float64, no +1; a crowd GT's union is the detection's area.
            ious.removeAll(keepingCapacity: true)
            ious.reserveCapacity(D * G)
            for di in 0..<D {
                let d = dl[dOrder[di]]
                let da = d.w * d.h
                for g in gl {
                    let w = Swift.min(d.w + d.x, g.w + g.x) - Swift.max(d.x, g.x)
                    var v = 0.0
                    if w > 0 {
                        let h = Swift.min(d.h + d.y, g.h + g.y) - Swift.max(d.y, g.y)
                        if h > 0 {
                            let i = w * h
                            let u = g.crowd ? da : da + g.w * g.h - i
                            v = i / u
                        }
                    }
                    ious.append(v)
                }
            }

            let entryBase = eScore.count
            for r in 0..<D {
                eScore.append(dl[dOrder[r]].score); eRank.append(Int32(r))
            }
            eState.append(contentsOf: repeatElement(0, count: D * AT))

            for a in 0..<A {
                let lo = areas[a].min, hi = areas[a].max
                // GT ignore flags; non-ignored first, stable (np.argsort(_ignore, kind='mergesort')).
                ignored.removeAll(keepingCapacity: true)
                perm.removeAll(keepingCapacity: true)
                for g in gl { ignored.append(g.crowd || g.area < lo || g.area > hi) }
                for g in 0..<G where !ignored[g] { perm.append(g) }
                let notIgnored = perm.count
                for g in 0..<G where ignored[g] { perm.append(g) }
                npig[a] += notIgnored
                for t in 0..<T {
                    taken.removeAll(keepingCapacity: true)
                    taken.append(contentsOf: repeatElement(false, count: G))
                    for di in 0..<D {
                        var best = thresholds[t]
                        var m = -1
                        for p in 0..<G {
                            let g = perm[p]
                            if taken[p] && !gl[g].crowd { continue }
                            if m > -1 && p >= notIgnored && m < notIgnored { break }
                            let v = ious[di * G + g]
                            if v < best { continue }
                            best = v; m = p
                        }
                        var isIgnored = false, isMatched = false
                        if m >= 0 {
                            let g = perm[m]
                            isIgnored = ignored[g]
                            isMatched = gl[g].idNonZero
                            taken[m] = true
                        }
                        if !isMatched {
                            let d = dl[dOrder[di]]
                            let da = d.w * d.h
                            if da < lo || da > hi { isIgnored = true }
                        }
                        eState[(entryBase + di) * AT + a * T + t] = isIgnored ? 0 : (isMatched ? 1 : 2)
                    }
                }
            }
        }

        // accumulate: all of the group's detections by score, stable over (image, rank) order.
        let n = eScore.count
        var order = [Int32](unsafeUninitializedCapacity: n) { b, c in for i in 0..<n { b[i] = Int32(i) }; c = n }
        eScore.withUnsafeBufferPointer { s in
            order.sort { s[Int($0)] > s[Int($1)] || (s[Int($0)] == s[Int($1)] && $0 < $1) }
        }
        var kept: [Int32] = []; kept.reserveCapacity(n)
        var rcBuf = [Double](repeating: 0, count: n), prBuf = [Double](repeating: 0, count: n)
        let eps = Double.ulpOfOne  // np.spacing(1)
        for m in 0..<M {
            kept.removeAll(keepingCapacity: true)
            let cap = maxDets[m]
            for e in order where Int(eRank[Int(e)]) < cap { kept.append(e) }
            let nd = kept.count
            for a in 0..<A where npig[a] > 0 {
                let np = Double(npig[a])
                for t in 0..<T {
                    var tp = 0.0, fp = 0.0
                    let col = a * T + t
                    for i in 0..<nd {
                        let s = eState[Int(kept[i]) * AT + col]
                        if s == 1 { tp += 1 } else if s == 2 { fp += 1 }
                        rcBuf[i] = tp / np
                        prBuf[i] = tp / (fp + tp + eps)
                    }
                    recall.base[((t * K + k) * A + a) * M + m] = nd > 0 ? rcBuf[nd - 1] : 0
                    var i = nd - 1
                    while i > 0 {
                        if prBuf[i] > prBuf[i - 1] { prBuf[i - 1] = prBuf[i] }
                        i -= 1
                    }
                    for r in 0..<R {
                        // np.searchsorted(rc, recThr, side='left'); stop at the first index past the end.
                        let v = recThrs[r]
                        var lo = 0, hi = nd
                        while lo < hi {
                            let mid = (lo + hi) >> 1
                            if rcBuf[mid] < v { lo = mid + 1 } else { hi = mid }
                        }
                        let slot = ((t * R + r) * K + k) * A * M + a * M + m
                        if lo >= nd {
                            for r2 in r..<R { precision.base[((t * R + r2) * K + k) * A * M + a * M + m] = 0 }
                            break
                        }
                        precision.base[slot] = prBuf[lo]
                    }
                }
            }
        }
    }
}
