/// Stride-2 convolutions on the phase-decomposed grid (layout: see `ConvKernels+Padded.swift`):
/// splitting the input into its 2×2 phases, merging phase planes back (input gradient), and the
/// input gradient itself as one GEMM on the grid plus contiguous shifted adds (a vectorised
/// col2im).
extension ConvKernels {
    /// Floats of the per-thread row buffer of `padPhases` / `unpadPhases`.
    static func phaseRowCapacity(_ g: ConvGeometry, _ grid: PaddedGrid) -> Int {
        max(2 * ((grid.wp + 15) / 16 * 16), g.pad + g.w) + 64
    }

    /// Writes the phase planes of CNHW x (stride 2): plane (c, py, px) row (image, yq) holds the
    /// zero-padded input row 2·yq + py at columns 2·xq + px. Every grid float is written (zeros
    /// where the padded input is zero), plus the zero tail of each plane and of the buffer.
    static func padPhases(_ x: UnsafePointer<Float>, _ g: ConvGeometry, _ grid: PaddedGrid,
                          into xp: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        let used = g.c * grid.phases * grid.channelStride
        (xp + used).update(repeating: 0, count: grid.bufferCount - used)
        let cap = phaseRowCapacity(g, grid)
        let wp = grid.wp, hp = grid.hp, cs = grid.channelStride, plane = grid.plane
        let phY = grid.phasesY, phX = grid.phasesX, pad = g.pad, h = g.h, w = g.w, n = g.n
        // Items are (channel, image) pairs: the stem has 3 channels, which 2 threads split 1 : 2.
        ctx.parallelRanges(g.c * n) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: cap) { tb in
                let tmp = tb.baseAddress!
                tmp.initialize(repeating: 0, count: cap)  // zero borders; only [pad, pad + w) is rewritten
                for item in range {
                    let c = item / n, i = item % n
                    let block = xp + c * grid.phases * cs
                    if i == n - 1 {
                        for ph in 0..<grid.phases {
                            let p = block + ph * cs
                            (p + n * plane).update(repeating: 0, count: cs - n * plane)
                        }
                    }
                    for yq in 0..<hp {
                        for py in 0..<phY {
                            let d0 = block + (py * phX) * cs + i * plane + yq * wp
                            let iy = 2 * yq + py - pad
                            if iy < 0 || iy >= h {
                                for px in 0..<phX { (d0 + px * cs).update(repeating: 0, count: wp) }
                                continue
                            }
                            SGEMM.copyRun(x + ((c * n + i) * h + iy) * w, tmp + pad, w)
                            deinterleave(UnsafePointer(tmp), count: wp, even: d0, odd: phX > 1 ? d0 + cs : nil)
                        }
                    }
                }
            }
        }
    }

    /// even[j] = src[2j], odd[j] = src[2j + 1] for j < count (src readable to 2·⌈count/16⌉·16).
    @inline(never)
    static func deinterleave(_ src: UnsafePointer<Float>, count: Int, even: UnsafeMutablePointer<Float>,
                             odd: UnsafeMutablePointer<Float>?) {
        let full = count / 16 * 16
        var j = 0
        while j < full {
            let v = UnsafeRawPointer(src + 2 * j).loadUnaligned(as: SIMD32<Float>.self)
            UnsafeMutableRawPointer(even + j).storeBytes(of: v.evenHalf, as: SIMD16<Float>.self)
            if let odd { UnsafeMutableRawPointer(odd + j).storeBytes(of: v.oddHalf, as: SIMD16<Float>.self) }
            j += 16
        }
        while j < count {
            even[j] = src[2 * j]
            if let odd { odd[j] = src[2 * j + 1] }
            j += 1
        }
    }

    /// dst[2j] = even[j], dst[2j + 1] = odd?[j] ?? 0 for j < count; dst[2·count…] = 0 up to `zeroTo`.
    @inline(never)
    static func interleave(even: UnsafePointer<Float>, odd: UnsafePointer<Float>?, count: Int,
                           into dst: UnsafeMutablePointer<Float>, zeroTo: Int) {
        let full = count / 16 * 16
        var j = 0
        while j < full {
            var r = SIMD32<Float>()
            r.evenHalf = UnsafeRawPointer(even + j).loadUnaligned(as: SIMD16<Float>.self)
            if let odd { r.oddHalf = UnsafeRawPointer(odd + j).loadUnaligned(as: SIMD16<Float>.self) }
            UnsafeMutableRawPointer(dst + 2 * j).storeBytes(of: r, as: SIMD32<Float>.self)
            j += 16
        }
        while j < count {
            dst[2 * j] = even[j]
            dst[2 * j + 1] = odd?[j] ?? 0
            j += 1
        }
        if zeroTo > 2 * count { (dst + 2 * count).update(repeating: 0, count: zeroTo - 2 * count) }
    }

    /// dx (CNHW, overwritten) from the phase planes of the padded input gradient: pixel (iy, ix)
    /// reads plane ((iy + pad) mod 2, (ix + pad) mod 2) at ((iy + pad)/2, (ix + pad)/2); pixels
    /// outside the grid (never read by the convolution) get 0.
    static func unpadPhases(_ xp: UnsafePointer<Float>, _ g: ConvGeometry, _ grid: PaddedGrid,
                            into dx: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        let cap = phaseRowCapacity(g, grid)
        let wp = grid.wp, hp = grid.hp, cs = grid.channelStride, plane = grid.plane
        let phY = grid.phasesY, phX = grid.phasesX, pad = g.pad, h = g.h, w = g.w, n = g.n
        ctx.parallelRanges(g.c) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: cap) { tb in
                let tmp = tb.baseAddress!
                tmp.initialize(repeating: 0, count: cap)
                for c in range {
                    let block = xp + c * grid.phases * cs
                    for i in 0..<n {
                        for iy in 0..<h {
                            let d = dx + ((c * n + i) * h + iy) * w
                            let yy = iy + pad, py = yy & 1, yq = yy >> 1
                            if py >= phY || yq >= hp { d.update(repeating: 0, count: w); continue }
                            let s0 = block + (py * phX) * cs + i * plane + yq * wp
                            interleave(even: s0, odd: phX > 1 ? s0 + cs : nil, count: wp, into: tmp, zeroTo: cap - 32)
                            SGEMM.copyRun(UnsafePointer(tmp + pad), d, w)
                        }
                    }
                }
            }
        }
    }

    /// dx (CNHW, overwritten) of a stride-2 convolution: col[C·k·k, grid] = Wᵀ · dy_grid by one
    /// GEMM, then each channel's k·k rows are added into its phase planes at their row offsets
    /// (contiguous vector adds, fixed order, channels split over threads), and the planes are
    /// merged back into the input layout.
    static func inputGradPhases(dy: UnsafePointer<Float>, _ g: ConvGeometry, w: UnsafePointer<Float>, outChannels o: Int,
                                dx: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        let grid = PaddedGrid(g)
        let n = grid.columns, ldx = gridRowStride(grid), k = g.patch, kk = g.kh * g.kw
        let dext = ctx.scratch.get(o * ldx)
        spread(dy, g, grid, channels: o, into: dext, ctx: ctx)
        let col = ctx.scratch2.get(k * ldx)
        SGEMM.gemm(m: k, n: n, k: o, a: MatrixRef(w, rowStride: 1, colStride: k),
                   b: .matrix(MatrixRef(UnsafePointer(dext), rowStride: ldx, colStride: 1)), c: col, ldc: ldx,
                   accumulate: false, ctx: ctx)
        let off = UnsafePointer(rowOffsets(g, grid, ctx: ctx))
        let dxp = ctx.padScratch.get(grid.bufferCount)
        let blockCount = grid.phases * grid.channelStride
        ctx.parallelRanges(g.c) { range in
            for c in range {
                (dxp + c * blockCount).update(repeating: 0, count: blockCount)
                for t in 0..<kk {
                    let r = c * kk + t
                    addRun(UnsafePointer(col + r * ldx), dxp + off[r], n)
                }
            }
        }
        unpadPhases(UnsafePointer(dxp), g, grid, into: dx, ctx: ctx)
    }

    /// dst[0..<len] += src[0..<len].
    @inline(__always)
    static func addRun(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ len: Int) {
        typealias V = SIMD16<Float>
        var u = 0
        while u &+ 16 <= len {
            let d = UnsafeMutableRawPointer(dst + u)
            d.storeBytes(of: d.loadUnaligned(as: V.self) + UnsafeRawPointer(src + u).loadUnaligned(as: V.self), as: V.self)
            u &+= 16
        }
        while u < len { dst[u] += src[u]; u &+= 1 }
    }
}
