/// 2-D convolution with optional bias and fused ReLU, on CNHW activations.
///
/// One instance is one *application*: it keeps a reference to its input and owns its output and
/// input-gradient buffers. Applying the same weights several times per step (RetinaNet heads on
/// P3–P7) uses several instances made with `init(sharing:)`; their backward passes accumulate into
/// the shared `weight.grad` / `bias.grad`.
public final class Conv2d {
    public let weight: Parameter
    public let bias: Parameter?
    public let inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int, padding: Int
    /// Applies max(0, ·) to the output (backward masks by output > 0).
    public let fusedReLU: Bool
    /// False for the first layer: skips the input-gradient GEMM.
    public var needsInputGrad = true
    let ctx: ComputeContext
    var input: Tensor?
    var geometry = ConvGeometry(n: 0, c: 0, h: 0, w: 0, kh: 1, kw: 1, stride: 1, pad: 0)
    public let output = Tensor()
    public let gradInput = Tensor()
    let gradBuffer = Tensor()
    /// Winograd tables and blocked input / output-gradient copies of the last forward (3×3 stride 1).
    var winograd: WinogradPlan?
    /// Whether the last forward ran through `WinogradConv`.
    var usedWinograd = false
    /// Transformed weights reused by inference forwards (`transformedWeights`).
    var winogradCache: WinogradWeightCache?

    /// A new convolution with parameters "<name>.weight" (O, I, k, k) and "<name>.bias" (O).
    public init(name: String, inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1,
                padding: Int = 0, bias: Bool = true, fusedReLU: Bool = false, ctx: ComputeContext) {
        inChannels = inputChannels; outChannels = outputChannels; self.kernelSize = kernelSize
        self.stride = stride; self.padding = padding; self.fusedReLU = fusedReLU; self.ctx = ctx
        weight = Parameter(name: name + ".weight", shape: [outputChannels, inputChannels, kernelSize, kernelSize])
        if bias {
            let b = Parameter(name: name + ".bias", shape: [outputChannels])
            b.lrMultiplier = 2; b.decayMultiplier = 0
            self.bias = b
        } else {
            self.bias = nil
        }
    }

    /// Another application of `other`'s parameters with its own activation caches.
    public init(sharing other: Conv2d) {
        weight = other.weight; bias = other.bias
        inChannels = other.inChannels; outChannels = other.outChannels; kernelSize = other.kernelSize
        stride = other.stride; padding = other.padding; fusedReLU = other.fusedReLU; ctx = other.ctx
        needsInputGrad = other.needsInputGrad
    }

    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    /// Kaiming-normal weights (fan_out, ReLU gain, as torchvision's ResNet) and zero bias.
    public func initKaiming(_ rng: inout SeededRandom) {
        let fanOut = Double(outChannels * kernelSize * kernelSize)
        weight.fillNormal(std: (2.0 / fanOut).squareRoot(), rng: &rng)
        bias?.fill(0)
    }

    /// N(0, std²) weights and constant bias (RetinaNet head init).
    public func initNormal(std: Double, bias b: Float, _ rng: inout SeededRandom) {
        weight.fillNormal(std: std, rng: &rng)
        bias?.fill(b)
    }

    /// y = conv(x) (+ bias) (ReLU); x is CNHW with `inChannels` channels.
    public func forward(_ x: Tensor) throws -> Tensor {
        try forward(x, epilogue: ownEpilogue)
    }

    /// The layer's own output pass: + bias (if any), then ReLU when `fusedReLU`.
    var ownEpilogue: ConvEpilogue {
        ConvEpilogue(scale: nil, shift: bias.map { UnsafePointer($0.value.data) }, residual: nil, relu: fusedReLU)
    }

    /// The convolution's geometry on input `x`.
    func geometry(for x: Tensor) -> ConvGeometry {
        ConvGeometry(n: x.n, c: x.c, h: x.h, w: x.w, kh: kernelSize, kw: kernelSize, stride: stride, pad: padding)
    }

    /// y = epilogue(conv(x)): the layer's own bias/ReLU (`forward(_:)`) or, at inference, a
    /// following BatchNorm folded in (`forwardFolded`). The backward pass assumes the former.
    func forward(_ x: Tensor, epilogue: ConvEpilogue) throws -> Tensor {
        guard x.c == inChannels else {
            throw ShapeError(layer: weight.name, expected: "C=\(inChannels)", got: x.shape)
        }
        let g = geometry(for: x)
        guard g.oh > 0 && g.ow > 0 else {
            throw ShapeError(layer: weight.name, expected: "spatial size ≥ kernel − 2·padding", got: x.shape)
        }
        geometry = g
        input = x
        output.resize(n: x.n, c: outChannels, h: g.oh, w: g.ow)
        usedWinograd = false
        if let plan = winogradPlan(g) {
            usedWinograd = true
            winogradForward([x], into: [output], plan: plan, epilogues: [epilogue])
            return output
        }
        let flops = 2 * Double(outChannels) * Double(g.macsPerOutputChannel)
        ctx.timed(profileKind + ".forward", flops: flops) {
            ConvKernels.forward(x: x.data, g, w: weight.value.data, outChannels: outChannels, out: output.data,
                                accumulate: false, epilogue: epilogue, ctx: ctx)
        }
        return output
    }

    /// Profiler name of this convolution's phases: "conv3x3", "conv7x7/2", "conv1x1/2"…
    var profileKind: String { "conv\(kernelSize)x\(kernelSize)" + (stride > 1 ? "/\(stride)" : "") }

    /// dL/d(pre-activation): `dy` masked by output > 0 when the ReLU is fused (into `gradBuffer`).
    func maskedGradient(_ dy: Tensor) -> UnsafePointer<Float> {
        guard fusedReLU else { return UnsafePointer(dy.data) }
        let p = geometry.columns
        gradBuffer.resize(like: dy)
        let gb = gradBuffer.data, y = output.data, d = dy.data
        ctx.parallelRanges(outChannels) { range in
            for o in range {
                let off = o * p
                for i in off..<(off + p) { gb[i] = y[i] > 0 ? d[i] : 0 }
            }
        }
        return UnsafePointer(gb)
    }

    /// bias.grad[o] += Σ over pixels of dyp (channel o).
    func accumulateBiasGrad(_ dyp: UnsafePointer<Float>) {
        guard let b = bias else { return }
        let p = geometry.columns
        let bg = b.grad.data
        ctx.parallelRanges(outChannels) { range in
            for o in range { bg[o] += Reduce.sum(dyp + o * p, p) }
        }
    }

    /// Accumulates weight/bias gradients and returns dL/dx (nil when `needsInputGrad` is false).
    /// `dy` has the output's shape.
    @discardableResult
    public func backward(_ dy: Tensor) -> Tensor? {
        guard let x = input else { return nil }
        let g = geometry
        let dyp = maskedGradient(dy)
        accumulateBiasGrad(dyp)
        if usedWinograd, let plan = winograd {
            return backwardWinograd(dyp, plan)
        }
        let flops = 2 * Double(outChannels) * Double(g.macsPerOutputChannel)
        let kind = profileKind
        ctx.timed(kind + ".weightGrad", flops: flops) {
            ConvKernels.weightGrad(x: x.data, g, dy: dyp, outChannels: outChannels, dw: weight.grad.data, ctx: ctx)
        }
        guard needsInputGrad else { return nil }
        gradInput.resize(like: x)
        ctx.timed(kind + ".inputGrad", flops: flops) {
            ConvKernels.inputGrad(dy: dyp, g, w: weight.value.data, outChannels: outChannels, dx: gradInput.data, ctx: ctx)
        }
        return gradInput
    }
}
