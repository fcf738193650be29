extension ConvKernels {
    /// K block (output positions) of the weight-gradient GEMM.
    static let weightGradKC = 256

    /// dW[O, C·k·k] += dy_grid · im2col_gridᵀ on the padded grid, as the transposed product
    /// dWᵀ[patch × O] = Y[patch × q] · dy_gridᵀ[q × O] with the 8×32 broadcast microkernel:
    /// A panels are 8 shifted input rows interleaved per q (packed per K block), B is dy_gridᵀ
    /// (O ≤ a few hundred columns, packed per K block). Threads split the patch rows.
    static func weightGradShiftedGEMM(xp: UnsafePointer<Float>, rowOffset off: UnsafePointer<Int>, patch m: Int,
                                      gridColumns kTotal: Int, dyGrid: UnsafePointer<Float>, ldx: Int, outChannels o: Int,
                                      dw: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        let mr = SGEMM.mr, nr = SGEMM.nr, kcB = weightGradKC
        let nPad = (o + nr - 1) / nr * nr
        let mPanels = (m + mr - 1) / mr
        let chunks = min(ctx.threads, mPanels)
        let ct = ctx.scratch2.get(mPanels * mr * nPad)
        let apack = ctx.weightScratch.get(chunks * mr * kcB)
        let bpack = ctx.padScratch2.get(chunks * kcB * nPad)
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
                    for i in 0..<mr {
                        if i < rows {
                            let src = xp + (off[ip * mr + i] + pc)
                            for p in 0..<kc { pa[p &* mr &+ i] = src[p] }
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
