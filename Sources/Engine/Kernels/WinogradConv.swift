/// Winograd F(4×4, 3×3) convolutions (stride 1, padding 1) on CNHW activations: forward, input
/// gradient and weight gradient, over one map or several maps of the same batch (RetinaNet head
/// levels). See `Winograd` for the transforms and `WinogradPlan` for the layouts.
///
/// Pipeline: the input is transposed into the zero-bordered 16-channel-blocked layout once; tiles
/// are processed in chunks: input transform → 36 GEMMs (tiles × C_in)·(C_in × C_out) in the
/// transform domain → output transform; then the blocked output is transposed back to CNHW with
/// bias and ReLU fused. Chunks keep one transform-domain slice (tiles × channels for one ξ) in
/// L1/L2. Work is split over output elements only (tiles, channel blocks, ξ); the weight gradient
/// sums a fixed number of tile groups (1 or 2, by tile count only), so results do not depend on
/// the thread count.
enum WinogradConv {
    typealias V = SIMD16<Float>

    /// Whether a convolution can use this path: 3×3, stride 1, padding 1, C_in a multiple of 16.
    static func supports(kernel: Int, stride: Int, padding: Int, inChannels: Int) -> Bool {
        kernel == 3 && stride == 1 && padding == 1 && inChannels % 16 == 0
    }

    @inline(__always) static func round(_ x: Int, _ m: Int) -> Int { (x + m - 1) / m * m }

    /// Tiles per chunk of the forward-type pipeline: the chunk's transformed inputs and outputs
    /// (36 ξ × tiles × channels) stay within ≈ 192 KiB of L2 beside the transformed weights.
    nonisolated(unsafe) static var forwardChunkBytes = 196_608
    /// Tiles per chunk of the weight gradient: each GEMM call runs over the chunk's tiles (its K),
    /// so larger chunks amortise the accumulator reads; the chunk itself streams through L3.
    nonisolated(unsafe) static var weightGradChunkTiles = 64
    /// Few tiles, many channels (stage 4 at 256²: 32 tiles of 256 channels):
    /// when the transformed weights (36·C_in·C_out floats) are more than twice the transform-domain
    /// data of all tiles (36·tiles·(C_in + C_out)), run all tiles as one chunk so the weights stream
    /// from L3 once instead of once per chunk (256→256 on 32 tiles: 6.3 → 3.8 ms; 128→128 on 32
    /// tiles, ratio 2, measured no gain). False: L2-sized chunks always (A/B runs).
    nonisolated(unsafe) static var weightStationary = true

    static func chunkTiles(_ a: Int, _ b: Int) -> Int { max(8, min(256, forwardChunkBytes / (144 * (a + b)) / 8 * 8)) }

    /// Float stride between the ξ slices of a chunk: one cache line more than the slice, so the 36
    /// slices a transform reads or writes fall into different L1/L2 sets.
    @inline(__always) static func sliceStride(_ floats: Int) -> Int { round(floats, 16) + 16 }

    /// Float stride between the ξ slices of transformed weights (`forwardWeights`,
    /// `inputGradWeights`) for a convolution `cIn` → `cOut`: padded by one cache line like the
    /// chunk slices — unpadded, 64×64 weights put the 36 slices 16 KiB apart and 256×256 ones
    /// 256 KiB apart, so the transform's 36 stores per tile all hit one L1 (and L2) set.
    @inline(__always) static func weightSliceStride(cIn: Int, cOut: Int) -> Int { sliceStride(round(cOut, 32) * round(cIn, 16)) }

    /// Floats to allocate for transformed weights of a convolution `cIn` → `cOut`.
    static func weightsCount(cIn: Int, cOut: Int) -> Int { 36 * weightSliceStride(cIn: cIn, cOut: cOut) + 64 }

    // MARK: layout passes

    /// CNHW maps (level l: `sources[l]`, C channels of N·H_l·W_l) → blocked padded buffer.
    static func pack(_ plan: WinogradPlan, sources: [UnsafePointer<Float>], channels c: Int,
                     into buf: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        let nb = (c + 15) / 16, blocks = plan.blocks, pv = plan.padVectors, off = plan.posOffset
        let srcs = UncheckedSendable(sources)
        let levelCounts = plan.levels.map { plan.batch * $0.h * $0.w }
        ctx.parallelRanges(nb * blocks.count) { range in
            withUnsafeTemporaryAllocation(of: V.self, capacity: 16) { tb in
                let t = tb.baseAddress!
                for item in range {
                    let cb = item / blocks.count, blk = blocks[item % blocks.count]
                    let plane = levelCounts[blk.level]
                    let src = srcs.value[blk.level] + blk.p0
                    for r in 0..<16 {
                        let ch = cb * 16 + r
                        t[r] = ch < c ? Transpose16.loadPartial(src + ch * plane, blk.count) : V()
                    }
                    Transpose16.transpose(t)
                    let base = buf + cb * pv * 16
                    let p0 = plan.levelPositionBase[blk.level] + blk.p0
                    for k in 0..<blk.count { Transpose16.store(t[k], base + Int(off[p0 + k]) * 16) }
                }
            }
        }
    }

    /// Blocked padded buffer → CNHW maps, out = epilogues[l](x) per channel (`ConvEpilogue`:
    /// scale, shift, residual, ReLU; one epilogue for every level when only one is given).
    static func unpack(_ plan: WinogradPlan, _ buf: UnsafePointer<Float>, channels c: Int,
                       into outputs: [UnsafeMutablePointer<Float>], epilogues: [ConvEpilogue],
                       ctx: ComputeContext) {
        let nb = (c + 15) / 16, blocks = plan.blocks, pv = plan.padVectors, off = plan.posOffset
        let outs = UncheckedSendable(outputs), eps = UncheckedSendable(epilogues)
        let levelCounts = plan.levels.map { plan.batch * $0.h * $0.w }
        ctx.parallelRanges(nb * blocks.count) { range in
            withUnsafeTemporaryAllocation(of: V.self, capacity: 16) { tb in
                let t = tb.baseAddress!
                for item in range {
                    let cb = item / blocks.count, blk = blocks[item % blocks.count]
                    let base = buf + cb * pv * 16
                    let p0 = plan.levelPositionBase[blk.level] + blk.p0
                    for k in 0..<16 { t[k] = k < blk.count ? Transpose16.load(base + Int(off[p0 + k]) * 16) : V() }
                    Transpose16.transpose(t)
                    let plane = levelCounts[blk.level]
                    let dst = outs.value[blk.level] + blk.p0
                    let ep = eps.value[eps.value.count == 1 ? 0 : blk.level]
                    for r in 0..<min(16, c - cb * 16) {
                        let ch = cb * 16 + r
                        let res = ep.residual.map { Transpose16.loadPartial($0 + blk.p0 + ch * plane, blk.count) } ?? V()
                        Transpose16.storePartial(ep.apply(t[r], channel: ch, residual: res), dst + ch * plane, blk.count)
                    }
                }
            }
        }
    }

    // MARK: weights

    /// Forward B operand: U[ξ][o-panel of 32][c][32] = G w(o, c) Gᵀ (zero for c ≥ C or o ≥ O16).
    static func forwardWeights(_ w: UnsafePointer<Float>, outChannels o: Int, inChannels c: Int,
                               into u: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                               ctx: ComputeContext) {
        let o16 = round(o, 16), o32 = round(o, 32), xiStride = weightSliceStride(cIn: c, cOut: o)
        // scratch = w as [o-panel of 32][(c, k)][32] (columns past O zero up to O16): the transform
        // below reads each panel's taps front to back (a [(c, k)][o] layout was read 128 of every
        // O·4 bytes, a cache miss per tap for wide convolutions).
        let panels = o32 / 32
        ctx.parallelRanges(panels) { range in
            for p in range {
                let rows = min(32, o - 32 * p)
                Transpose16.matrix(w + 32 * p * c * 9, rows: rows, cols: c * 9, lds: c * 9, srcCount: (o - 32 * p) * c * 9,
                                   into: scratch + p * c * 9 * 32, ldd: 32)
            }
        }
        let src = UnsafePointer(scratch)
        // Panel-major order: each of the 36 output streams advances by whole 128-byte panel rows.
        ctx.parallelRanges(c) { range in
            withUnsafeTemporaryAllocation(of: V.self, capacity: 36) { tb in
                for p in 0..<panels {
                    for ci in range {
                        for half in 0..<min(2, o16 / 16 - 2 * p) {
                            Winograd.weightTile(src + (p * c + ci) * 9 * 32 + half * 16, srcStride: 32, flip: false,
                                                u + p * c * 32 + ci * 32 + half * 16, dstStride: xiStride, scratch: tb.baseAddress!)
                        }
                    }
                }
            }
        }
        if o32 > o16 {  // unused half panel: keep it finite
            for xi in 0..<36 { for ci in 0..<c { (u + xi * xiStride + (o32 / 32 - 1) * c * 32 + ci * 32 + 16).update(repeating: 0, count: 16) } }
        }
    }

    /// Input-gradient B operand: U'[ξ][c-panel of 32][o][32] = G flip(w(o, c)) Gᵀ (rows o ≥ O zero).
    static func inputGradWeights(_ w: UnsafePointer<Float>, outChannels o: Int, inChannels c: Int,
                                 into u: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                                 ctx: ComputeContext) {
        let o16 = round(o, 16), c32 = round(c, 32), panels = c32 / 32
        let xiStride = weightSliceStride(cIn: o16, cOut: c32)
        let total = o * c * 9
        ctx.parallelRanges(o16) { range in
            // scratch = w as [c-panel of 32][o][k][32] (channels past C zero up to C16), each thread
            // its own o: the transform then reads every kernel's nine taps as one contiguous run.
            for oi in range where oi < o {
                for p in 0..<panels {
                    let src = w + (oi * c + 32 * p) * 9
                    Transpose16.matrix(src, rows: min(32, c - 32 * p), cols: 9, lds: 9, srcCount: total - (oi * c + 32 * p) * 9,
                                       into: scratch + (p * o + oi) * 9 * 32, ldd: 32)
                }
            }
            let taps = UnsafePointer(scratch)
            withUnsafeTemporaryAllocation(of: V.self, capacity: 36) { tb in
                for p in 0..<panels {
                    for oi in range {
                        for half in 0..<2 {
                            let cb = 2 * p + half
                            let dst = u + p * o16 * 32 + oi * 32 + half * 16
                            if oi >= o || cb * 16 >= c {
                                for xi in 0..<36 { (dst + xi * xiStride).update(repeating: 0, count: 16) }
                                continue
                            }
                            Winograd.weightTile(taps + (p * o + oi) * 9 * 32 + half * 16, srcStride: 32, flip: true, dst,
                                                dstStride: xiStride, scratch: tb.baseAddress!)
                        }
                    }
                }
            }
        }
    }

    /// Floats of scratch that `forwardWeights` and `inputGradWeights` need for a C → O convolution.
    static func weightScratchCount(cIn c: Int, cOut o: Int) -> Int { 9 * max(round(o, 32) * c, round(c, 32) * o) + 64 }

    // MARK: forward-type convolution (forward and input gradient)

    /// out (padded blocked, `cOut` channels) = conv(in (padded blocked, `cIn` channels)) with the
    /// transformed weights `u` (layout of `forwardWeights`: [ξ][cOut32/32][cIn16][32]).
    static func convolve(_ plan: WinogradPlan, input: UnsafePointer<Float>, cIn: Int, u: UnsafePointer<Float>,
                         cOut: Int, output: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        let cin16 = round(cIn, 16), cout16 = round(cOut, 16), cout32 = round(cOut, 32)
        let nbIn = cin16 / 16, nbOut = cout16 / 16, panels = cout32 / 32
        let tiles = plan.tiles, pv = plan.padVectors
        let tc = weightStationary && cin16 * cout32 > 2 * tiles * (cin16 + cout32)
            ? round(tiles, 8) : min(chunkTiles(cin16, cout32), round(tiles, 8))
        let nChunks = (tiles + tc - 1) / tc
        let vs = sliceStride(tc * cin16), ms = sliceStride(tc * cout32)
        let perThread = 36 * (vs + ms) + 64
        let parts = min(ctx.threads, nChunks)
        let scratch = ctx.winograd.get(max(parts, 1) * perThread)
        let uStride = weightSliceStride(cIn: cin16, cOut: cout32)
        let tOff = plan.tileOffset, tRow = plan.tileRow

        @inline(__always) func inputTransform(_ v: UnsafeMutablePointer<Float>, _ t0: Int, _ tn: Int, _ cbs: Range<Int>,
                                              _ tmp: UnsafeMutablePointer<V>) {
            for tt in 0..<tn {
                let t = t0 + tt
                for cb in cbs {
                    Winograd.inputTile(input + (cb * pv + Int(tOff[t])) * 16, rowStride: Int(tRow[t]), v + tt * cin16 + cb * 16,
                                       dstStride: vs, scratch: tmp)
                }
            }
        }
        @inline(__always) func gemm(_ v: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ tn: Int,
                                    _ xis: Range<Int>) {
            for xi in xis {
                let a = UnsafePointer(v + xi * vs), ub = u + xi * uStride, c = m + xi * ms
                for jr in 0..<panels {
                    var kb = 0
                    while kb < cin16 {
                        let kc = min(128, cin16 - kb)
                        let b = ub + jr * cin16 * 32 + kb * 32
                        var ir = 0
                        while ir < tn {
                            SGEMM.kernelRowsA(kc, a + ir * cin16 + kb, cin16, b, 32, c + ir * cout32 + jr * 32, cout32,
                                              rows: min(8, tn - ir), beta: kb > 0)
                            ir += 8
                        }
                        kb += kc
                    }
                }
            }
        }
        @inline(__always) func outputTransform(_ m: UnsafeMutablePointer<Float>, _ t0: Int, _ tn: Int, _ obs: Range<Int>,
                                               _ tmp: UnsafeMutablePointer<V>) {
            for tt in 0..<tn {
                let t = t0 + tt, row = Int(tRow[t])
                for ob in obs {
                    Winograd.outputTile(m + tt * cout32 + ob * 16, srcStride: ms,
                                        output + (ob * pv + Int(tOff[t]) + row + 1) * 16, rowStride: row, scratch: tmp)
                }
            }
        }

        if nChunks >= ctx.threads || ctx.threads == 1 {
            ctx.parallel(parts) { part in
                let v = scratch + part * perThread, m = v + 36 * vs
                withUnsafeTemporaryAllocation(of: V.self, capacity: 36) { tb in
                    let tmp = tb.baseAddress!
                    for chunk in (nChunks * part / parts)..<(nChunks * (part + 1) / parts) {
                        let t0 = chunk * tc, tn = min(tc, tiles - t0)
                        inputTransform(v, t0, tn, 0..<nbIn, tmp)
                        gemm(v, m, tn, 0..<36)
                        outputTransform(m, t0, tn, 0..<nbOut, tmp)
                    }
                }
            }
        } else {
            // Few tiles, wide channels: split each stage over channel blocks / ξ instead.
            let v = scratch, m = v + 36 * vs
            for chunk in 0..<nChunks {
                let t0 = chunk * tc, tn = min(tc, tiles - t0)
                ctx.parallelRanges(nbIn) { r in
                    withUnsafeTemporaryAllocation(of: V.self, capacity: 36) { inputTransform(v, t0, tn, r, $0.baseAddress!) }
                }
                ctx.parallelRanges(36) { r in gemm(v, m, tn, r) }
                ctx.parallelRanges(nbOut) { r in
                    withUnsafeTemporaryAllocation(of: V.self, capacity: 36) { outputTransform(m, t0, tn, r, $0.baseAddress!) }
                }
            }
        }
    }

    // MARK: weight gradient

    /// dW (O, C, 3, 3) += Σ over pixels of dy ⊗ input patches, from the padded blocked input
    /// (`cIn` channels, a multiple of 16) and output gradient (`cOut` channels).
    static func weightGrad(_ plan: WinogradPlan, input: UnsafePointer<Float>, cIn: Int, grad: UnsafePointer<Float>,
                           cOut: Int, dw: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        let cin16 = cIn, cin32 = round(cIn, 32), cout8 = round(cOut, 8), cout16 = round(cOut, 16)
        let nbIn = cin16 / 16, nbOut = cout16 / 16, panels = cin32 / 32, oPanels = cout8 / 8
        let tiles = plan.tiles, pv = plan.padVectors
        let tc = min(weightGradChunkTiles, round(tiles, 8))
        let nChunks = (tiles + tc - 1) / tc
        let groups = nChunks >= 2 ? 2 : 1
        let vs = sliceStride(tc * cin16), gs = sliceStride(tc * cout16), dus = sliceStride(cout8 * cin32)
        let perThread = 36 * (vs + gs) + 64
        let parts = min(ctx.threads, groups)
        let scratch = ctx.winograd.get(max(parts, groups) * perThread)
        let du = ctx.winogradAccumulator.get(groups * 36 * dus)
        let tOff = plan.tileOffset, tRow = plan.tileRow

        @inline(__always) func transforms(_ v: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ t0: Int,
                                          _ tn: Int, _ cbs: Range<Int>, _ obs: Range<Int>, _ tmp: UnsafeMutablePointer<V>) {
            for tt in 0..<tn {
                let t = t0 + tt, row = Int(tRow[t]), o = Int(tOff[t])
                for cb in cbs {
                    Winograd.inputTile(input + (cb * pv + o) * 16, rowStride: row, v + tt * cin16 + cb * 16, dstStride: vs,
                                       scratch: tmp)
                }
                for ob in obs {
                    Winograd.gradTile(grad + (ob * pv + o + row + 1) * 16, rowStride: row, g + tt * cout16 + ob * 16,
                                      dstStride: gs, scratch: tmp)
                }
            }
        }
        @inline(__always) func gemm(_ v: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ tn: Int,
                                    _ acc: UnsafeMutablePointer<Float>, _ beta: Bool, _ xis: Range<Int>) {
            for xi in xis {
                let a = UnsafePointer(g + xi * gs), b = UnsafePointer(v + xi * vs), c = acc + xi * dus
                for ip in 0..<oPanels {
                    for jr in 0..<panels {
                        SGEMM.kernelStridedA(tn, a + ip * 8, cout16, b + jr * 32, cin16, c + ip * 8 * cin32 + jr * 32, cin32,
                                             rows: min(8, cOut - ip * 8), beta: beta)
                    }
                }
            }
        }

        if groups == 2 {
            ctx.parallel(2) { grp in
                let v = scratch + grp * perThread, g = v + 36 * vs
                withUnsafeTemporaryAllocation(of: V.self, capacity: 36) { tb in
                    let first = nChunks * grp / 2
                    for chunk in first..<(nChunks * (grp + 1) / 2) {
                        let t0 = chunk * tc, tn = min(tc, tiles - t0)
                        transforms(v, g, t0, tn, 0..<nbIn, 0..<nbOut, tb.baseAddress!)
                        gemm(v, g, tn, du + grp * 36 * dus, chunk > first, 0..<36)
                    }
                }
            }
            let second = UnsafePointer(du + 36 * dus)
            ctx.timed("  winograd wgrad: add groups", flops: 0) {
                ctx.parallelRanges(36 * dus, grain: 1024) { r in for i in r { du[i] += second[i] } }
            }
        } else {
            let v = scratch, g = v + 36 * vs
            let tn = tiles
            ctx.parallelRanges(max(nbIn, nbOut)) { r in
                withUnsafeTemporaryAllocation(of: V.self, capacity: 36) {
                    transforms(v, g, 0, tn, r.clamped(to: 0..<nbIn), r.clamped(to: 0..<nbOut), $0.baseAddress!)
                }
            }
            ctx.parallelRanges(36) { r in gemm(v, g, tn, du, false, r) }
        }
        // dW[o][c][k] += (Gᵀ dU(o, c) G)[k], via a tap-major scratch dWk[k][o·C + c].
        let dwk = ctx.winogradTaps.get(9 * cOut * cIn + 16)
        let duc = UnsafePointer(du)
        ctx.timed("  winograd wgrad: weight transform", flops: 0) {
            ctx.parallelRanges(cOut) { range in
                withUnsafeTemporaryAllocation(of: V.self, capacity: 36) { tb in
                    for oi in range {
                        for cb in 0..<nbIn {
                            Winograd.weightGradTile(duc + oi * cin32 + cb * 16, srcStride: dus, dwk + oi * cIn + cb * 16,
                                                    dstStride: cOut * cIn, scratch: tb.baseAddress!)
                        }
                    }
                }
            }
            addTaps(UnsafePointer(dwk), pairs: cOut * cIn, into: dw, ctx: ctx)
        }
    }

    /// dw[p·9 + k] += taps[k·pairs + p] for every kernel p = (o, c) and tap k.
    static func addTaps(_ taps: UnsafePointer<Float>, pairs: Int, into dw: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        let blocks = (pairs + 15) / 16
        ctx.parallelRanges(blocks) { range in
            withUnsafeTemporaryAllocation(of: V.self, capacity: 16) { tb in
                let t = tb.baseAddress!
                for blk in range {
                    let p0 = blk * 16, n = min(16, pairs - p0)
                    for k in 0..<16 { t[k] = k < 9 ? Transpose16.loadPartial(taps + k * pairs + p0, n) : V() }
                    Transpose16.transpose(t)
                    // Row r holds the 9 taps of kernel p0 + r in lanes 0…8 and zeros in lanes 9…15, so
                    // a 16-lane read-add-write leaves the next kernel's taps unchanged; the block's last
                    // kernel is added lane by lane (the next block may belong to another thread).
                    for r in 0..<(n - 1) {
                        let d = dw + (p0 + r) * 9
                        Transpose16.store(Transpose16.load(d) + t[r], d)
                    }
                    let d = dw + (p0 + n - 1) * 9
                    for k in 0..<9 { d[k] += t[n - 1][k] }
                }
            }
        }
    }
}
