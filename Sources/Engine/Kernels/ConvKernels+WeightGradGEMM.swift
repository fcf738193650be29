extension ConvKernels {
    /// K block (output positions) of the weight-gradient GEMM.
    static let weightGradKC = 256

    /// dW[O, C·k·k] += dy_grid · im2col_gridᵀ on the padded grid (stride 1), as the transposed product
    /// dWᵀ[patch × O] = Y[patch × q] · dy_gridᵀ[q × O] with the 8×32 broadcast microkernel:
    /// A panels are 8 shifted input rows interleaved per q (packed per K block), B is dy_gridᵀ
    /// (O ≤ a few hundred columns, packed per K block). Threads split the patch rows.
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
    /// microkernel; threads split the patch rows (thread-count independent result).
    static func weightGradGEMM(rows src: PatchRows, patch m: Int, positions kTotal: Int, dy dyGrid: UnsafePointer<Float>,
                               ldy ldx: Int, outChannels o: Int, dw: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        let mr = SGEMM.mr, nr = SGEMM.nr, kcB = weightGradKC
        let nPad = (o + nr - 1) / nr * nr
        let mPanels = (m + mr - 1) / mr
        let chunks = min(ctx.threads, mPanels)
        let ct = ctx.scratch2.get(mPanels * mr * nPad)
        let apack = ctx.weightScratch.get(chunks * mr * kcB)
        let bpack = ctx.padScratch2.get(chunks * kcB * nPad)
        var gather: UnsafeMutablePointer<Float>? = nil
        if case .im2col = src { gather = ctx.scratch.get(chunks * mr * kcB) }
        let gatherC = gather
        ctx.parallel(chunks) { t in
            let p0 = mPanels * t / chunks, p1 = mPanels * (t + 1) / chunks
            let pb = bpack + t * kcB * nPad
            let pa = apack + t * mr * kcB
            var pc = 0
            while pc < kTotal {
                let kc = min(kcB, kTotal - pc)
                // B block: panel jr holds dy_grid rows jr·32…+31 transposed: pb[jr·32·kc + p·32 + j].
                for jr in 0..<(nPad / nr) {
                    let d = pb + jr * nr * kc
                    for j in 0..<nr {
                        let oc = jr * nr + j
                        if oc < o {
                            let src = dyGrid + oc * ldx + pc
                            for p in 0..<kc { d[p &* nr &+ j] = src[p] }
                        } else {
                            for p in 0..<kc { d[p &* nr &+ j] = 0 }
                        }
                    }
                }
                for ip in p0..<p1 {
                    let rows = min(mr, m - ip * mr)
                    // Row i of this panel: a pointer and an offset table (no closure allocation).
                    var base: UnsafePointer<Float>
                    var shift: UnsafePointer<Int>? = nil
                    switch src {
                    case .shifted(let xp, let off):
                        base = xp + pc; shift = off + ip * mr
                    case .im2col(let x, let g):
                        let buf = gatherC! + t * mr * kcB
                        im2colRows(x, g, rows: (ip * mr)..<(ip * mr + rows), q0: pc, len: kc, into: buf, ld: kcB)
                        base = UnsafePointer(buf)
                    }
                    for i in 0..<mr {
                        if i < rows {
                            let row = base + (shift.map { $0[i] } ?? i * kcB)
                            for p in 0..<kc { pa[p &* mr &+ i] = row[p] }
                        } else {
                            for p in 0..<kc { pa[p &* mr &+ i] = 0 }
                        }
                    }
                    for jr in 0..<(nPad / nr) {
                        SGEMM.kernel8x32(kc, UnsafePointer(pa), UnsafePointer(pb + jr * nr * kc),
                                         ct + ip * mr * nPad + jr * nr, nPad, mr: rows, nr: nr, beta: pc > 0)
                    }
                }
                pc += kc
            }
        }
        // dW[o][r] += dWᵀ[r][o]
        ctx.parallelRanges(o) { range in
            for oc in range {
                let d = dw + oc * m
                for r in 0..<m { d[r] += ct[r * nPad + oc] }
            }
        }
    }
}
