/// One RetinaNet subnet (class or box): `convs` × [3×3 conv C→C, (GroupNorm), ReLU] then a 3×3
/// conv to `outChannels` (K·A or 4·A), applied to every pyramid level with shared weights. Each
/// conv is a `LevelConv2d`: with the Winograd path all levels run as one convolution; weight
/// gradients sum over levels. GroupNorm γ/β are shared too (one `GroupNorm` application per level).
public final class HeadBranch {
    let convs: [LevelConv2d]
    let norms: [[GroupNorm]]   // [conv i][level l]
    let final: LevelConv2d

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
        var t = xs
        for i in 0..<convs.count {
            t = try convs[i].forward(t)
            if !norms.isEmpty { t = try zip(norms[i], t).map { try $0.forward($1) } }
        }
        return try final.forward(t)
    }

    /// dL/dxs from dL/doutputs (tensors may be modified).
    public func backward(_ dys: [Tensor]) -> [Tensor] {
        var d = final.backward(dys)
        for i in stride(from: convs.count - 1, through: 0, by: -1) {
            if !norms.isEmpty { d = zip(norms[i], d).map { $0.backward($1) } }
            d = convs[i].backward(d)
        }
        return d
    }
}
