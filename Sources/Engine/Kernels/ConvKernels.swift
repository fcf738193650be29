/// Convolution on CNHW tensors by GEMM: stride-1 and stride-2 convolutions run on the padded
/// (phase-decomposed) output grid (`ConvKernels+Padded.swift`), k×k convolutions on maps too
/// small for it through an explicit column matrix (`ConvKernels+Im2col.swift`), 1×1 stride-1
/// convolutions on the input itself, others by implicit im2col (`GemmB.im2col`). Input gradients:
/// stride 1 = a forward convolution of the output gradient with the flipped, transposed kernel;
/// stride 2 = one GEMM on the grid plus shifted adds (`inputGradPhases`); other strides go
/// through a column buffer and `col2im`.
public enum ConvKernels {
    /// out[O, n·oh·ow] (+)= W[O, C·kh·kw] · im2col(x). `w` is row-major (O, C, kh, kw).
    public static func forward(x: UnsafePointer<Float>, _ g: ConvGeometry, w: UnsafePointer<Float>, outChannels: Int,
                               out: UnsafeMutablePointer<Float>, accumulate: Bool, ctx: ComputeContext) {
        forward(x: x, g, w: w, outChannels: outChannels, out: out, accumulate: accumulate, epilogue: .none, ctx: ctx)
    }

    /// out = epilogue(W · im2col(x) (+ out when `accumulate`)): the padded-grid path applies the
    /// epilogue in its copy-out pass, the others in one pass after the GEMM.
    static func forward(x: UnsafePointer<Float>, _ g: ConvGeometry, w: UnsafePointer<Float>, outChannels: Int,
                        out: UnsafeMutablePointer<Float>, accumulate: Bool, epilogue: ConvEpilogue, ctx: ComputeContext) {
        if !accumulate && usesPaddedGrid(g) {
            forwardPadded(x: x, g, w: w, outChannels: outChannels, out: out, epilogue: epilogue, ctx: ctx)
            return
        }
        if usesExplicitIm2col(g) {
            forwardIm2col(x: x, g, w: w, outChannels: outChannels, out: out, accumulate: accumulate, ctx: ctx)
        } else {
            let p = g.columns, k = g.patch
            let b: GemmB = (g.kh == 1 && g.kw == 1 && g.stride == 1 && g.pad == 0)
                ? .matrix(MatrixRef(x, rowStride: p, colStride: 1)) : .im2col(x, g)
            SGEMM.gemm(m: outChannels, n: p, k: k, a: MatrixRef(w, rowStride: k, colStride: 1), b: b,
                       c: out, ldc: p, accumulate: accumulate, ctx: ctx)
        }
        epilogue.runInPlace(out, channels: outChannels, plane: g.columns, ctx: ctx)
    }

    /// dW[O, C·kh·kw] += dy[O, n·oh·ow] · im2col(x)ᵀ.
    public static func weightGrad(x: UnsafePointer<Float>, _ g: ConvGeometry, dy: UnsafePointer<Float>, outChannels: Int,
                                  dw: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        if usesPaddedGrid(g) {
            weightGradPadded(x: x, g, dy: dy, outChannels: outChannels, dw: dw, ctx: ctx)
        } else if usesExplicitIm2col(g) {
            weightGradIm2col(x: x, g, dy: dy, outChannels: outChannels, dw: dw, ctx: ctx)
        } else if outChannels >= 16 && g.columns >= 64 {
            weightGradGEMM(rows: .im2col(x, g), patch: g.patch, positions: g.columns, dy: dy, ldy: g.columns,
                           outChannels: outChannels, dw: dw, ctx: ctx)
        } else {
            weightGradNT(x: x, g, dy: dy, outChannels: outChannels, dw: dw, ctx: ctx)
        }
    }

    /// The weight gradient by the packed GEMM over im2col(x)ᵀ (kept as a second implementation;
    /// measured slower than `weightGradNT` on the benchmark shapes, see docs/BENCHMARKS.md).
    public static func weightGradPacked(x: UnsafePointer<Float>, _ g: ConvGeometry, dy: UnsafePointer<Float>,
                                        outChannels: Int, dw: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        let p = g.columns, k = g.patch
        let b: GemmB = (g.kh == 1 && g.kw == 1 && g.stride == 1 && g.pad == 0)
            ? .matrix(MatrixRef(x, rowStride: 1, colStride: p)) : .im2colT(x, g)
        SGEMM.gemm(m: outChannels, n: k, k: p, a: MatrixRef(dy, rowStride: p, colStride: 1), b: b,
                   c: dw, ldc: k, accumulate: true, ctx: ctx)
    }

    /// dx (CNHW, shape of the input, overwritten) from dy[O, n·oh·ow] and W.
    public static func inputGrad(dy: UnsafePointer<Float>, _ g: ConvGeometry, w: UnsafePointer<Float>, outChannels o: Int,
                                 dx: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        let kk = g.kh * g.kw
        if usesExplicitIm2col(g) {
            inputGradIm2col(dy: dy, g, w: w, outChannels: o, dx: dx, ctx: ctx)
            return
        }
        if g.stride == 1 && g.kh == g.kw && g.pad <= g.kh - 1 && g.oh + g.kh - 1 - 2 * g.pad == g.h
            && g.ow + g.kw - 1 - 2 * g.pad == g.w {
            if g.kh == 1 {
                SGEMM.gemm(m: g.c, n: g.columns, k: o, a: MatrixRef(w, rowStride: 1, colStride: g.c),
                           b: .matrix(MatrixRef(dy, rowStride: g.columns, colStride: 1)),
                           c: dx, ldc: g.columns, accumulate: false, ctx: ctx)
                return
            }
            // W'[c, o, ky, kx] = W[o, c, kh−1−ky, kw−1−kx]
            let wt = ctx.weightScratch.get(g.c * o * kk)  // not `scratch`: forward uses it
            for oc in 0..<o {
                for c in 0..<g.c {
                    let src = w + (oc * g.c + c) * kk, dst = wt + (c * o + oc) * kk
                    for t in 0..<kk { dst[t] = src[kk - 1 - t] }
                }
            }
            let gt = ConvGeometry(n: g.n, c: o, h: g.oh, w: g.ow, kh: g.kh, kw: g.kw, stride: 1, pad: g.kh - 1 - g.pad)
            forward(x: dy, gt, w: wt, outChannels: g.c, out: dx, accumulate: false, ctx: ctx)
            return
        }
        if g.stride == 2 && usesPaddedGrid(g) {
            inputGradPhases(dy: dy, g, w: w, outChannels: o, dx: dx, ctx: ctx)
            return
        }
        let p = g.columns, k = g.patch
        let col = ctx.scratch2.get(k * p)
        SGEMM.gemm(m: k, n: p, k: o, a: MatrixRef(w, rowStride: 1, colStride: k),
                   b: .matrix(MatrixRef(dy, rowStride: p, colStride: 1)), c: col, ldc: p, accumulate: false, ctx: ctx)
        col2im(UnsafePointer(col), g, dx: dx, ctx: ctx)
    }

    /// dx = Σ scatter of col[C·kh·kw, n·oh·ow] (overwrites dx); parallel over channels.
    public static func col2im(_ col: UnsafePointer<Float>, _ g: ConvGeometry, dx: UnsafeMutablePointer<Float>,
                              ctx: ComputeContext) {
        let kk = g.kh * g.kw, oh = g.oh, ow = g.ow, s = g.stride, p = g.columns
        let chan = g.n * g.h * g.w
        ctx.parallelRanges(g.c) { range in
            for c in range {
                let d = dx + c * chan
                d.update(repeating: 0, count: chan)
                for t in 0..<kk {
                    let ky = t / g.kw, kx = t % g.kw
                    let src = col + (c * kk + t) * p
                    for i in 0..<g.n {
                        for oy in 0..<oh {
                            let iy = oy * s - g.pad + ky
                            if iy < 0 || iy >= g.h { continue }
                            let row = d + (i * g.h + iy) * g.w
                            let srow = src + (i * oh + oy) * ow
                            for ox in 0..<ow {
                                let ix = ox * s - g.pad + kx
                                if ix >= 0 && ix < g.w { row[ix] += srow[ox] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Reference convolution (direct loops, Double accumulation) for tests: out (CNHW) = conv(x, W).
    public static func naiveForward(x: UnsafePointer<Float>, _ g: ConvGeometry, w: UnsafePointer<Float>, outChannels: Int,
                                    out: UnsafeMutablePointer<Float>) {
        let oh = g.oh, ow = g.ow
        for o in 0..<outChannels {
            for i in 0..<g.n {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var s = 0.0
                        for c in 0..<g.c {
                            for ky in 0..<g.kh {
                                let iy = oy * g.stride - g.pad + ky
                                if iy < 0 || iy >= g.h { continue }
                                for kx in 0..<g.kw {
                                    let ix = ox * g.stride - g.pad + kx
                                    if ix < 0 || ix >= g.w { continue }
                                    s += Double(x[((c * g.n + i) * g.h + iy) * g.w + ix])
                                        * Double(w[((o * g.c + c) * g.kh + ky) * g.kw + kx])
                                }
                            }
                        }
                        out[((o * g.n + i) * oh + oy) * ow + ox] = Float(s)
                    }
                }
            }
        }
    }
}
