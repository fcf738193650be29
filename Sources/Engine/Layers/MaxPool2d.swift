/// Max pooling (k×k, stride, zero-area padding ignored as in PyTorch) on CNHW activations.
/// Training keeps the argmax of every output for the backward scatter.
public final class MaxPool2d {
    public let kernelSize: Int, stride: Int, padding: Int
    let ctx: ComputeContext
    var input: Tensor?
    var argmax: [Int32] = []
    public let output = Tensor()
    public let gradInput = Tensor()

    public init(kernelSize: Int = 3, stride: Int = 2, padding: Int = 1, ctx: ComputeContext) {
        self.kernelSize = kernelSize; self.stride = stride; self.padding = padding; self.ctx = ctx
    }

    public func forward(_ x: Tensor, training: Bool) throws -> Tensor {
        let g = ConvGeometry(n: x.n, c: x.c, h: x.h, w: x.w, kh: kernelSize, kw: kernelSize, stride: stride, pad: padding)
        guard g.oh > 0 && g.ow > 0 else { throw ShapeError(layer: "maxpool", expected: "spatial ≥ 1 after pooling", got: x.shape) }
        input = x
        output.resize(n: x.n, c: x.c, h: g.oh, w: g.ow)
        if training && argmax.count < output.count { argmax = [Int32](repeating: 0, count: output.count) }
        let planes = x.n * x.c, oh = g.oh, ow = g.ow, h = x.h, w = x.w, s = stride, pd = padding, k = kernelSize
        let xp = x.data, yp = output.data
        let vectorRows = k == 3 && s == 2 && pd == 1 && ow >= 16
        argmax.withUnsafeMutableBufferPointer { am in
            let ap = am.baseAddress
            ctx.parallelRanges(planes) { range in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: vectorRows ? Self.rowBufferCount(ow: ow) : 1) { rowBuf in
                    for pl in range {
                        let src = xp + pl * h * w, dst = yp + pl * oh * ow
                        let am = training ? ap! + pl * oh * ow : nil
                        for oy in 0..<oh {
                            var ox0 = 0
                            if vectorRows {
                                ox0 = Self.row3x3s2(src, h: h, w: w, oy: oy, ow: ow, rowBuf: rowBuf.baseAddress!,
                                                    dst: dst + oy * ow, argmax: am.map { $0 + oy * ow })
                            }
                            let y0 = max(oy * s - pd, 0), y1 = min(oy * s - pd + k, h)
                            for ox in ox0..<ow {
                                let x0 = max(ox * s - pd, 0), x1 = min(ox * s - pd + k, w)
                                var best = -Float.infinity, bi = y0 * w + x0
                                for yy in y0..<y1 {
                                    for xx in x0..<x1 where src[yy * w + xx] > best { best = src[yy * w + xx]; bi = yy * w + xx }
                                }
                                dst[oy * ow + ox] = best
                                if let am { am[oy * ow + ox] = Int32(bi) }
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// Floats of the per-thread buffer of `row3x3s2`.
    static func rowBufferCount(ow: Int) -> Int { 8 * (ow / 16 * 16 + 16) + 32 }

    /// Outputs ox < ⌊ow/16⌋·16 of output row `oy` of a 3×3/2 pad-1 pool, 16 at a time: each of
    /// the (up to) three input rows is split into its even and odd columns (−∞ at the padding),
    /// so the three taps of 16 neighbouring outputs are three contiguous vectors. Candidates are
    /// visited in the scalar loop's order (rows, then columns, strict >), so values and argmax
    /// equal its results. Returns the first output left to the scalar loop.
    static func row3x3s2(_ src: UnsafePointer<Float>, h: Int, w: Int, oy: Int, ow: Int, rowBuf: UnsafeMutablePointer<Float>,
                         dst: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>?) -> Int {
        typealias V = SIMD16<Float>
        typealias I = SIMD16<Int32>
        let full = ow / 16 * 16, count = full + 16
        let y0 = max(2 * oy - 1, 0), y1 = min(2 * oy + 2, h)
        // Padded row t[j] = x[j − 1] (−∞ outside [1, w]); even[j] = t[2j] = x[2j − 1],
        // odd[j] = t[2j + 1] = x[2j]. Output ox reads x[2ox − 1], x[2ox], x[2ox + 1] =
        // even[ox], odd[ox], even[ox + 1].
        let t = rowBuf, halves = rowBuf + 2 * count + 32
        let used = min(w, 2 * count - 1)
        t.update(repeating: -.infinity, count: 2 * count + 32)
        for (r, yy) in (y0..<y1).enumerated() {
            SGEMM.copyRun(src + yy * w, t + 1, used)
            ConvKernels.deinterleave(UnsafePointer(t), count: count, even: halves + 2 * r * count,
                                     odd: halves + (2 * r + 1) * count)
        }
        let lane = I(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)
        for o0 in Swift.stride(from: 0, to: full, by: 16) {
            var bb = V(repeating: -.infinity)
            // The scalar loop's initial argmax: (y0, max(2ox − 1, 0)).
            var ii = I(repeating: Int32(y0 * w + 2 * o0 - 1)) &+ lane
            if o0 == 0 { ii[0] = Int32(y0 * w) }
            for r in 0..<(y1 - y0) {
                let even = halves + 2 * r * count + o0, odd = even + count
                let base = I(repeating: Int32((y0 + r) * w + 2 * o0)) &+ lane  // x index 2ox
                let c0 = UnsafeRawPointer(even).loadUnaligned(as: V.self)
                var m = c0 .> bb
                bb.replace(with: c0, where: m); ii.replace(with: base &- 1, where: m)
                let c1 = UnsafeRawPointer(odd).loadUnaligned(as: V.self)
                m = c1 .> bb
                bb.replace(with: c1, where: m); ii.replace(with: base, where: m)
                let c2 = UnsafeRawPointer(even + 1).loadUnaligned(as: V.self)
                m = c2 .> bb
                bb.replace(with: c2, where: m); ii.replace(with: base &+ 1, where: m)
            }
            UnsafeMutableRawPointer(dst + o0).storeBytes(of: bb, as: V.self)
            if let argmax { UnsafeMutableRawPointer(argmax + o0).storeBytes(of: ii, as: I.self) }
        }
        return full
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { return gradInput }
        gradInput.resize(like: x)
        let planes = x.n * x.c, hw = x.plane, ohw = dy.plane
        let gp = dy.data, dp = gradInput.data
        argmax.withUnsafeBufferPointer { am in
            let ap = am.baseAddress!
            ctx.parallelRanges(planes) { range in
                for pl in range {
                    let d = dp + pl * hw
                    d.update(repeating: 0, count: hw)
                    for o in 0..<ohw { d[Int(ap[pl * ohw + o])] += gp[pl * ohw + o] }
                }
            }
        }
        return gradInput
    }
}
