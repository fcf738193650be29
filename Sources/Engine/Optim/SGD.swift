/// SGD with momentum and weight decay, PyTorch's formulation:
/// v ← μ·v + (g + wd·decayMult·w);  w ← w − lr·lrMult·v.
/// Per-parameter multipliers come from `Parameter` (Detectron: biases 2× LR, no decay; norm
/// parameters no decay). Frozen parameters and buffers are skipped.
public final class SGD {
    public let parameters: [Parameter]
    public var momentum: Float
    public var weightDecay: Float

    /// Splits `step` and `zeroGrad` over its threads (nil or 1 thread: sequential). Every element
    /// is updated by the same operations either way, so results do not depend on the thread count.
    public var ctx: ComputeContext?

    public init(parameters: [Parameter], momentum: Float = 0.9, weightDecay: Float = 1e-4, ctx: ComputeContext? = nil) {
        // One entry per distinct parameter object (shared head weights appear once).
        var seen = Set<ObjectIdentifier>()
        self.parameters = parameters.filter { !$0.isBuffer && seen.insert(ObjectIdentifier($0)).inserted }
        self.momentum = momentum; self.weightDecay = weightDecay; self.ctx = ctx
    }

    /// Sets every gradient to zero (call before each step's backward passes).
    public func zeroGrad() {
        forEachSlice(trainableOnly: false) { p, r in (p.grad.data + r.lowerBound).update(repeating: 0, count: r.count) }
    }

    /// Runs `body(parameter, element range)` over all parameters (or the trainable ones), the
    /// concatenated elements split into one contiguous range per thread of `ctx`.
    func forEachSlice(trainableOnly: Bool, _ body: (Parameter, Range<Int>) -> Void) {
        let threads = ctx?.threads ?? 1
        var total = 0
        for p in parameters where !trainableOnly || p.trainable { total += p.count }
        guard let ctx, threads > 1, total >= 1 << 15 else {
            for p in parameters where !trainableOnly || p.trainable { body(p, 0..<p.count) }
            return
        }
        ctx.parallel(threads) { t in
            let lo = total * t / threads, hi = total * (t + 1) / threads
            var offset = 0
            for p in parameters where !trainableOnly || p.trainable {
                let a = max(lo, offset), b = min(hi, offset + p.count)
                if a < b { body(p, (a - offset)..<(b - offset)) }
                offset += p.count
                if offset >= hi { break }
            }
        }
    }

    /// Scales all trainable gradients down so their global L2 norm is at most `maxNorm`
    /// (PyTorch's `clip_grad_norm_`, as mmdetection's RetinaNet configs use with 35); returns the
    /// norm before clipping. Summed in Double in parameter order, so thread-count independent.
    @discardableResult
    public func clipGradientNorm(_ maxNorm: Float) -> Double {
        var sum = 0.0
        for p in parameters where p.trainable { p.grad.accumulateSquares(into: &sum) }
        let norm = sum.squareRoot()
        guard norm.isFinite, norm > Double(maxNorm) else { return norm }
        let scale = Float(Double(maxNorm) / (norm + 1e-6))
        for p in parameters where p.trainable {
            let g = p.grad.data
            for i in 0..<p.count { g[i] *= scale }
        }
        return norm
    }

    /// One update with learning rate `lr`.
    public func step(lr: Float) {
        for p in parameters where p.trainable && p.velocity == nil { p.velocity = Tensor(n: p.count) }
        let mu = momentum, decay = weightDecay
        forEachSlice(trainableOnly: true) { p, r in
            let v = p.velocity!.data, w = p.value.data, g = p.grad.data
            let wd = decay * p.decayMultiplier, rate = lr * p.lrMultiplier
            for i in r {
                let vi = mu * v[i] + (g[i] + wd * w[i])
                v[i] = vi
                w[i] -= rate * vi
            }
        }
    }
}

/// Learning rate with linear warm-up and step decay (÷10 at each milestone), as in Detectron:
/// lr(it) = base · f(it) · 0.1^(#milestones ≤ it), f rising linearly from `warmupFactor` to 1 over
/// `warmupIterations`.
public struct LRSchedule: Sendable, Equatable {
    public var baseLR: Double
    public var warmupIterations: Int
    public var warmupFactor: Double
    /// Iteration numbers at which the LR is divided by 10.
    public var milestones: [Int]

    public init(baseLR: Double, warmupIterations: Int, warmupFactor: Double, milestones: [Int]) {
        self.baseLR = baseLR; self.warmupIterations = warmupIterations
        self.warmupFactor = warmupFactor; self.milestones = milestones
    }

    /// The schedule of a `RunConfig` (milestones = fractions × iterations, rounded).
    public init(config c: RunConfig) {
        self.init(baseLR: c.baseLR, warmupIterations: c.warmupIterations, warmupFactor: c.warmupFactor,
                  milestones: c.lrDecayAt.map { Int(($0 * Double(c.iterations)).rounded()) })
    }

    /// The learning rate at 0-based iteration `it`.
    public func lr(at it: Int) -> Double {
        var f = 1.0
        if it < warmupIterations {
            let a = Double(it) / Double(warmupIterations)
            f = warmupFactor * (1 - a) + a
        }
        let decays = milestones.filter { it >= $0 }.count
        var d = 1.0
        for _ in 0..<decays { d *= 0.1 }
        return baseLR * f * d
    }
}
