/// One RetinaNet subnet (class or box): `convs` × [3×3 conv C→C, (GroupNorm), ReLU] then a 3×3
/// conv to `outChannels` (K·A or 4·A). One instance per pyramid level; instances for levels
/// 1…4 share level 0's parameters (weight gradients accumulate over levels).
public final class HeadBranch {
    let convs: [Conv2d]
    let norms: [GroupNorm]
    let final: Conv2d

    /// A new branch with parameters "<name>.conv.i", "<name>.norm.i", "<name>.<finalName>".
    public init(name: String, finalName: String, inChannels: Int, channels: Int, convs n: Int, outChannels: Int,
                groupNormGroups: Int?, ctx: ComputeContext) {
        var cs: [Conv2d] = [], ns: [GroupNorm] = []
        for i in 0..<n {
            let useGN = groupNormGroups != nil
            cs.append(Conv2d(name: "\(name).conv.\(i)", inputChannels: i == 0 ? inChannels : channels,
                             outputChannels: channels, kernelSize: 3, padding: 1, bias: true, fusedReLU: !useGN, ctx: ctx))
            if let g = groupNormGroups {
                ns.append(GroupNorm(name: "\(name).norm.\(i)", groups: g, channels: channels, fusedReLU: true, ctx: ctx))
            }
        }
        convs = cs; norms = ns
        final = Conv2d(name: "\(name).\(finalName)", inputChannels: n == 0 ? inChannels : channels,
                       outputChannels: outChannels, kernelSize: 3, padding: 1, ctx: ctx)
    }

    /// Another application (pyramid level) of `other`'s parameters.
    public init(sharing other: HeadBranch) {
        convs = other.convs.map { Conv2d(sharing: $0) }
        norms = other.norms.map { GroupNorm(sharing: $0) }
        final = Conv2d(sharing: other.final)
    }

    public var parameters: [Parameter] {
        convs.flatMap { $0.parameters } + norms.flatMap { $0.parameters } + final.parameters
    }

    /// N(0, 0.01²) weights, zero biases, `finalBias` on the last conv (prior-π for the class branch).
    public func initialize(finalBias: Float, _ rng: inout SeededRandom) {
        for c in convs { c.initNormal(std: 0.01, bias: 0, &rng) }
        final.initNormal(std: 0.01, bias: finalBias, &rng)
    }

    /// Output (CNHW, `outChannels` channels) for one level's feature map.
    public func forward(_ x: Tensor) throws -> Tensor {
        var t = x
        for i in 0..<convs.count {
            t = try convs[i].forward(t)
            if !norms.isEmpty { t = try norms[i].forward(t) }
        }
        return try final.forward(t)
    }

    /// dL/dx from dL/doutput.
    public func backward(_ dy: Tensor) -> Tensor {
        var d = final.backward(dy)!
        for i in stride(from: convs.count - 1, through: 0, by: -1) {
            if !norms.isEmpty { d = norms[i].backward(d) }
            d = convs[i].backward(d)!
        }
        return d
    }
}
