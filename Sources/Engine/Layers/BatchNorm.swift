/// Per-channel batch normalisation of CNHW activations, optionally fused with ReLU.
///
/// `.train`: normalises with the batch statistics (biased variance) and updates the running
/// statistics with `momentum` (PyTorch convention, unbiased variance for the running value).
/// `.frozen`: y = γ·(x − μ_run)/√(σ²_run + ε) + β with fixed statistics (the paper's frozen BN);
/// γ, β still receive gradients, and are updated only if their `trainable` flag is set.
/// Inference (`training: false`) always uses the running statistics.
public final class BatchNorm {
    public enum Mode: String, Sendable { case train, frozen }
    public var mode: Mode
    public let weight: Parameter, bias: Parameter, runningMean: Parameter, runningVar: Parameter
    public let channels: Int
    public let eps: Float = 1e-5
    public let momentum: Float = 0.1
    public let fusedReLU: Bool
    let ctx: ComputeContext
    var input: Tensor?
    var usedBatchStats = false
    /// Per-channel 1/√(var+ε) and the affine scale/shift used by the last forward.
    var invStd: [Float], scale: [Float], shift: [Float], mean: [Float]
    public let output = Tensor()
    public let gradInput = Tensor()
    /// Inference affine of the running statistics: scale at 0..<C, shift at C..<2C (`inferenceAffine`).
    let affine: Tensor

    public init(name: String, channels: Int, mode: Mode = .train, fusedReLU: Bool = false, ctx: ComputeContext) {
        self.channels = channels; self.mode = mode; self.fusedReLU = fusedReLU; self.ctx = ctx
        weight = Parameter(name: name + ".weight", shape: [channels])
        bias = Parameter(name: name + ".bias", shape: [channels])
        runningMean = Parameter(name: name + ".running_mean", shape: [channels], isBuffer: true)
        runningVar = Parameter(name: name + ".running_var", shape: [channels], isBuffer: true)
        weight.fill(1); bias.fill(0); runningVar.fill(1)
        weight.decayMultiplier = 0; bias.decayMultiplier = 0
        invStd = [Float](repeating: 0, count: channels); scale = invStd; shift = invStd; mean = invStd
        affine = Tensor(n: 1, c: 2 * channels, h: 1, w: 1)
    }

    /// The running-statistics forward as an affine map for a preceding convolution to apply in
    /// its output pass (inference BN folding): `affine` of the running statistics, as
    /// `forward(training: false)` computes it, so the folded output is bitwise the unfolded one.
    /// Recomputed on every call (C values), so it never goes stale.
    func inferenceAffine() -> (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>) {
        let g = weight.value.data, b = bias.value.data, rm = runningMean.value.data, rv = runningVar.value.data
        let sc = affine.data, sh = affine.data + channels
        for c in 0..<channels {
            (_, sc[c], sh[c]) = BatchNorm.affine(gamma: g[c], beta: b[c], mean: rm[c], variance: rv[c], eps: eps)
        }
        return (UnsafePointer(sc), UnsafePointer(sh))
    }

    /// y = a·x + b for one channel: istd = 1/√(σ² + ε), a = γ·istd, b = β − μ·a. The forward pass
    /// and `inferenceAffine` both use it, so a folded convolution matches this layer bit for bit.
    @inline(__always)
    static func affine(gamma: Float, beta: Float, mean: Float, variance: Float, eps: Float) -> (istd: Float, a: Float, b: Float) {
        let istd = 1 / (variance + eps).squareRoot()
        let a = gamma * istd
        return (istd, a, beta - mean * a)
    }

    /// Trainable parameters and buffers (running statistics) for checkpoints.
    public var parameters: [Parameter] { [weight, bias, runningMean, runningVar] }

    public func forward(_ x: Tensor, training: Bool) throws -> Tensor {
        guard x.c == channels else { throw ShapeError(layer: weight.name, expected: "C=\(channels)", got: x.shape) }
        input = x
        output.resize(like: x)
        let m = x.channelStride
        let batch = training && mode == .train
        usedBatchStats = batch
        let xp = x.data, yp = output.data, relu = fusedReLU
        let g = weight.value.data, b = bias.value.data, rm = runningMean.value.data, rv = runningVar.value.data
        let mom = momentum, e = eps
        ctx.timed("batchnorm.forward", flops: 0) {
        invStd.withUnsafeMutableBufferPointer { inv in scale.withUnsafeMutableBufferPointer { sc in
        shift.withUnsafeMutableBufferPointer { sh in mean.withUnsafeMutableBufferPointer { mu in
            let invP = inv.baseAddress!, scP = sc.baseAddress!, shP = sh.baseAddress!, muP = mu.baseAddress!
            ctx.parallelRanges(channels) { range in
                for c in range {
                    let row = xp + c * m
                    var mc: Float, vc: Float
                    if batch {
                        let s = Reduce.sum(row, m)
                        mc = s / Float(m)
                        vc = Reduce.sumSquaredDeviation(row, m, mc) / Float(m)
                        rm[c] = (1 - mom) * rm[c] + mom * mc
                        rv[c] = (1 - mom) * rv[c] + mom * vc * Float(m) / Float(max(m - 1, 1))
                    } else {
                        mc = rm[c]; vc = rv[c]
                    }
                    let (istd, a, sb) = BatchNorm.affine(gamma: g[c], beta: b[c], mean: mc, variance: vc, eps: e)
                    muP[c] = mc; invP[c] = istd
                    scP[c] = a; shP[c] = sb
                    let out = yp + c * m
                    if relu { for i in 0..<m { out[i] = max(row[i] * a + sb, 0) } }
                    else { for i in 0..<m { out[i] = row[i] * a + sb } }
                }
            }
        } } } }
        }
        return output
    }

    /// Accumulates dγ, dβ and returns dL/dx.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { return gradInput }
        gradInput.resize(like: x)
        let m = x.channelStride
        let xp = x.data, yp = output.data, dyp = dy.data, dxp = gradInput.data
        let gw = weight.grad.data, gb = bias.grad.data, relu = fusedReLU, batch = usedBatchStats
        ctx.timed("batchnorm.backward", flops: 0) {
        invStd.withUnsafeBufferPointer { inv in scale.withUnsafeBufferPointer { sc in mean.withUnsafeBufferPointer { mu in
            let invP = inv.baseAddress!, scP = sc.baseAddress!, muP = mu.baseAddress!
            ctx.parallelRanges(channels) { range in
                for c in range {
                    let xr = xp + c * m, yr = yp + c * m, dr = dyp + c * m, dx = dxp + c * m
                    let mc = muP[c], istd = invP[c]
                    // One read pass for both sums (upstream gradient masked by y > 0 on the fly),
                    // one pass writing dx: the channel (3 × 512 KiB for the stem's) streams twice.
                    let (sumDy, sumDyX) = Reduce.sumAndDot(dr, mask: relu ? UnsafePointer(yr) : nil, xr, m)
                    // Σ dy·x̂ = istd·(Σ dy·x − μ Σ dy)
                    let sumDyXhat = istd * (sumDyX - mc * sumDy)
                    gw[c] += sumDyXhat
                    gb[c] += sumDy
                    let a = scP[c]
                    if batch {
                        // dx = γ·istd/M · (M·dy − Σdy − x̂·Σ(dy·x̂))
                        let inv = 1 / Float(m)
                        let k1 = a, k2 = a * sumDy * inv, k3 = a * istd * sumDyXhat * inv
                        if relu { for i in 0..<m { dx[i] = k1 * (yr[i] > 0 ? dr[i] : 0) - k2 - k3 * (xr[i] - mc) } }
                        else { for i in 0..<m { dx[i] = k1 * dr[i] - k2 - k3 * (xr[i] - mc) } }
                    } else {
                        if relu { for i in 0..<m { dx[i] = (yr[i] > 0 ? dr[i] : 0) * a } }
                        else { for i in 0..<m { dx[i] = dr[i] * a } }
                    }
                }
            }
        } } }
        }
        return gradInput
    }
}

/// Vectorised reductions over contiguous floats (SIMD16 partial sums).
enum Reduce {
    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var s = SIMD16<Float>(), i = 0
        while i + 16 <= n { s += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self); i += 16 }
        var t = s.hsum
        while i < n { t += p[i]; i += 1 }
        return t
    }
    @inline(__always)
    static func sum(_ p: UnsafeMutablePointer<Float>, _ n: Int) -> Float { sum(UnsafePointer(p), n) }

    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var s = SIMD16<Float>(), i = 0
        while i + 16 <= n {
            s = s.addingProduct(UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self),
                                UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self))
            i += 16
        }
        var t = s.hsum
        while i < n { t += a[i] * b[i]; i += 1 }
        return t
    }
    @inline(__always)
    static func dot(_ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, _ n: Int) -> Float {
        dot(UnsafePointer(a), UnsafePointer(b), n)
    }

    /// (Σ d, Σ d·x) with d = dy masked to 0 where mask ≤ 0 (no mask: d = dy), in one pass; the
    /// same operations as `sum` and `dot` over a materialised d.
    @inline(__always)
    static func sumAndDot(_ dy: UnsafePointer<Float>, mask: UnsafePointer<Float>?, _ x: UnsafePointer<Float>,
                          _ n: Int) -> (Float, Float) {
        typealias V = SIMD16<Float>
        var s = V(), sx = V(), i = 0
        while i + 16 <= n {
            var d = UnsafeRawPointer(dy + i).loadUnaligned(as: V.self)
            if let mask { d.replace(with: 0, where: .!(UnsafeRawPointer(mask + i).loadUnaligned(as: V.self) .> 0)) }
            s += d
            sx = sx.addingProduct(d, UnsafeRawPointer(x + i).loadUnaligned(as: V.self))
            i += 16
        }
        var t = s.hsum, tx = sx.hsum
        while i < n {
            let d = mask.map { $0[i] > 0 ? dy[i] : 0 } ?? dy[i]
            t += d; tx += d * x[i]; i += 1
        }
        return (t, tx)
    }

    /// Σ (x − mean)².
    @inline(__always)
    static func sumSquaredDeviation(_ p: UnsafePointer<Float>, _ n: Int, _ mean: Float) -> Float {
        var s = SIMD16<Float>(), i = 0
        let mv = SIMD16<Float>(repeating: mean)
        while i + 16 <= n {
            let d = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self) - mv
            s = s.addingProduct(d, d); i += 16
        }
        var t = s.hsum
        while i < n { let d = p[i] - mean; t += d * d; i += 1 }
        return t
    }
    @inline(__always)
    static func sumSquaredDeviation(_ p: UnsafeMutablePointer<Float>, _ n: Int, _ mean: Float) -> Float {
        sumSquaredDeviation(UnsafePointer(p), n, mean)
    }
}
