/// Stride-1 and stride-2 convolutions on the padded output grid.
///
/// Stride 1: the input is copied once into a zero-bordered buffer xpad [C][N][H+2p][W+2p]. On the
/// padded grid q' = (image, oy, ox) with row width Wp = W + 2p, the im2col row of patch offset
/// (c, ky, kx) is the contiguous slice xpad[c·N·Hp·Wp + ky·Wp + kx + q'] — no bounds checks, so
/// GEMM packing is a plain vector copy (`GemmB.shifted`) and the weight-gradient kernel reads
/// input rows in place. Outputs at grid positions outside the valid OH×OW window (the 2p extra
/// columns and rows per image) are computed and discarded: 13% extra work on 32×32 maps, 27% on
/// 16×16, more on the tiny P5–P7 maps, in exchange for packing several times faster.
///
/// Stride 2 (phase decomposition): the zero-padded input is split once into its 2×2 phases
/// P[c][py][px][image][yq][xq] = xpad[c][image][2·yq + py][2·xq + px] on a grid of
/// Hq = OH + ⌊(kh−1)/2⌋ rows and Wq = OW + ⌊(kw−1)/2⌋ columns per image. Input pixel
/// (2·oy + ky, 2·ox + kx) of output (oy, ox) is then P[c][ky mod 2][kx mod 2] at grid position
/// q' + ⌊ky/2⌋·Wq + ⌊kx/2⌋: every im2col row of a stride-2 convolution is again a contiguous
/// shifted slice, and the stride-1 machinery (forward GEMM, weight-gradient GEMM) applies
/// unchanged. 1×1/2 convolutions use one phase (a subsampled copy, no discarded outputs).
extension ConvKernels {
    /// Padded-grid layout of one stride-1 or stride-2 geometry.
    struct PaddedGrid {
        let stride: Int
        /// Phases per input channel along y and x (min(stride, kernel)); 1 for stride 1.
        let phasesY: Int, phasesX: Int
        /// Grid rows / columns per image (Hq, Wq; Hp, Wp for stride 1) and their product.
        let hp: Int, wp: Int, plane: Int
        /// Floats between consecutive phase planes (N·plane rounded up to 16).
        let channelStride: Int
        /// Grid columns that cover every valid output (last valid q' + 1).
        let columns: Int
        /// Floats to allocate for the buffer: C·phases·channelStride plus slack for shifted reads.
        let bufferCount: Int
        init(_ g: ConvGeometry) {
            stride = g.stride
            phasesY = min(g.stride, g.kh); phasesX = min(g.stride, g.kw)
            hp = g.oh + (g.kh - 1) / g.stride; wp = g.ow + (g.kw - 1) / g.stride; plane = hp * wp
            channelStride = (g.n * plane + 15) / 16 * 16  // equal alignment of every plane
            columns = (g.n - 1) * plane + (g.oh - 1) * wp + g.ow
            bufferCount = g.c * phasesY * phasesX * channelStride + (g.kh - 1) / g.stride * wp + g.kw
                + 2 * SGEMM.nc + 64
        }
        /// Planes per input channel.
        var phases: Int { phasesY * phasesX }
        /// Row offset of im2col row (c, ky, kx) in the buffer.
        @inline(__always)
        func offset(c: Int, ky: Int, kx: Int) -> Int {
            ((c * phasesY + ky % stride) * phasesX + kx % stride) * channelStride + ky / stride * wp + kx / stride
        }
    }

    /// Whether `g` uses the padded-grid path: square kernel, stride 1 with k > 1 or stride 2, and
    /// at least half of the grid positions are valid outputs. Tiny maps (4×4 with a 3×3 kernel:
    /// 16 of 36) waste more on discarded outputs than the cheaper packing saves; with their large
    /// channel counts the implicit-im2col packing is amortised over many A panels instead.
    static func usesPaddedGrid(_ g: ConvGeometry) -> Bool {
        guard g.kh == g.kw && ((g.stride == 1 && g.kh > 1) || g.stride == 2) && g.oh > 0 && g.ow > 0 else { return false }
        let hq = g.oh + (g.kh - 1) / g.stride, wq = g.ow + (g.kw - 1) / g.stride
        return 2 * g.oh * g.ow >= hq * wq
    }

    /// Copies CNHW x into the zero-bordered buffer (stride 1) or its phase planes (stride 2);
    /// parallel over channels.
    static func pad(_ x: UnsafePointer<Float>, _ g: ConvGeometry, _ grid: PaddedGrid, into xp: UnsafeMutablePointer<Float>,
                    ctx: ComputeContext) {
        if grid.stride == 2 { padPhases(x, g, grid, into: xp, ctx: ctx); return }
        let tail = grid.bufferCount - g.c * grid.channelStride
        (xp + g.c * grid.channelStride).update(repeating: 0, count: tail)
        ctx.parallelRanges(g.c) { range in
            for c in range {
                let dst = xp + c * grid.channelStride
                dst.update(repeating: 0, count: grid.channelStride)
                for i in 0..<g.n {
                    for y in 0..<g.h {
                        SGEMM.copyRun(x + ((c * g.n + i) * g.h + y) * g.w,
                                      dst + i * grid.plane + (y + g.pad) * grid.wp + g.pad, g.w)
                    }
                }
            }
        }
    }

    /// Row offsets of the shifted im2col view: r = (c, ky, kx) → `grid.offset` (stride 1:
    /// c·channelStride + ky·Wp + kx).
    static func rowOffsets(_ g: ConvGeometry, _ grid: PaddedGrid, ctx: ComputeContext) -> UnsafeMutablePointer<Int> {
        let off = ctx.intScratch.get(g.patch)
        var r = 0
        for c in 0..<g.c { for ky in 0..<g.kh { for kx in 0..<g.kw {
            off[r] = grid.offset(c: c, ky: ky, kx: kx); r += 1
        } } }
        return off
    }

    /// Forward convolution via the padded grid (see type comment); the epilogue is applied while
    /// the valid window is copied out.
    static func forwardPadded(x: UnsafePointer<Float>, _ g: ConvGeometry, w: UnsafePointer<Float>, outChannels o: Int,
                              out: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue = .none, ctx: ComputeContext) {
        let grid = PaddedGrid(g)
        let xp = ctx.padScratch.get(grid.bufferCount)
        pad(x, g, grid, into: xp, ctx: ctx)
        let off = rowOffsets(g, grid, ctx: ctx)
        let n = grid.columns
        let cext = ctx.scratch.get(o * n)
        SGEMM.gemm(m: o, n: n, k: g.patch, a: MatrixRef(w, rowStride: g.patch, colStride: 1),
                   b: .shifted(UnsafePointer(xp), rowOffset: UnsafePointer(off)), c: cext, ldc: n, accumulate: false, ctx: ctx)
        // Keep the valid window: out[o][i][oy][ox] = cext[o][i·plane + oy·Wp + ox].
        let oh = g.oh, ow = g.ow, plain = epilogue.isIdentity
        ctx.parallelRanges(o) { range in
            for oc in range {
                for i in 0..<g.n {
                    for oy in 0..<oh {
                        let src = UnsafePointer(cext + oc * n + i * grid.plane + oy * grid.wp)
                        let at = ((oc * g.n + i) * oh + oy) * ow
                        if plain { SGEMM.copyRun(src, out + at, ow) }
                        else { epilogue.run(src, out + at, ow, channel: oc, offset: at) }
                    }
                }
            }
        }
    }

    /// dW[O, C·k·k] += dy · im2col(x)ᵀ for stride 1 via the padded grid: dy is spread onto the
    /// grid (zeros at discarded positions), input rows are read in place.
    static func weightGradPadded(x: UnsafePointer<Float>, _ g: ConvGeometry, dy: UnsafePointer<Float>, outChannels o: Int,
                                 dw: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        let grid = PaddedGrid(g)
        let xp = ctx.padScratch.get(grid.bufferCount)
        pad(x, g, grid, into: xp, ctx: ctx)
        let off = rowOffsets(g, grid, ctx: ctx)
        let n = grid.columns, ldx = gridRowStride(grid)
        let dext = ctx.scratch.get(o * ldx)
        spread(dy, g, grid, channels: o, into: dext, ctx: ctx)
        if o >= 16 && g.n * grid.plane >= 64 {
            weightGradShiftedGEMM(xp: UnsafePointer(xp), rowOffset: UnsafePointer(off), patch: g.patch, gridColumns: n,
                                  dyGrid: UnsafePointer(dext), ldx: ldx, outChannels: o, dw: dw, ctx: ctx)
            return
        }
        // Groups of 4 channels at one kernel offset t = (ky, kx): the four input rows then share
        // their alignment. dW columns of a group are kk apart.
        let k = g.patch, pb = weightGradBlock, kk = g.kh * g.kw
        let cgroups = (g.c + 3) / 4
        let groups = cgroups * kk
        let chunks = min(ctx.threads, groups)
        let xpc = UnsafePointer(xp), dxc = UnsafePointer(dext), offc = UnsafePointer(off)
        ctx.parallel(chunks) { th in
            let g0 = groups * th / chunks, g1 = groups * (th + 1) / chunks
            var q0 = 0
            while q0 < n {
                // Rounded up to whole vectors: dext is zero past n (and ldx ≥ n + 16), xpad has slack.
                let len = min(pb, (n - q0 + 15) / 16 * 16)
                for grp in g0..<g1 {
                    let t = grp % kk, c0 = grp / kk * 4, cols = min(4, g.c - c0)
                    let r0 = c0 * kk + t
                    let y0 = xpc + offc[r0] + q0
                    let y1 = cols > 1 ? xpc + offc[r0 + kk] + q0 : y0
                    let y2 = cols > 2 ? xpc + offc[r0 + 2 * kk] + q0 : y0
                    let y3 = cols > 3 ? xpc + offc[r0 + 3 * kk] + q0 : y0
                    var oi = 0
                    while oi < o {
                        SGEMM.kernelNT4x4(len, dxc + oi * ldx + q0, ldx, (y0, y1, y2, y3),
                                          dw + oi * k + r0, k, rows: min(4, o - oi), cols: cols, colStride: kk)
                        oi += 4
                    }
                }
                q0 += len
            }
        }
    }

    /// Row stride of a grid-shaped matrix: grid columns + at least 16 zero floats, a multiple of 16.
    static func gridRowStride(_ grid: PaddedGrid) -> Int { (grid.columns + 31) / 16 * 16 }

    /// Copies dy [O][N][OH][OW] onto the grid: dst[o·ldx + i·plane + oy·Wq + ox], zeros at the
    /// discarded grid positions and past the last column (ldx = `gridRowStride`).
    static func spread(_ dy: UnsafePointer<Float>, _ g: ConvGeometry, _ grid: PaddedGrid, channels o: Int,
                       into dext: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        let ldx = gridRowStride(grid), oh = g.oh, ow = g.ow
        ctx.parallelRanges(o) { range in
            for oc in range {
                let row = dext + oc * ldx
                row.update(repeating: 0, count: ldx)
                for i in 0..<g.n {
                    for oy in 0..<oh {
                        SGEMM.copyRun(dy + ((oc * g.n + i) * oh + oy) * ow, row + i * grid.plane + oy * grid.wp, ow)
                    }
                }
            }
        }
    }
}
