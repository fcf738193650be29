/// Convolutions on tiny maps through an explicit im2col matrix.
///
/// Maps that do not take the padded grid (`usesPaddedGrid` false: stage 4 at 128², 4×4, and the
/// P5–P7 convs; more than half of a padded grid would be discarded outputs) have few output
/// positions and many channels (C256→256 on 4×4 × batch 8: M = 256, N = 128, K = 2304). Packing
/// the implicit im2col view run by run (4-float runs with border checks) is then the slow part of
/// the GEMM; instead the whole column matrix col[C·kh·kw][N·OH·OW] is written once (channels
/// split over threads) and the GEMMs read it as a dense matrix: the forward as B, the weight
/// gradient as Bᵀ (dW = dy · colᵀ straight into dW, B panels packed by 16×16 in-register
/// transposes); the input gradient is the GEMM Wᵀ·dy into the column matrix followed by a
/// scatter-add col2im.
extension ConvKernels {
    /// Whether `g` runs through an explicit im2col matrix: kernel larger than 1×1 and not on the
    /// padded grid.
    static func usesExplicitIm2col(_ g: ConvGeometry) -> Bool {
        g.kh * g.kw > 1 && !usesPaddedGrid(g)
    }

    /// col[r·columns + q] = im2col(x)[r][q] for every patch row r = (c, ky, kx) and output
    /// position q = (image, oy, ox). Each channel is first copied into a zero-bordered
    /// [N][H+2p][W+2p] buffer (a stack temporary for tiny maps); every im2col row is then one
    /// branch-free gather through a table of the positions' offsets (any stride). Threads split
    /// the channels.
    static func im2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry, into col: UnsafeMutablePointer<Float>,
                       ctx: ComputeContext) {
        let p = g.columns, kk = g.kh * g.kw, pad = g.pad
        let wp = g.w + 2 * pad, plane = (g.h + 2 * pad) * wp, n = g.n, h = g.h, w = g.w
        let table = positionTable(g, ctx: ctx)
        ctx.parallelRanges(g.c) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: n * plane) { tb in
                let buf = tb.baseAddress!
                buf.initialize(repeating: 0, count: n * plane)  // borders stay zero: only the interior is rewritten
                for c in range {
                    for i in 0..<n {
                        for y in 0..<h {
                            SGEMM.copyRun(x + ((c * n + i) * h + y) * w, buf + i * plane + (y + pad) * wp + pad, w)
                        }
                    }
                    for ky in 0..<g.kh {
                        for kx in 0..<g.kw {
                            let src = UnsafePointer(buf + ky * wp + kx)
                            let d = col + (c * kk + ky * g.kw + kx) * p
                            for j in 0..<p { d[j] = src[table[j]] }
                        }
                    }
                }
            }
        }
    }

    /// Offsets of the output positions q = (image, oy, ox) in a zero-bordered [N][H+2p][W+2p]
    /// channel buffer for kernel tap (0, 0): image·plane + oy·stride·(W+2p) + ox·stride.
    static func positionTable(_ g: ConvGeometry, ctx: ComputeContext) -> UnsafePointer<Int> {
        let s = g.stride, wp = g.w + 2 * g.pad, plane = (g.h + 2 * g.pad) * wp
        let idx = ctx.intScratch.get(g.columns)
        var q = 0
        for i in 0..<g.n { for oy in 0..<g.oh { for ox in 0..<g.ow { idx[q] = i * plane + oy * s * wp + ox * s; q += 1 } } }
        return UnsafePointer(idx)
    }

    /// dx (CNHW, overwritten) = col2im(Wᵀ · dy): one GEMM into the column matrix, then per channel
    /// its k·k rows are scatter-added (fixed order) into a zero-bordered buffer through the
    /// position table and the interior is copied out. Threads split the channels.
    static func inputGradIm2col(dy: UnsafePointer<Float>, _ g: ConvGeometry, w wt: UnsafePointer<Float>, outChannels o: Int,
                                dx: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        let p = g.columns, k = g.patch, kk = g.kh * g.kw, pad = g.pad
        let col = ctx.colScratch.get(k * p)
        SGEMM.gemm(m: k, n: p, k: o, a: MatrixRef(wt, rowStride: 1, colStride: k),
                   b: .matrix(MatrixRef(dy, rowStride: p, colStride: 1)), c: col, ldc: p, accumulate: false, ctx: ctx)
        let wp = g.w + 2 * pad, plane = (g.h + 2 * pad) * wp, n = g.n, h = g.h, w = g.w
        let table = positionTable(g, ctx: ctx)
        let colC = UnsafePointer(col)
        ctx.parallelRanges(g.c) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: n * plane) { tb in
                let buf = tb.baseAddress!
                for c in range {
                    buf.initialize(repeating: 0, count: n * plane)
                    for ky in 0..<g.kh {
                        for kx in 0..<g.kw {
                            let d = buf + ky * wp + kx
                            let src = colC + (c * kk + ky * g.kw + kx) * p
                            for j in 0..<p { d[table[j]] += src[j] }
                        }
                    }
                    for i in 0..<n {
                        for y in 0..<h {
                            SGEMM.copyRun(UnsafePointer(buf + i * plane + (y + pad) * wp + pad), dx + ((c * n + i) * h + y) * w, w)
                        }
                    }
                }
            }
        }
    }

    /// out[O, columns] (+)= W · col (explicit im2col; see the extension comment).
    static func forwardIm2col(x: UnsafePointer<Float>, _ g: ConvGeometry, w: UnsafePointer<Float>, outChannels o: Int,
                              out: UnsafeMutablePointer<Float>, accumulate: Bool, ctx: ComputeContext) {
        let p = g.columns, k = g.patch
        let col = ctx.colScratch.get(k * p)
        im2col(x, g, into: col, ctx: ctx)
        SGEMM.gemm(m: o, n: p, k: k, a: MatrixRef(w, rowStride: k, colStride: 1),
                   b: .matrix(MatrixRef(UnsafePointer(col), rowStride: p, colStride: 1)), c: out, ldc: p,
                   accumulate: accumulate, ctx: ctx)
    }

    /// dW[O, C·kh·kw] += dy[O, columns] · colᵀ (explicit im2col; M = O, N = patch, K = positions).
    static func weightGradIm2col(x: UnsafePointer<Float>, _ g: ConvGeometry, dy: UnsafePointer<Float>, outChannels o: Int,
                                 dw: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        let p = g.columns, k = g.patch
        let col = ctx.colScratch.get(k * p)
        im2col(x, g, into: col, ctx: ctx)
        SGEMM.gemm(m: o, n: k, k: p, a: MatrixRef(dy, rowStride: p, colStride: 1),
                   b: .matrix(MatrixRef(UnsafePointer(col), rowStride: 1, colStride: p)), c: dw, ldc: k,
                   accumulate: true, ctx: ctx)
    }
}
