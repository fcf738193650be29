extension SGEMM {
    /// C[M×N] += X[M×K] · Y[N×K]ᵀ where X and Y have K contiguous (the weight-gradient shape:
    /// both dL/dy and im2col rows run along output positions). A 4×4 register tile of SIMD16
    /// accumulators vectorises along K, so neither operand is transposed or packed.
    @inline(__always)
    static func kernelNT4x4(_ k: Int, _ x: UnsafePointer<Float>, _ ldx: Int, _ y: UnsafePointer<Float>, _ ldy: Int,
                            _ c: UnsafeMutablePointer<Float>, _ ldc: Int, rows: Int, cols: Int) {
        kernelNT4x4(k, x, ldx, (y, y + (cols > 1 ? ldy : 0), y + (cols > 2 ? 2 * ldy : 0), y + (cols > 3 ? 3 * ldy : 0)),
                    c, ldc, rows: rows, cols: cols)
    }

    /// Same with four explicit Y row pointers (rows need not be equally spaced).
    @inline(__always)
    static func kernelNT4x4(_ k: Int, _ x: UnsafePointer<Float>, _ ldx: Int,
                            _ yr: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>),
                            _ c: UnsafeMutablePointer<Float>, _ ldc: Int, rows: Int, cols: Int, colStride: Int = 1) {
        typealias V = SIMD16<Float>
        var a00 = V(), a01 = V(), a02 = V(), a03 = V(), a10 = V(), a11 = V(), a12 = V(), a13 = V()
        var a20 = V(), a21 = V(), a22 = V(), a23 = V(), a30 = V(), a31 = V(), a32 = V(), a33 = V()
        let x0 = UnsafeRawPointer(x), x1 = UnsafeRawPointer(x + (rows > 1 ? ldx : 0))
        let x2 = UnsafeRawPointer(x + (rows > 2 ? 2 * ldx : 0)), x3 = UnsafeRawPointer(x + (rows > 3 ? 3 * ldx : 0))
        let y0 = UnsafeRawPointer(yr.0), y1 = UnsafeRawPointer(yr.1), y2 = UnsafeRawPointer(yr.2), y3 = UnsafeRawPointer(yr.3)
        var off = 0
        let end = (k / 16) &* 64
        while off < end {
            let b0 = y0.loadUnaligned(fromByteOffset: off, as: V.self), b1 = y1.loadUnaligned(fromByteOffset: off, as: V.self)
            let b2 = y2.loadUnaligned(fromByteOffset: off, as: V.self), b3 = y3.loadUnaligned(fromByteOffset: off, as: V.self)
            var v = x0.loadUnaligned(fromByteOffset: off, as: V.self)
            a00 = a00.addingProduct(v, b0); a01 = a01.addingProduct(v, b1); a02 = a02.addingProduct(v, b2); a03 = a03.addingProduct(v, b3)
            v = x1.loadUnaligned(fromByteOffset: off, as: V.self)
            a10 = a10.addingProduct(v, b0); a11 = a11.addingProduct(v, b1); a12 = a12.addingProduct(v, b2); a13 = a13.addingProduct(v, b3)
            v = x2.loadUnaligned(fromByteOffset: off, as: V.self)
            a20 = a20.addingProduct(v, b0); a21 = a21.addingProduct(v, b1); a22 = a22.addingProduct(v, b2); a23 = a23.addingProduct(v, b3)
            v = x3.loadUnaligned(fromByteOffset: off, as: V.self)
            a30 = a30.addingProduct(v, b0); a31 = a31.addingProduct(v, b1); a32 = a32.addingProduct(v, b2); a33 = a33.addingProduct(v, b3)
            off &+= 64
        }
        let tail = k / 16 * 16
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 16) { r in
            r[0] = a00.hsum; r[1] = a01.hsum; r[2] = a02.hsum; r[3] = a03.hsum
            r[4] = a10.hsum; r[5] = a11.hsum; r[6] = a12.hsum; r[7] = a13.hsum
            r[8] = a20.hsum; r[9] = a21.hsum; r[10] = a22.hsum; r[11] = a23.hsum
            r[12] = a30.hsum; r[13] = a31.hsum; r[14] = a32.hsum; r[15] = a33.hsum
            if tail < k {
                for i in 0..<rows {
                    for j in 0..<cols {
                        var t: Float = 0
                        let yj = j == 0 ? yr.0 : (j == 1 ? yr.1 : (j == 2 ? yr.2 : yr.3))
                        for p in tail..<k { t += x[i * ldx + p] * yj[p] }
                        r[i * 4 + j] += t
                    }
                }
            }
            for i in 0..<rows { for j in 0..<cols { c[i * ldc + j * colStride] += r[i * 4 + j] } }
        }
    }
}

extension ConvKernels {
    /// Output positions per block of the weight gradient: 4 im2col rows × 2048 (32 KiB) stay in
    /// L1/L2 while the dy block streams from L2.
    static let weightGradBlock = 2048

    /// dW[O, C·kh·kw] += dy[O, P] · im2col(x)ᵀ: for each block of output positions and each group
    /// of 4 patch rows, the rows are materialised (vector copies) and dotted with every dy row by
    /// the NT kernel. Threads split the patch rows, so the result is thread-count independent.
    static func weightGradNT(x: UnsafePointer<Float>, _ g: ConvGeometry, dy: UnsafePointer<Float>, outChannels o: Int,
                             dw: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        let p = g.columns, k = g.patch, pb = weightGradBlock
        let ld = pb + 16  // not a power of two: avoids 4K aliasing between the 4 rows
        let groups = (k + 3) / 4
        let chunks = min(ctx.threads, groups)
        let col = ctx.scratch2.get(chunks * 4 * ld + 16)
        ctx.parallel(chunks) { t in
            let g0 = groups * t / chunks, g1 = groups * (t + 1) / chunks
            let buf = col + t * 4 * ld
            var q0 = 0
            while q0 < p {
                let len = min(pb, p - q0)
                for grp in g0..<g1 {
                    let r = grp * 4, cols = min(4, k - r)
                    im2colRows(x, g, rows: r..<(r + cols), q0: q0, len: len, into: buf, ld: ld)
                    var oi = 0
                    while oi < o {
                        SGEMM.kernelNT4x4(len, dy + oi * p + q0, p, UnsafePointer(buf), ld,
                                          dw + oi * k + r, k, rows: min(4, o - oi), cols: cols)
                        oi += 4
                    }
                }
                q0 += len
            }
        }
    }

    /// Writes im2col rows `rows` (patch index r = (c, ky, kx)) for output positions q0..<q0+len
    /// into dst[(r − rows.lowerBound)·ld + (q − q0)].
    static func im2colRows(_ x: UnsafePointer<Float>, _ g: ConvGeometry, rows: Range<Int>, q0: Int, len: Int,
                           into dst: UnsafeMutablePointer<Float>, ld: Int) {
        let oh = g.oh, ow = g.ow, hw = oh * ow, s = g.stride, kk = g.kh * g.kw, w = g.w, h = g.h
        let chanStride = g.n * h * w
        for r in rows {
            let ch = r / kk, k2 = r % kk, ky = k2 / g.kw - g.pad, kx = k2 % g.kw - g.pad
            let d0 = dst + (r - rows.lowerBound) * ld
            let xc = x + ch * chanStride
            var u = 0
            var img = q0 / hw
            let rem = q0 % hw
            var oy = rem / ow, ox = rem % ow
            while u < len {
                let run = min(ow - ox, len - u)
                let dd = d0 + u
                let iy = oy * s + ky
                if iy < 0 || iy >= h {
                    dd.update(repeating: 0, count: run)
                } else {
                    let row = xc + (img * h + iy) * w
                    let ix0 = ox * s + kx
                    if s == 1 {
                        let uLo = min(max(0, -ix0), run), uHi = max(uLo, min(run, w - ix0))
                        for i in 0..<uLo { dd[i] = 0 }
                        SGEMM.copyRun(row + (ix0 + uLo), dd + uLo, uHi - uLo)
                        for i in uHi..<run { dd[i] = 0 }
                    } else {
                        for i in 0..<run {
                            let ix = ix0 + i * s
                            dd[i] = (ix >= 0 && ix < w) ? row[ix] : 0
                        }
                    }
                }
                u += run
                ox += run
                if ox == ow { ox = 0; oy += 1; if oy == oh { oy = 0; img += 1 } }
            }
        }
    }
}
