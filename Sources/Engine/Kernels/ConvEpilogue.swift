/// What a convolution applies to its raw output before storing it: per-output-channel scale and
/// shift (bias, or an inference-time BatchNorm folded in: y = a·conv(x) + b), a residual tensor of
/// the output's shape added after the affine, then ReLU. Applied in the pass that already writes
/// the output (the padded grid's copy-out, the Winograd unpack) or in one pass after the GEMM.
///
/// Order per element: v ← v·scale[o] (if any) + shift[o] (if any) + residual (if any); ReLU.
struct ConvEpilogue {
    typealias V = SIMD16<Float>
    var scale: UnsafePointer<Float>?
    var shift: UnsafePointer<Float>?
    /// CNHW, same shape and layout as the output (the residual branch of a ResNet block).
    var residual: UnsafePointer<Float>?
    var relu: Bool

    static var none: ConvEpilogue { ConvEpilogue(scale: nil, shift: nil, residual: nil, relu: false) }

    var isIdentity: Bool { scale == nil && shift == nil && residual == nil && !relu }

    /// Applies the epilogue of output channel `o` to one vector; `res` is the residual at the
    /// same elements (ignored when there is no residual).
    @inline(__always)
    func apply(_ v: V, channel o: Int, residual res: V) -> V {
        var v = v
        if let scale {
            v = shift.map { v * V(repeating: scale[o]) + V(repeating: $0[o]) } ?? v * V(repeating: scale[o])
        } else if let shift {
            v += V(repeating: shift[o])
        }
        if residual != nil { v += res }
        if relu { v = v.replacing(with: 0, where: v .< 0) }
        return v
    }

    /// dst[0..<len] = epilogue(src[0..<len]) for output channel `o`; `offset` is dst's element
    /// offset in the output tensor (where the residual is read). src may equal dst.
    @inline(__always)
    func run(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ len: Int, channel o: Int, offset: Int) {
        let res = residual.map { $0 + offset }
        var i = 0
        while i &+ 16 <= len {
            let v = UnsafeRawPointer(src + i).loadUnaligned(as: V.self)
            let r = res.map { UnsafeRawPointer($0 + i).loadUnaligned(as: V.self) } ?? V()
            UnsafeMutableRawPointer(dst + i).storeBytes(of: apply(v, channel: o, residual: r), as: V.self)
            i &+= 16
        }
        if i < len {
            let n = len &- i
            var v = V(), r = V()
            for j in 0..<n { v[j] = src[i &+ j]; if let res { r[j] = res[i &+ j] } }
            let y = apply(v, channel: o, residual: r)
            for j in 0..<n { dst[i &+ j] = y[j] }
        }
    }

    /// Applies the epilogue in place to a CNHW output of `channels` × `plane` floats (threads
    /// split the channels).
    func runInPlace(_ out: UnsafeMutablePointer<Float>, channels: Int, plane: Int, ctx: ComputeContext) {
        guard !isIdentity else { return }
        ctx.parallelRanges(channels) { range in
            for o in range { run(out + o * plane, out + o * plane, plane, channel: o, offset: o * plane) }
        }
    }
}
