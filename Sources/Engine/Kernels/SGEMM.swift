import Foundation
/// A view of a row/column-strided matrix: element (i, j) is `ptr[i·rowStride + j·colStride]`.
public struct MatrixRef {
    public var ptr: UnsafePointer<Float>
    public var rowStride: Int
    public var colStride: Int
    public init(_ ptr: UnsafePointer<Float>, rowStride: Int, colStride: Int) {
        self.ptr = ptr; self.rowStride = rowStride; self.colStride = colStride
    }
    @inline(__always) func at(_ i: Int, _ j: Int) -> Float { ptr[i * rowStride + j * colStride] }
}

/// Where GEMM operand B (K×N) comes from; convolutions never materialise im2col, the packing
/// routine gathers the patch values straight from the CNHW input.
public enum GemmB {
    /// A dense strided matrix.
    case matrix(MatrixRef)
    /// B = im2col(x): row r = (c, ky, kx), column q = (image, oy, ox). x is CNHW.
    case im2col(UnsafePointer<Float>, ConvGeometry)
    /// B = im2col(x)ᵀ: row q = (image, oy, ox), column r = (c, ky, kx) (weight gradients).
    case im2colT(UnsafePointer<Float>, ConvGeometry)
    /// B(r, q) = base[rowOffset[r] + q]: rows are shifted contiguous views of one buffer (the
    /// zero-padded input of a stride-1 convolution on its padded output grid).
    case shifted(UnsafePointer<Float>, rowOffset: UnsafePointer<Int>)
}

/// Single-precision GEMM `C[M×N] (+)= A[M×K] · B[K×N]` with packed operands and an 8×32
/// register-tiled `SIMD16<Float>` microkernel (16 accumulators; AVX-512 FMAs with
/// `-target-cpu native`; 6×16 and 2×32 passes on hosts with fewer vector registers, `wideTile`).
/// Work is split over threads by column panels of C only, so the result does not depend on the
/// thread count.
public enum SGEMM {
    /// Rows of the microkernel tile.
    public static let mr = 8
    /// Columns of the microkernel tile (two SIMD16 vectors).
    public static let nr = 32
    /// K block: a row tile's packed A (kc×8) and the B panel (kc×nr floats, 16 KiB) its passes
    /// read in turn fit in L1 together (32 KiB here).
    public static let kc = 128
    /// Columns of B packed per block: kc×nc floats in a quarter of L2 (`HostCaches`; 512 columns,
    /// 256 KiB, with 1 MiB of L2).
    public static let nc = HostCaches.gemmColumnBlock

    /// C = A·B (accumulate false) or C += A·B (accumulate true); C is row-major with leading
    /// dimension `ldc`.
    public static func gemm(m: Int, n: Int, k: Int, a: MatrixRef, b: GemmB,
                            c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool,
                            ctx: ComputeContext) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            return
        }
        if n <= rowSplitMaxColumns && m >= 32 {
            gemmRowSplit(m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate, ctx: ctx)
            return
        }
        let mPanels = (m + mr - 1) / mr
        let pairs = (m + 15) / 16
        let pa = ctx.packA.get(pairs * 16 * k)
        // Pack all of A once: pair ip holds rows ip·16..<ip·16+16 as k groups of 16 (zero padded);
        // 8-row panel ir is its half ir % 2, read with an A stride of 16.
        ctx.parallelRanges(pairs) { range in
            for ip in range { packAPair(a, m: m, k: k, pair: ip, into: pa + ip * 16 * k) }
        }
        let nPanels = (n + nr - 1) / nr
        let chunks = min(ctx.threads, nPanels)
        for t in 0..<chunks { _ = ctx.packBBuffer(t) }  // allocate before the parallel region
        let buffers = UncheckedSendable(ctx)
        let paC = UnsafePointer(pa)
        let prefetched = prefetchedMatrix(b)
        ctx.parallel(chunks) { t in
            let p0 = nPanels * t / chunks, p1 = nPanels * (t + 1) / chunks
            let colEnd = min(n, p1 * nr)
            // Two block buffers: the kernels read `cur` while, for a prefetched B, the next block is
            // packed into `spare` a few rows after each kernel call.
            var cur = buffers.value.packB[t], spare = cur + kc * nc
            var jc = p0 * nr
            if prefetched != nil, jc < colEnd { packB(b, pc: 0, kc: min(kc, k), jc: jc, nc: min(nc, colEnd - jc), into: cur) }
            while jc < colEnd {
                let ncur = min(nc, colEnd - jc)
                var pc = 0
                while pc < k {
                    let kcur = min(kc, k - pc)
                    if prefetched == nil { packB(b, pc: pc, kc: kcur, jc: jc, nc: ncur, into: cur) }
                    let beta = accumulate || pc > 0
                    let jPanels = (ncur + nr - 1) / nr
                    let calls = jPanels * mPanels
                    let next = prefetched != nil ? nextBlock(pc: pc, kc: kcur, jc: jc, nc: ncur, k: k, colEnd: colEnd)
                                        : (rows: 0..<0, jc: 0, nc: 0)
                    let r0 = next.rows.lowerBound
                    var call = 0
                    // Row tiles outside, B panels inside: a tile's A (kc×8) stays in L1 while the
                    // block's B panels stream past it in order (conv forward and input gradient on
                    // 64² maps 1.5–3 points of peak above the panel-outer order; dense B within noise).
                    for ir in 0..<mPanels {
                        let mrCur = min(mr, m - ir * mr)
                        for jr in 0..<jPanels {
                            let bp = UnsafePointer(cur + jr * nr * kcur)
                            let nrCur = min(nr, ncur - jr * nr)
                            let cCol = c + jc + jr * nr
                            // Each call takes an equal share of the next block's rows: it prefetches them
                            // (the narrow tile spreads them over its passes) and packs them after it runs.
                            let share = next.rows.count * call / calls..<next.rows.count * (call + 1) / calls
                            var nextRows: PrefetchRows?
                            if let prefetched {
                                nextRows = PrefetchRows(matrix: prefetched, rows: r0 + share.lowerBound..<r0 + share.upperBound,
                                                        column: next.jc, bytes: next.nc * 4)
                                // Only the first K block finds its C tile in memory (later ones find it in
                                // L2); fetched for writing, as the kernel stores it.
                                if pc == 0 {
                                    for r in 0..<mrCur {
                                        Prefetch.lines(UnsafeRawPointer(cCol + (ir * mr + r) * ldc), bytes: nrCur * 4,
                                                       forWriting: true)
                                    }
                                }
                            }
                            kernel8x32(kcur, paC + (ir >> 1) * 16 * k + pc * 16 + (ir & 1) * mr, bp, cCol + ir * mr * ldc,
                                       ldc, mr: mrCur, nr: nrCur, beta: beta, aStride: 16, prefetch: nextRows)
                            if let prefetched {
                                packBRows(prefetched, pc: r0, kc: next.rows.count, jc: next.jc, nc: next.nc, rows: share,
                                          into: spare)
                            }
                            call += 1
                        }
                    }
                    if let prefetched, !next.rows.isEmpty {
                        packBPartialPanel(prefetched, pc: r0, kc: next.rows.count, jc: next.jc, nc: next.nc, into: spare)
                        swap(&cur, &spare)
                    }
                    pc += kcur
                }
                jc += ncur
            }
        }
    }

    /// Whether `gemm` prefetches B's source rows and the C tiles for the B of `prefetchedMatrix`, and
    /// packs each next B block a few rows after every kernel call rather than all at once before
    /// its kernels (`FOCAL_GEMM_PREFETCH=0` turns both off, to measure what they bring; same
    /// results either way).
    static let prefetch = ProcessInfo.processInfo.environment["FOCAL_GEMM_PREFETCH"] != "0"

    /// Rows of B that `packB` prefetches ahead of the row it copies.
    static let packPrefetchAhead = 4

    /// Rows and columns of the B block `gemm`'s column loop computes with after (pc, jc) in columns
    /// ..<colEnd: the next K block, else the first K block of the next column block (none at the end).
    static func nextBlock(pc: Int, kc kcur: Int, jc: Int, nc ncur: Int, k: Int, colEnd: Int)
        -> (rows: Range<Int>, jc: Int, nc: Int) {
        if pc + kcur < k { return (pc + kcur..<min(k, pc + kcur + kc), jc, ncur) }
        let j = jc + ncur
        return j < colEnd ? (0..<min(kc, k), j, min(nc, colEnd - j)) : (0..<0, j, 0)
    }

    /// The matrix `gemm` prefetches for this B, nil when it prefetches nothing (`prefetch` off):
    /// dense row-major B, whose rows lie far apart in memory (the hardware prefetchers follow runs
    /// within a page, not the jump to the next row); not shifted B, whose rows overlap and mostly
    /// hit the cache (prefetching them cost the convolutions 1–4 points of peak on 16² and 32²
    /// maps), nor gathers.
    static func prefetchedMatrix(_ b: GemmB) -> MatrixRef? {
        guard prefetch, case .matrix(let mref) = b, mref.colStride == 1 && mref.rowStride != 1 else { return nil }
        return mref
    }

    /// Prefetches `bytes` from column `jc` of rows `rows` of the row-major matrix `m`.
    @inline(__always)
    static func prefetchRows(_ m: MatrixRef, _ rows: Range<Int>, jc: Int, bytes: Int) {
        for r in rows { Prefetch.lines(UnsafeRawPointer(m.ptr + r * m.rowStride + jc), bytes: bytes) }
    }

    /// Widest C (columns) that `gemm` computes by splitting rows instead of column panels.
    static let rowSplitMaxColumns = 256

    /// C (+)= A·B for narrow C (n ≤ `rowSplitMaxColumns`, e.g. convolutions on 4×4 maps: M = 256,
    /// N = 128, K = 2304): threads split the 16-row pairs of A, and per K block each thread packs
    /// only its own rows of A (kept in L2 instead of packing all of A once, 4 bytes per weight
    /// written to and read back from memory) and the whole narrow B block. Every C element is
    /// computed by the same kernel calls in the same K order as in the column-split path.
    static func gemmRowSplit(m: Int, n: Int, k: Int, a: MatrixRef, b: GemmB, c: UnsafeMutablePointer<Float>, ldc: Int,
                             accumulate: Bool, ctx: ComputeContext) {
        let pairs = (m + 15) / 16
        let chunks = min(ctx.threads, pairs)
        let perThread = (pairs + chunks - 1) / chunks
        let paAll = ctx.packA.get(chunks * perThread * 16 * kc)
        for t in 0..<chunks { _ = ctx.packBBuffer(t) }  // allocate before the parallel region
        let buffers = UncheckedSendable(ctx)
        let jPanels = (n + nr - 1) / nr
        ctx.parallel(chunks) { t in
            let p0 = pairs * t / chunks, p1 = pairs * (t + 1) / chunks
            let pa = paAll + t * perThread * 16 * kc
            let pb = buffers.value.packB[t]
            var pc = 0
            while pc < k {
                let kcur = min(kc, k - pc)
                packB(b, pc: pc, kc: kcur, jc: 0, nc: n, into: pb)
                let ak = MatrixRef(a.ptr + pc * a.colStride, rowStride: a.rowStride, colStride: a.colStride)
                for ip in p0..<p1 { packAPair(ak, m: m, k: kcur, pair: ip, into: pa + (ip - p0) * 16 * kcur) }
                let beta = accumulate || pc > 0
                for jr in 0..<jPanels {
                    let bp = UnsafePointer(pb + jr * nr * kcur)
                    let nrCur = min(nr, n - jr * nr)
                    let cCol = c + jr * nr
                    for ir in (2 * p0)..<min(2 * p1, (m + mr - 1) / mr) {
                        kernel8x32(kcur, UnsafePointer(pa + ((ir >> 1) - p0) * 16 * kcur + (ir & 1) * mr), bp,
                                   cCol + ir * mr * ldc, ldc, mr: min(mr, m - ir * mr), nr: nrCur, beta: beta, aStride: 16)
                    }
                }
                pc += kcur
            }
        }
    }

    /// Packs rows pair·16..<pair·16+16 of A as dst[p·16 + i] (rows past m are zero): A with
    /// contiguous rows by 16×16 in-register transposes, A stored transposed (contiguous columns)
    /// by vector copies, anything else element by element.
    static func packAPair(_ a: MatrixRef, m: Int, k: Int, pair: Int, into dst: UnsafeMutablePointer<Float>) {
        let r0 = pair * 16
        let rows = min(16, m - r0)
        if a.colStride == 1 {
            withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: 16) { rp in
                for i in 0..<rows { rp[i] = a.ptr + (r0 + i) * a.rowStride }
                ConvKernels.packRows16(rp.baseAddress!, count: rows, len: k, readable: k, into: dst)
            }
        } else if a.rowStride == 1 {
            for p in 0..<k {
                Transpose16.store(Transpose16.loadPartial(a.ptr + p * a.colStride + r0, rows), dst + p * 16)
            }
        } else {
            if rows < 16 { dst.update(repeating: 0, count: 16 * k) }
            for p in 0..<k {
                let src = a.ptr + p * a.colStride + r0 * a.rowStride
                for r in 0..<rows { dst[p * 16 + r] = src[r * a.rowStride] }
            }
        }
    }

    /// Packs B[pc..<pc+kc, jc..<jc+nc] into panels of 32 columns: panel jr is kc rows of 32
    /// floats at `dst + jr·32·kc`; columns past nc are zero.
    static func packB(_ b: GemmB, pc: Int, kc: Int, jc: Int, nc: Int, into dst: UnsafeMutablePointer<Float>) {
        let panels = (nc + nr - 1) / nr
        switch b {
        case .matrix(let mref) where mref.colStride == 1 && mref.rowStride != 1:
            // Row by row across all full panels: each source row is read as one contiguous run
            // (panel by panel, 128 rows far apart were read 128 bytes at a time).
            let ahead = prefetch ? min(packPrefetchAhead, kc) : 0
            prefetchRows(mref, pc..<pc + ahead, jc: jc, bytes: nc * 4)
            for p in 0..<kc {
                if ahead > 0 && p + ahead < kc {
                    prefetchRows(mref, pc + p + ahead..<pc + p + ahead + 1, jc: jc, bytes: nc * 4)
                }
                packBRows(mref, pc: pc, kc: kc, jc: jc, nc: nc, rows: p..<p + 1, into: dst)
            }
            packBPartialPanel(mref, pc: pc, kc: kc, jc: jc, nc: nc, into: dst)
        case .matrix(let mref):
            for jp in 0..<panels {
                let j0 = jc + jp * nr
                let cols = min(nr, nc - jp * nr)
                packBMatrix(mref, pc: pc, kc: kc, j0: j0, cols: cols, into: dst + jp * nr * kc)
            }
        case .im2col(let x, let g):
            for jp in 0..<panels {
                let j0 = jc + jp * nr
                let cols = min(nr, nc - jp * nr)
                packBIm2col(x, g, pc: pc, kc: kc, j0: j0, cols: cols, into: dst + jp * nr * kc)
            }
        case .im2colT(let x, let g):
            for jp in 0..<panels {
                let j0 = jc + jp * nr
                let cols = min(nr, nc - jp * nr)
                packBIm2colT(x, g, pc: pc, kc: kc, j0: j0, cols: cols, into: dst + jp * nr * kc)
            }
        case .shifted(let base, let off):
            // Reads may run up to 31 floats past the last column: callers allocate that slack.
            // Row by row: each shifted source row is read as one contiguous run across the panels.
            for p in 0..<kc {
                let src0 = UnsafeRawPointer(base + (off[pc &+ p] &+ jc))
                let d0 = UnsafeMutableRawPointer(dst + p &* nr)
                for jp in 0..<panels {
                    let src = src0 + jp &* nr &* 4
                    let d = d0 + jp &* nr &* kc &* 4
                    d.storeBytes(of: src.loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                    d.storeBytes(of: src.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self), toByteOffset: 64,
                                 as: SIMD16<Float>.self)
                }
            }
        }
    }

    /// Copies rows `rows` (counted from `pc`) of the full 32-column panels of the block
    /// B[pc..<pc+kc, jc..<jc+nc] of a dense row-major B into `dst`, laid out as `packB` does:
    /// each source row is read as one contiguous run across the panels.
    @inline(__always)
    static func packBRows(_ mref: MatrixRef, pc: Int, kc: Int, jc: Int, nc: Int, rows: Range<Int>,
                          into dst: UnsafeMutablePointer<Float>) {
        for p in rows {
            let src = UnsafeRawPointer(mref.ptr + (pc + p) * mref.rowStride + jc)
            let d0 = UnsafeMutableRawPointer(dst + p * nr)
            for jp in 0..<nc / nr {
                let s = src + jp * nr * 4, d = d0 + jp * nr * kc * 4
                d.storeBytes(of: s.loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                d.storeBytes(of: s.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self), toByteOffset: 64,
                             as: SIMD16<Float>.self)
            }
        }
    }

    /// Packs the columns of the block B[pc..<pc+kc, jc..<jc+nc] past its last full 32-column panel
    /// (none when nc is a multiple of 32) as `packB` does, zero padded: what `packBRows` leaves.
    @inline(__always)
    static func packBPartialPanel(_ mref: MatrixRef, pc: Int, kc: Int, jc: Int, nc: Int,
                                  into dst: UnsafeMutablePointer<Float>) {
        let full = nc / nr
        if full * nr < nc {
            packBMatrix(mref, pc: pc, kc: kc, j0: jc + full * nr, cols: nc - full * nr, into: dst + full * nr * kc)
        }
    }

    @inline(__always)
    static func packBMatrix(_ b: MatrixRef, pc: Int, kc: Int, j0: Int, cols: Int, into dst: UnsafeMutablePointer<Float>) {
        if b.colStride == 1 && cols == nr {
            for p in 0..<kc {
                let src = UnsafeRawPointer(b.ptr + (pc + p) * b.rowStride + j0)
                let d = UnsafeMutableRawPointer(dst + p * nr)
                d.storeBytes(of: src.loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                d.storeBytes(of: src.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self),
                             toByteOffset: 64, as: SIMD16<Float>.self)
            }
            return
        }
        if b.rowStride == 1 {
            // Bᵀ stored row-major (columns of B contiguous): 16×16 in-register transposes.
            ConvKernels.packTransposedRows(b.ptr + j0 * b.colStride + pc, ld: b.colStride, rows: cols, paddedRows: nr,
                                           len: kc, readable: kc, into: dst)
            return
        }
        if cols < nr { dst.update(repeating: 0, count: kc * nr) }
        if b.colStride == 1 {
            for p in 0..<kc {
                let src = b.ptr + (pc + p) * b.rowStride + j0
                let d = dst + p * nr
                for t in 0..<cols { d[t] = src[t] }
            }
        } else {
            for t in 0..<cols {
                let src = b.ptr + (j0 + t) * b.colStride + pc * b.rowStride
                for p in 0..<kc { dst[p * nr + t] = src[p * b.rowStride] }
            }
        }
    }

    /// Packs im2col(x) rows pc..<pc+kc, columns j0..<j0+cols; each column run within one output
    /// row (image, oy) is copied with its zero-padding border handled per run. No divisions in the
    /// row loop: (channel, ky, kx) advance incrementally.
    static func packBIm2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry, pc: Int, kc: Int, j0: Int, cols: Int,
                            into dst: UnsafeMutablePointer<Float>) {
        if cols < nr { dst.update(repeating: 0, count: kc * nr) }
        let oh = g.oh, ow = g.ow, hw = oh * ow, s = g.stride, kk = g.kh * g.kw, w = g.w, h = g.h, pad = g.pad
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 4 * nr) { seg in
            // Runs: (t0, len, image base offset + oy·s·w, oy·s and ox0 packed).
            var runs = 0
            var t = 0
            var q = j0
            var img = q / hw, rem = q % hw, oy = rem / ow, ox = rem % ow
            while t < cols {
                let len = min(ow - ox, cols - t)
                seg[runs * 4] = t; seg[runs * 4 + 1] = len
                seg[runs * 4 + 2] = img * h * w
                seg[runs * 4 + 3] = (oy * s - pad) << 32 | (ox * s - pad + (1 << 31))
                runs += 1
                t += len; q += len; ox += len
                if ox == ow { ox = 0; oy += 1; if oy == oh { oy = 0; img += 1 } }
            }
            _ = rem; _ = q
            let chanStride = g.n * h * w
            var ch = pc / kk
            var k2 = pc % kk
            var ky = k2 / g.kw, kx = k2 % g.kw
            var xc = x + ch * chanStride
            for p in 0..<kc {
                let d = dst + p * nr
                for ri in 0..<runs {
                    let t0 = seg[ri * 4], len = seg[ri * 4 + 1]
                    let packed = seg[ri * 4 + 3]
                    let iy = (packed >> 32) + ky
                    let dd = d + t0
                    if iy < 0 || iy >= h { dd.update(repeating: 0, count: len); continue }
                    let row = xc + seg[ri * 4 + 2] + iy * w
                    let ix0 = (packed & 0xFFFF_FFFF) - (1 << 31) + kx
                    if s == 1 {
                        if ix0 >= 0 && ix0 &+ len <= w {
                            copyRun(row + ix0, dd, len)
                            continue
                        }
                        let uLo = min(max(0, -ix0), len), uHi = max(uLo, min(len, w &- ix0))
                        for u in 0..<uLo { dd[u] = 0 }
                        copyRun(row + (ix0 &+ uLo), dd + uLo, uHi &- uLo)
                        for u in uHi..<len { dd[u] = 0 }
                    } else {
                        let (uLo, uHi) = validRange(ix0: ix0, len: len, stride: s, width: w)
                        for u in 0..<uLo { dd[u] = 0 }
                        for u in uLo..<uHi { dd[u] = row[ix0 + u * s] }
                        for u in uHi..<len { dd[u] = 0 }
                    }
                }
                kx += 1
                if kx == g.kw {
                    kx = 0; ky += 1
                    if ky == g.kh { ky = 0; ch += 1; xc += chanStride }
                }
                _ = k2
                k2 = 0
            }
        }
    }

    /// The u in 0..<len with 0 ≤ ix0 + u·stride < width, as uLo..<uHi (empty when none).
    @inline(__always)
    static func validRange(ix0: Int, len: Int, stride s: Int, width w: Int) -> (Int, Int) {
        var uLo = 0
        if ix0 < 0 { uLo = (-ix0 + s - 1) / s }
        var uHi = len
        if ix0 + (len - 1) * s >= w { uHi = ix0 >= w ? 0 : (w - 1 - ix0) / s + 1 }
        return (min(uLo, uHi), uHi)
    }

    /// Copies `len` contiguous floats with SIMD16 moves (runs are mostly 8…32 long).
    /// Short runs use overlapping vector moves for the tail (no scalar remainder loop).
    @inline(__always)
    static func copyRun(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ len: Int) {
        typealias V16 = SIMD16<Float>
        typealias V8 = SIMD8<Float>
        if len >= 16 {
            var u = 0
            while u &+ 16 <= len {
                UnsafeMutableRawPointer(dst + u).storeBytes(of: UnsafeRawPointer(src + u).loadUnaligned(as: V16.self), as: V16.self)
                u &+= 16
            }
            if u < len {
                let t = len &- 16
                UnsafeMutableRawPointer(dst + t).storeBytes(of: UnsafeRawPointer(src + t).loadUnaligned(as: V16.self), as: V16.self)
            }
        } else if len >= 8 {
            UnsafeMutableRawPointer(dst).storeBytes(of: UnsafeRawPointer(src).loadUnaligned(as: V8.self), as: V8.self)
            let t = len &- 8
            UnsafeMutableRawPointer(dst + t).storeBytes(of: UnsafeRawPointer(src + t).loadUnaligned(as: V8.self), as: V8.self)
        } else {
            for u in 0..<len { dst[u] = src[u] }
        }
    }

    /// Packs im2col(x)ᵀ rows pc..<pc+kc (output positions), columns j0..<j0+cols (patch index).
    static func packBIm2colT(_ x: UnsafePointer<Float>, _ g: ConvGeometry, pc: Int, kc: Int, j0: Int, cols: Int,
                             into dst: UnsafeMutablePointer<Float>) {
        if cols < nr { dst.update(repeating: 0, count: kc * nr) }
        let oh = g.oh, ow = g.ow, hw = oh * ow, s = g.stride, kk = g.kh * g.kw, w = g.w, h = g.h, pad = g.pad
        let chanStride = g.n * h * w
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * nr) { tab in
            var ch = j0 / kk, k2 = j0 % kk
            var ky = k2 / g.kw, kx = k2 % g.kw
            for t in 0..<cols {
                tab[3 * t] = ch * chanStride; tab[3 * t + 1] = ky - pad; tab[3 * t + 2] = kx - pad
                kx += 1
                if kx == g.kw { kx = 0; ky += 1; if ky == g.kh { ky = 0; ch += 1 } }
            }
            _ = k2
            var p = 0
            var img = pc / hw
            let rem = pc % hw
            var oy = rem / ow, ox0 = rem % ow
            while p < kc {
                let len = min(ow - ox0, kc - p)
                let d0 = dst + p * nr
                let base = img * h * w
                for t in 0..<cols {
                    let iy = oy * s + tab[3 * t + 1]
                    let d = d0 + t
                    if iy < 0 || iy >= h {
                        for u in 0..<len { d[u * nr] = 0 }
                        continue
                    }
                    let row = x + tab[3 * t] + base + iy * w
                    let ix0 = ox0 * s + tab[3 * t + 2]
                    if s == 1 {
                        let uLo = min(max(0, -ix0), len), uHi = max(uLo, min(len, w - ix0))
                        for u in 0..<uLo { d[u * nr] = 0 }
                        for u in uLo..<uHi { d[u * nr] = row[ix0 + u] }
                        for u in uHi..<len { d[u * nr] = 0 }
                    } else {
                        let (uLo, uHi) = validRange(ix0: ix0, len: len, stride: s, width: w)
                        for u in 0..<uLo { d[u * nr] = 0 }
                        for u in uLo..<uHi { d[u * nr] = row[ix0 + u * s] }
                        for u in uHi..<len { d[u * nr] = 0 }
                    }
                }
                p += len
                ox0 += len
                if ox0 == ow { ox0 = 0; oy += 1; if oy == oh { oy = 0; img += 1 } }
            }
        }
    }
}
