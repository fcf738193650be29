/// Stride-1 convolutions on the padded output grid.
///
/// The input is copied once into a zero-bordered buffer xpad [C][N][H+2p][W+2p]. On the padded
/// grid q' = (image, oy, ox) with row width Wp = W + 2p, the im2col row of patch offset
/// (c, ky, kx) is the contiguous slice xpad[c·N·Hp·Wp + ky·Wp + kx + q'] — no bounds checks, so
/// GEMM packing is a plain vector copy (`GemmB.shifted`) and the weight-gradient kernel reads
/// input rows in place. Outputs at grid positions outside the valid OH×OW window (the 2p extra
/// columns and rows per image) are computed and discarded: 13% extra work on 32×32 maps, 27% on
/// 16×16, more on the tiny P5–P7 maps, in exchange for packing several times faster.
extension ConvKernels {
    /// Padded-grid layout of one stride-1 geometry.
    struct PaddedGrid {
        let hp: Int, wp: Int, plane: Int, channelStride: Int
        /// Grid columns that cover every valid output (last valid q' + 1).
        let columns: Int
        /// Floats to allocate for xpad: C·channelStride plus slack for shifted reads.
        let bufferCount: Int
        init(_ g: ConvGeometry) {
            hp = g.h + 2 * g.pad; wp = g.w + 2 * g.pad; plane = hp * wp
            channelStride = (g.n * plane + 15) / 16 * 16  // equal alignment of every channel
            columns = (g.n - 1) * plane + (g.oh - 1) * wp + g.ow
            bufferCount = g.c * channelStride + (g.kh - 1) * wp + g.kw + 2 * SGEMM.nc + 64
        }
    }

    /// Whether `g` can use the padded-grid path (stride 1; square kernel).
    static func usesPaddedGrid(_ g: ConvGeometry) -> Bool {
        g.stride == 1 && g.kh == g.kw && g.kh > 1 && g.oh == g.h + 2 * g.pad - g.kh + 1
    }

    /// Copies CNHW x into the zero-bordered buffer (parallel over channels).
    static func pad(_ x: UnsafePointer<Float>, _ g: ConvGeometry, _ grid: PaddedGrid, into xp: UnsafeMutablePointer<Float>,
                    ctx: ComputeContext) {
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

    /// Row offsets of the shifted im2col view: r = (c, ky, kx) → c·channelStride + ky·Wp + kx.
    static func rowOffsets(_ g: ConvGeometry, _ grid: PaddedGrid, ctx: ComputeContext) -> UnsafeMutablePointer<Int> {
        let off = ctx.intScratch.get(g.patch)
        var r = 0
        for c in 0..<g.c { for ky in 0..<g.kh { for kx in 0..<g.kw {
            off[r] = c * grid.channelStride + ky * grid.wp + kx; r += 1
        } } }
        return off
    }

    /// Forward stride-1 convolution via the padded grid (see type comment).
    static func forwardPadded(x: UnsafePointer<Float>, _ g: ConvGeometry, w: UnsafePointer<Float>, outChannels o: Int,
                              out: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        let grid = PaddedGrid(g)
        let xp = ctx.padScratch.get(grid.bufferCount)
        pad(x, g, grid, into: xp, ctx: ctx)
        let off = rowOffsets(g, grid, ctx: ctx)
        let n = grid.columns
        let cext = ctx.scratch.get(o * n)
        SGEMM.gemm(m: o, n: n, k: g.patch, a: MatrixRef(w, rowStride: g.patch, colStride: 1),
                   b: .shifted(UnsafePointer(xp), rowOffset: UnsafePointer(off)), c: cext, ldc: n, accumulate: false, ctx: ctx)
        // Keep the valid window: out[o][i][oy][ox] = cext[o][i·plane + oy·Wp + ox].
        let oh = g.oh, ow = g.ow
        ctx.parallelRanges(o) { range in
            for oc in range {
                for i in 0..<g.n {
                    for oy in 0..<oh {
                        SGEMM.copyRun(cext + oc * n + i * grid.plane + oy * grid.wp,
                                      out + ((oc * g.n + i) * oh + oy) * ow, ow)
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
        let n = grid.columns, ldx = (n + 31) / 16 * 16  // aligned rows
        let dext = ctx.scratch.get(o * ldx)
        let oh = g.oh, ow = g.ow
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
        if o >= 16 && g.n * grid.plane >= 256 {
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
}
