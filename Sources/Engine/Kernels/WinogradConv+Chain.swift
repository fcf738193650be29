/// The passes between chained Winograd convolutions that stay in the padded blocked layout (the
/// RetinaNet head towers, `HeadBranch`; a BasicBlock's two convs at inference): bias (or folded
/// BatchNorm) + ReLU forward, ReLU mask + bias gradient backward.
/// They replace an unpack to CNHW and a pack back (two transposes and two passes over memory each).
/// Only pixel positions are written, so the destination's zero border and tile overhang stay zero.
extension WinogradConv {
    /// Pixel positions per work item of `biasReLU`.
    static let chainChunk = 1024

    /// dst(p) = max(0, src(p)·scale + bias) at every pixel position p of `plan` (`c` channels, a
    /// multiple of 16; scale nil: no multiply, bias nil: no shift — a folded inference BatchNorm
    /// passes both). The same operations as `unpack` with that `ConvEpilogue`, so a chained conv
    /// sees bit for bit the input a packed one would.
    static func biasReLU(_ plan: WinogradPlan, _ src: UnsafePointer<Float>, channels c: Int,
                         scale: UnsafePointer<Float>? = nil, bias: UnsafePointer<Float>?,
                         into dst: UnsafeMutablePointer<Float>, ctx: ComputeContext) {
        precondition(c % 16 == 0, "biasReLU: \(c) channels, not a multiple of 16")
        let nb = c / 16, pv = plan.padVectors, off = plan.posOffset, positions = plan.positions
        let chunks = (positions + chainChunk - 1) / chainChunk
        ctx.parallelRanges(nb * chunks) { range in
            for item in range {
                let cb = item / chunks, p0 = (item % chunks) * chainChunk, p1 = min(positions, p0 + chainChunk)
                let a = scale.map { UnsafeRawPointer($0 + cb * 16).loadUnaligned(as: V.self) }
                let b = bias.map { UnsafeRawPointer($0 + cb * 16).loadUnaligned(as: V.self) }
                let s = UnsafeRawPointer(src + cb * pv * 16), d = UnsafeMutableRawPointer(dst + cb * pv * 16)
                for p in p0..<p1 {
                    let o = Int(off[p]) &* 64
                    var v = s.loadUnaligned(fromByteOffset: o, as: V.self)
                    if let a { v *= a }
                    if let b { v += b }
                    d.storeBytes(of: v.replacing(with: 0, where: v .< 0), toByteOffset: o, as: V.self)
                }
            }
        }
    }

    /// dst(p) = src(p) where act(p) > 0, else 0, at every pixel position p (`c` channels, a
    /// multiple of 16), and biasGrad[ch] += Σ_p dst(p, ch). Each channel block is summed by one
    /// thread in position order, so the result does not depend on the thread count.
    static func reluMask(_ plan: WinogradPlan, _ src: UnsafePointer<Float>, activation act: UnsafePointer<Float>,
                         channels c: Int, into dst: UnsafeMutablePointer<Float>, biasGrad: UnsafeMutablePointer<Float>?,
                         ctx: ComputeContext) {
        precondition(c % 16 == 0, "reluMask: \(c) channels, not a multiple of 16")
        let nb = c / 16, pv = plan.padVectors, off = plan.posOffset, positions = plan.positions
        ctx.parallelRanges(nb) { range in
            for cb in range {
                let s = UnsafeRawPointer(src + cb * pv * 16), a = UnsafeRawPointer(act + cb * pv * 16)
                let d = UnsafeMutableRawPointer(dst + cb * pv * 16)
                var sum = V()
                for p in 0..<positions {
                    let o = Int(off[p]) &* 64
                    let g = s.loadUnaligned(fromByteOffset: o, as: V.self)
                    let m = g.replacing(with: 0, where: .!(a.loadUnaligned(fromByteOffset: o, as: V.self) .> 0))
                    d.storeBytes(of: m, toByteOffset: o, as: V.self)
                    sum += m
                }
                if let bg = biasGrad { for r in 0..<16 { bg[cb * 16 + r] += sum[r] } }
            }
        }
    }
}
