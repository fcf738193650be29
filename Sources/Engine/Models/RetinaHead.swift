/// One RetinaNet subnet (class or box): `convs` × [3×3 conv C→C, (GroupNorm), ReLU] then a 3×3
/// conv to `outChannels` (K·A or 4·A), applied to every pyramid level with shared weights. Each
/// conv is a `LevelConv2d`: with the Winograd path all levels run as one convolution; weight
/// gradients sum over levels. GroupNorm γ/β are shared too (one `GroupNorm` application per level).
public final class HeadBranch {
    let convs: [LevelConv2d]
    let norms: [[GroupNorm]]   // [conv i][level l]
    let final: LevelConv2d
    /// Whether the last forward ran as a blocked Winograd chain (`LevelConv2d+Chain`).
    private var chained = false

    /// A new branch over `levels` maps with parameters "<name>.conv.i", "<name>.norm.i", "<name>.<finalName>".
    public init(name: String, finalName: String, inChannels: Int, channels: Int, convs n: Int, outChannels: Int,
                groupNormGroups: Int?, levels: Int = 5, ctx: ComputeContext) {
        var cs: [LevelConv2d] = [], ns: [[GroupNorm]] = []
        for i in 0..<n {
            let useGN = groupNormGroups != nil
            cs.append(LevelConv2d(Conv2d(name: "\(name).conv.\(i)", inputChannels: i == 0 ? inChannels : channels,
                                         outputChannels: channels, kernelSize: 3, padding: 1, bias: true, fusedReLU: !useGN,
                                         ctx: ctx), levels: levels))
            if let g = groupNormGroups {
                let gn = GroupNorm(name: "\(name).norm.\(i)", groups: g, channels: channels, fusedReLU: true, ctx: ctx)
                ns.append([gn] + (1..<levels).map { _ in GroupNorm(sharing: gn) })
            }
        }
        convs = cs; norms = ns
        final = LevelConv2d(Conv2d(name: "\(name).\(finalName)", inputChannels: n == 0 ? inChannels : channels,
                                   outputChannels: outChannels, kernelSize: 3, padding: 1, ctx: ctx), levels: levels)
    }

    public var parameters: [Parameter] {
        convs.flatMap { $0.parameters } + norms.flatMap { $0[0].parameters } + final.parameters
    }

    /// N(0, std²) weights (the paper: std 0.01), zero biases, `finalBias` on the last conv
    /// (prior-π for the class branch).
    public func initialize(std: Double = 0.01, finalBias: Float, _ rng: inout SeededRandom) {
        for c in convs { c.base.initNormal(std: std, bias: 0, &rng) }
        final.base.initNormal(std: std, bias: finalBias, &rng)
    }

    /// Outputs (CNHW, `outChannels` channels) for every level's feature map.
    public func forward(_ xs: [Tensor]) throws -> [Tensor] {
        if let sizes = chainSizes(xs) { return forwardChained(xs, sizes: sizes) }
        chained = false
        var t = xs
        for i in 0..<convs.count {
            t = try convs[i].forward(t)
            if !norms.isEmpty { t = try zip(norms[i], t).map { try $0.forward($1) } }
        }
        return try final.forward(t)
    }

    /// dL/dxs from dL/doutputs (tensors may be modified).
    public func backward(_ dys: [Tensor]) -> [Tensor] {
        if chained { return backwardChained(dys) }
        var d = final.backward(dys)
        for i in stride(from: convs.count - 1, through: 0, by: -1) {
            if !norms.isEmpty { d = zip(norms[i], d).map { $0.backward($1) } }
            d = convs[i].backward(d)
        }
        return d
    }

    // MARK: blocked Winograd chain

    /// The level sizes when every conv of the branch takes the Winograd path on `xs` and the
    /// activations can stay blocked between them (no GroupNorm, ReLU fused into each tower conv);
    /// nil otherwise or when `ComputeContext.winogradChain` is off.
    private func chainSizes(_ xs: [Tensor]) -> [(h: Int, w: Int)]? {
        let first = convs.first?.base ?? final.base
        guard first.ctx.winogradChain, norms.isEmpty, !convs.isEmpty, !xs.isEmpty, xs.count == final.levels.count else { return nil }
        let n = xs[0].n
        guard xs.allSatisfy({ $0.n == n && $0.c == first.inChannels }) else { return nil }
        let sizes = xs.map { (h: $0.h, w: $0.w) }
        guard convs.allSatisfy({ $0.base.fusedReLU && $0.base.outChannels % 16 == 0 && $0.levels.count == xs.count }),
              (convs + [final]).allSatisfy({ $0.base.usesWinograd(batch: n, sizes: sizes) }) else { return nil }
        return sizes
    }

    private func forwardChained(_ xs: [Tensor], sizes: [(h: Int, w: Int)]) -> [Tensor] {
        let n = xs[0].n
        let plans = (convs + [final]).map { $0.chainPlan(batch: n, sizes: sizes) }
        convs[0].chainEnter(xs, plan: plans[0])
        var raw = convs[0].chainConvolve(plans[0])
        for i in 1..<plans.count {
            let layer = i < convs.count ? convs[i] : final
            convs[i - 1].chainActivate(raw, plan: plans[i - 1], into: plans[i])
            raw = layer.chainConvolve(plans[i])
        }
        chained = true
        return final.chainExit(raw, plan: plans[plans.count - 1])
    }

    private func backwardChained(_ dys: [Tensor]) -> [Tensor] {
        let layers = convs + [final]
        let plans = layers.map { $0.plan! }
        final.chainGradEnter(dys, plan: plans[plans.count - 1])
        var dInput = final.chainBackward(plans[plans.count - 1], inputGrad: true)!
        for i in stride(from: convs.count - 1, through: 0, by: -1) {
            convs[i].chainGradFromNext(dInput, next: plans[i + 1], plan: plans[i])
            guard let d = convs[i].chainBackward(plans[i], inputGrad: i > 0 || convs[i].base.needsInputGrad) else {
                return convs[0].levels.map(\.gradInput)  // as `LevelConv2d.backward` without an input gradient
            }
            dInput = d
        }
        return convs[0].chainGradExit(dInput, plan: plans[0])
    }
}
