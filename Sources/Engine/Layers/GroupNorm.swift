/// Group normalisation (Wu & He 2018) of CNHW activations with per-channel affine, optionally
/// fused with ReLU: statistics per (image, group of C/G channels) over channels × H × W.
/// An alternative to BatchNorm in the RetinaNet heads (batch-size independent).
public final class GroupNorm {
    public let weight: Parameter, bias: Parameter
    public let channels: Int, groups: Int
    public let eps: Float = 1e-5
    public let fusedReLU: Bool
    let ctx: ComputeContext
    var input: Tensor?
    var stats: [Float] = []  // (mean, invStd) per (image, group)
    public let output = Tensor()
    public let gradInput = Tensor()

    public init(name: String, groups: Int, channels: Int, fusedReLU: Bool = false, ctx: ComputeContext) {
        precondition(channels % groups == 0, "GroupNorm: \(channels) channels not divisible by \(groups) groups")
        self.channels = channels; self.groups = groups; self.fusedReLU = fusedReLU; self.ctx = ctx
        weight = Parameter(name: name + ".weight", shape: [channels])
        bias = Parameter(name: name + ".bias", shape: [channels])
        weight.fill(1); bias.fill(0)
        weight.decayMultiplier = 0; bias.decayMultiplier = 0
    }

    /// Another application of the same γ, β (shared head across levels).
    public init(sharing o: GroupNorm) {
        weight = o.weight; bias = o.bias; channels = o.channels; groups = o.groups
        fusedReLU = o.fusedReLU; ctx = o.ctx
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func forward(_ x: Tensor) throws -> Tensor {
        guard x.c == channels else { throw ShapeError(layer: weight.name, expected: "C=\(channels)", got: x.shape) }
        input = x
        output.resize(like: x)
        let n = x.n, hw = x.plane, cpg = channels / groups, chan = x.channelStride
        if stats.count < 2 * n * groups { stats = [Float](repeating: 0, count: 2 * n * groups) }
        let xp = x.data, yp = output.data, g = weight.value.data, b = bias.value.data, relu = fusedReLU, e = eps
        stats.withUnsafeMutableBufferPointer { st in
            let sp = st.baseAddress!
            ctx.parallelRanges(n * groups) { range in
                for ig in range {
                    let i = ig / groups, gr = ig % groups
                    var s: Float = 0
                    for c in (gr * cpg)..<((gr + 1) * cpg) { s += Reduce.sum(xp + c * chan + i * hw, hw) }
                    let cnt = Float(cpg * hw), mu = s / cnt
                    var v: Float = 0
                    for c in (gr * cpg)..<((gr + 1) * cpg) { v += Reduce.sumSquaredDeviation(xp + c * chan + i * hw, hw, mu) }
                    let istd = 1 / (v / cnt + e).squareRoot()
                    sp[2 * ig] = mu; sp[2 * ig + 1] = istd
                    for c in (gr * cpg)..<((gr + 1) * cpg) {
                        let a = g[c] * istd, sh = b[c] - mu * a
                        let src = xp + c * chan + i * hw, dst = yp + c * chan + i * hw
                        if relu { for t in 0..<hw { dst[t] = max(src[t] * a + sh, 0) } }
                        else { for t in 0..<hw { dst[t] = src[t] * a + sh } }
                    }
                }
            }
        }
        return output
    }

    /// Accumulates dγ, dβ (per channel, over images in order) and returns dL/dx.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { return gradInput }
        gradInput.resize(like: x)
        let n = x.n, hw = x.plane, cpg = channels / groups, chan = x.channelStride
        let xp = x.data, yp = output.data, dyp = dy.data, dxp = gradInput.data
        let g = weight.value.data, gw = weight.grad.data, gb = bias.grad.data, relu = fusedReLU
        stats.withUnsafeBufferPointer { st in
            let sp = st.baseAddress!
            // Masked upstream gradient into dx, then per-channel dγ/dβ (parallel over channels).
            ctx.parallelRanges(channels) { range in
                for c in range {
                    let gr = c / cpg
                    var sg: Float = 0, sb: Float = 0
                    for i in 0..<n {
                        let off = c * chan + i * hw
                        let d = dxp + off
                        if relu { for t in 0..<hw { d[t] = yp[off + t] > 0 ? dyp[off + t] : 0 } }
                        else { d.update(from: dyp + off, count: hw) }
                        let mu = sp[2 * (i * groups + gr)], istd = sp[2 * (i * groups + gr) + 1]
                        let sd = Reduce.sum(d, hw)
                        sg += istd * (Reduce.dot(UnsafePointer(d), xp + off, hw) - mu * sd)
                        sb += sd
                    }
                    gw[c] += sg; gb[c] += sb
                }
            }
            ctx.parallelRanges(n * groups) { range in
                for ig in range {
                    let i = ig / groups, gr = ig % groups
                    let mu = sp[2 * ig], istd = sp[2 * ig + 1]
                    // dx̂ = dy·γ; dx = istd/M · (M·dx̂ − Σdx̂ − x̂·Σ(dx̂·x̂))
                    var s1: Float = 0, s2: Float = 0
                    for c in (gr * cpg)..<((gr + 1) * cpg) {
                        let off = c * chan + i * hw
                        let sd = Reduce.sum(dxp + off, hw)
                        s1 += g[c] * sd
                        s2 += g[c] * istd * (Reduce.dot(UnsafePointer(dxp + off), xp + off, hw) - mu * sd)
                    }
                    let cnt = Float(cpg * hw)
                    let k2 = s1 / cnt, k3 = s2 / cnt
                    for c in (gr * cpg)..<((gr + 1) * cpg) {
                        let off = c * chan + i * hw
                        let d = dxp + off, xr = xp + off, gc = g[c]
                        for t in 0..<hw { d[t] = istd * (gc * d[t] - k2 - k3 * (xr[t] - mu) * istd) }
                    }
                }
            }
        }
        return gradInput
    }
}
