extension ConvKernels {
    /// K block (output positions) of the weight-gradient GEMM: a packed 32-column dy panel
    /// (16 KiB) and a 16-row A block (8 KiB) stay in L1 together.
    static let weightGradKC = 128

    /// dW[O, C·k·k] += dy_grid · im2col_gridᵀ on the padded grid (stride 1), as the transposed product
    /// dWᵀ[patch × O] = Y[patch × q] · dy_gridᵀ[q × O] with the 8×32 broadcast microkernel:
    /// A panels are shifted input rows (or phase-plane rows for stride 2) transposed per K block,
    /// B is dy_gridᵀ (O ≤ a few hundred columns, packed per K block). Threads split the patch rows.
    static func weightGradShiftedGEMM(xp: UnsafePointer<Float>, rowOffset off: UnsafePointer<Int>, patch m: Int,
                                      gridColumns kTotal: Int, dyGrid: UnsafePointer<Float>, ldx: Int, outChannels o: Int,
                                      dw: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        weightGradGEMM(rows: .shifted(xp, off), patch: m, positions: kTotal, dy: dyGrid, ldy: ldx, outChannels: o,
                       dw: dw, ctx: ctx)
    }

    /// Where the weight-gradient GEMM reads its patch rows (one value per output position).
    enum PatchRows {
        /// Row r is the contiguous slice base[offset[r] …] (padded grid, stride 1).
        case shifted(UnsafePointer<Float>, UnsafePointer<Int>)
        /// Row r is im2col(x) row r, gathered per K block (any stride / padding).
        case im2col(UnsafePointer<Float>, ConvGeometry)
    }

    /// dW[O, m] += dy[O, positions] · rows[m, positions]ᵀ via dWᵀ = rows · dyᵀ with the 8×32
    /// microkernel. Per K block of positions (fixed size, not derived from the thread count), the
    /// patch rows are packed 16 at a time (two 8-row A panels side by side) and dy 16 channels at
    /// a time by in-register 16×16 transposes; threads split the 16-row groups, so every dW
    /// value is computed by the same operations whatever the thread count. dy is packed once per
    /// K block into a buffer the threads share (a super-block of up to `weightGradSuperBytes` at a
    /// time, the threads splitting its K blocks), not once per thread: with few patch rows (the
    /// stem's 147, a 1×1 conv's C) that packing is a large part of the work.
    static func weightGradGEMM(rows src: PatchRows, patch m: Int, positions kTotal: Int, dy dyGrid: UnsafePointer<Float>,
                               ldy ldx: Int, outChannels o: Int, dw: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        let nr = SGEMM.nr, kcB = weightGradKC
        let nPad = (o + nr - 1) / nr * nr
        let groups = (m + 15) / 16
        let chunks = min(ctx.threads, groups)
        let ct = ctx.scratch2.get(groups * 16 * nPad)
        let apack = ctx.weightScratch.get(chunks * 16 * kcB)
        let superBlocks = max(1, min(32, weightGradSuperBytes / (4 * kcB * nPad)))
        let bpack = ctx.padScratch2.get(superBlocks * kcB * nPad)
        var gather: UnsafeMutablePointer<Float>? = nil
        if case .im2col = src { gather = ctx.scratch.get(chunks * 16 * kcB) }
        let gatherC = gather
        var pc0 = 0
        while pc0 < kTotal {
            let span = min(superBlocks * kcB, kTotal - pc0)
            let blocks = (span + kcB - 1) / kcB
            let start = pc0
            ctx.parallelRanges(blocks) { range in
                for b in range {
                    let pc = start + b * kcB
                    packTransposedRows(dyGrid + pc, ld: ldx, rows: o, paddedRows: nPad, len: min(kcB, kTotal - pc),
                                       readable: kTotal - pc, into: bpack + b * kcB * nPad)
                }
            }
            ctx.parallel(chunks) { t in
                let g0 = groups * t / chunks, g1 = groups * (t + 1) / chunks
                let pa = apack + t * 16 * kcB
                withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: 16) { rowPtr in
                    for b in 0..<blocks {
                        let pc = start + b * kcB
                        let kc = min(kcB, kTotal - pc)
                        let pb = bpack + b * kcB * nPad
                        for ig in g0..<g1 {
                            let r0 = ig * 16, rows = min(16, m - r0)
                            switch src {
                            case .shifted(let xp, let off):
                                for i in 0..<rows { rowPtr[i] = xp + off[r0 + i] + pc }
                            case .im2col(let x, let g):
                                let buf = gatherC! + t * 16 * kcB
                                im2colRows(x, g, rows: r0..<(r0 + rows), q0: pc, len: kc, into: buf, ld: kcB)
                                for i in 0..<rows { rowPtr[i] = UnsafePointer(buf + i * kcB) }
                            }
                            packRows16(rowPtr.baseAddress!, count: rows, len: kc, readable: Int.max, into: pa)
                            var half = 0
                            while half * 8 < rows {
                                for jr in 0..<(nPad / nr) {
                                    SGEMM.kernel8x32(kc, UnsafePointer(pa + half * 8), UnsafePointer(pb + jr * nr * kc),
                                                     ct + (r0 + half * 8) * nPad + jr * nr, nPad, mr: min(8, rows - half * 8),
                                                     nr: nr, beta: pc > 0, aStride: 16)
                                }
                                half += 1
                            }
                        }
                    }
                }
            }
            pc0 += span
        }
        addTransposed(UnsafePointer(ct), ld: nPad, rows: m, cols: o, into: dw, ctx: ctx)
    }

    /// Bytes of packed dy per super-block of `weightGradGEMM` (shared by the threads, in L2).
    static let weightGradSuperBytes = 512 * 1024

    /// dst[j·rows + i] += src[i·ld + j] for i < rows, j < cols (16×16 in-register transposes;
    /// threads split the 16-column blocks, so each dst value gets the same single add).
    static func addTransposed(_ src: UnsafePointer<Float>, ld: Int, rows: Int, cols: Int, into dst: UnsafeMutablePointer<Float>,
                              ctx: ComputeContext) {
        typealias V = SIMD16<Float>
        let blocks = (cols + 15) / 16
        ctx.parallelRanges(blocks) { range in
            withUnsafeTemporaryAllocation(of: V.self, capacity: 16) { tb in
                let t = tb.baseAddress!
                for jb in range {
                    let j0 = jb * 16, cj = min(16, cols - j0)
                    var i0 = 0
                    while i0 < rows {
                        let ri = min(16, rows - i0)
                        for i in 0..<16 { t[i] = i < ri ? Transpose16.loadPartial(src + (i0 + i) * ld + j0, cj) : V() }
                        Transpose16.transpose(t)
                        for j in 0..<cj {
                            let d = dst + (j0 + j) * rows + i0
                            if ri == 16 {
                                Transpose16.store(Transpose16.load(d) + t[j], d)
                            } else {
                                for i in 0..<ri { d[i] += t[j][i] }
                            }
                        }
                        i0 += 16
                    }
                }
            }
        }
    }

    /// dst[p·16 + i] = rows[i][p] for p < len, i < 16 (rows ≥ count are zero). Rows are read with
    /// whole vectors up to ⌈len/16⌉·16 floats while that stays within `readable` floats (values
    /// past `len` are loaded but not stored), element by element after that.
    static func packRows16(_ rows: UnsafePointer<UnsafePointer<Float>>, count: Int, len: Int, readable: Int,
                           into dst: UnsafeMutablePointer<Float>) {
        typealias V = SIMD16<Float>
        withUnsafeTemporaryAllocation(of: V.self, capacity: 16) { tb in
            let t = tb.baseAddress!
            for i in count..<16 { t[i] = V() }
            var p = 0
            while p < len {
                if p + 16 <= readable {
                    for i in 0..<count { t[i] = UnsafeRawPointer(rows[i] + p).loadUnaligned(as: V.self) }
                } else {
                    for i in 0..<count { t[i] = Transpose16.loadPartial(rows[i] + p, readable - p) }
                }
                Transpose16.transpose(t)
                let lim = min(16, len - p)
                let d = UnsafeMutableRawPointer(dst + p * 16)
                for j in 0..<lim { d.storeBytes(of: t[j], toByteOffset: j * 64, as: V.self) }
                if count < 16 { for i in count..<16 { t[i] = V() } }
                p += 16
            }
        }
    }

    /// B panels of dyᵀ: dst[(j / 32)·32·len + p·32 + j % 32] = src[j·ld + p] for j < rows,
    /// 0 for rows ≤ j < paddedRows (a multiple of 32); p < len. Only `readable` floats of each
    /// source row are read.
    static func packTransposedRows(_ src: UnsafePointer<Float>, ld: Int, rows: Int, paddedRows: Int, len: Int,
                                   readable: Int, into dst: UnsafeMutablePointer<Float>) {
        typealias V = SIMD16<Float>
        let nr = SGEMM.nr
        withUnsafeTemporaryAllocation(of: V.self, capacity: 16) { tb in
            let t = tb.baseAddress!
            var j0 = 0
            while j0 < paddedRows {
                let cnt = max(0, min(16, rows - j0))
                let d0 = dst + (j0 / nr) * nr * len + (j0 % nr)
                var p = 0
                while p < len {
                    let avail = readable - p
                    for i in 0..<16 {
                        t[i] = i < cnt ? Transpose16.loadPartial(src + (j0 + i) * ld + p, avail) : V()
                    }
                    Transpose16.transpose(t)
                    let lim = min(16, len - p)
                    for j in 0..<lim { UnsafeMutableRawPointer(d0 + (p + j) * nr).storeBytes(of: t[j], as: V.self) }
                    p += 16
                }
                j0 += 16
            }
        }
    }
}
