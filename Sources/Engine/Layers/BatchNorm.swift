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
                    Rows.affine(row, into: yp + c * m, m, a, sb, relu: relu)
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
                    let mask = relu ? UnsafePointer(yr) : nil
                    if batch {
                        // dx = γ·istd/M · (M·dy − Σdy − x̂·Σ(dy·x̂))
                        let inv = 1 / Float(m)
                        Rows.batchNormGrad(dr, mask: mask, x: xr, into: dx, m, k1: a, k2: a * sumDy * inv,
                                           k3: a * istd * sumDyXhat * inv, mean: mc)
                    } else {
                        Rows.scaledGrad(dr, mask: mask, into: dx, m, a)
                    }
                }
            }
        } } }
        }
        return gradInput
    }
}

/// Elementwise row passes of `BatchNorm` written with explicit `SIMD16` vectors and a scalar
/// tail (the plain scalar loops compiled to 4-lane and scalar code). Same operations per element
/// as the scalar formulas in the comments, so results are bitwise those of the scalar loops;
/// max(v, 0) keeps Swift's `max` semantics (v ≤ 0 → +0, NaN stays).
enum Rows {
    typealias V = SIMD16<Float>

    /// out[i] = x[i]·a + b (then max(·, 0) when `relu`).
    @inline(__always)
    static func affine(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, _ n: Int, _ a: Float, _ b: Float,
                       relu: Bool) {
        let av = V(repeating: a), bv = V(repeating: b)
        var i = 0
        while i &+ 16 <= n {
            var v = UnsafeRawPointer(x + i).loadUnaligned(as: V.self) * av + bv
            if relu { v.replace(with: 0, where: v .<= 0) }
            UnsafeMutableRawPointer(out + i).storeBytes(of: v, as: V.self)
            i &+= 16
        }
        while i < n { let v = x[i] * a + b; out[i] = relu ? max(v, 0) : v; i &+= 1 }
    }

    /// dx[i] = k1·d[i] − k2 − k3·(x[i] − mean), d = dy masked to 0 where mask ≤ 0 (no mask: dy).
    @inline(__always)
    static func batchNormGrad(_ dy: UnsafePointer<Float>, mask: UnsafePointer<Float>?, x: UnsafePointer<Float>,
                              into dx: UnsafeMutablePointer<Float>, _ n: Int, k1: Float, k2: Float, k3: Float, mean: Float) {
        let k1v = V(repeating: k1), k2v = V(repeating: k2), k3v = V(repeating: k3), mv = V(repeating: mean)
        var i = 0
        while i &+ 16 <= n {
            var d = UnsafeRawPointer(dy + i).loadUnaligned(as: V.self)
            if let mask { d.replace(with: 0, where: .!(UnsafeRawPointer(mask + i).loadUnaligned(as: V.self) .> 0)) }
            let v = k1v * d - k2v - k3v * (UnsafeRawPointer(x + i).loadUnaligned(as: V.self) - mv)
            UnsafeMutableRawPointer(dx + i).storeBytes(of: v, as: V.self)
            i &+= 16
        }
        while i < n {
            let d = mask.map { $0[i] > 0 ? dy[i] : 0 } ?? dy[i]
            dx[i] = k1 * d - k2 - k3 * (x[i] - mean); i &+= 1
        }
    }

    /// dx[i] = d[i]·a, d = dy masked to 0 where mask ≤ 0 (no mask: dy).
    @inline(__always)
    static func scaledGrad(_ dy: UnsafePointer<Float>, mask: UnsafePointer<Float>?, into dx: UnsafeMutablePointer<Float>,
                           _ n: Int, _ a: Float) {
        let av = V(repeating: a)
        var i = 0
        while i &+ 16 <= n {
            var d = UnsafeRawPointer(dy + i).loadUnaligned(as: V.self)
            if let mask { d.replace(with: 0, where: .!(UnsafeRawPointer(mask + i).loadUnaligned(as: V.self) .> 0)) }
            UnsafeMutableRawPointer(dx + i).storeBytes(of: d * av, as: V.self)
            i &+= 16
        }
        while i < n { dx[i] = (mask.map { $0[i] > 0 ? dy[i] : 0 } ?? dy[i]) * a; i &+= 1 }
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
