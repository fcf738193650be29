/// A trainable (or frozen) tensor with its gradient and SGD momentum buffer.
///
/// Layers that share weights (the RetinaNet heads applied to P3–P7) hold the same `Parameter`
/// object; each application's backward *adds* into `grad`, so call `zeroGrad()` once per step.
public final class Parameter {
    /// PyTorch-style dotted name, e.g. "backbone.layer1.0.conv1.weight" (checkpoint key).
    public let name: String
    /// PyTorch shape, e.g. [out, in, kh, kw] for a conv weight, [C] for a bias.
    public let shape: [Int]
    public let value: Tensor
    public let grad: Tensor
    /// SGD momentum buffer (allocated lazily by the optimizer).
    var velocity: Tensor?
    /// Multiplies the learning rate (Detectron: 2 for biases).
    public var lrMultiplier: Float = 1
    /// Multiplies the weight decay (0 for biases and norm parameters).
    public var decayMultiplier: Float = 1
    /// False: SGD leaves the value unchanged (frozen BN affine, frozen backbone).
    public var trainable = true
    /// Buffers (BN running statistics) are saved in checkpoints but never get gradients.
    public let isBuffer: Bool

    public init(name: String, shape: [Int], isBuffer: Bool = false) {
        self.name = name
        self.shape = shape
        let d = Parameter.dims(shape)
        value = Tensor(n: d.0, c: d.1, h: d.2, w: d.3)
        grad = isBuffer ? Tensor() : Tensor(n: d.0, c: d.1, h: d.2, w: d.3)
        self.isBuffer = isBuffer
        if isBuffer { trainable = false }
    }

    static func dims(_ s: [Int]) -> (Int, Int, Int, Int) {
        switch s.count {
        case 0: return (1, 1, 1, 1)
        case 1: return (s[0], 1, 1, 1)
        case 2: return (s[0], s[1], 1, 1)
        case 3: return (s[0], s[1], s[2], 1)
        default: return (s[0], s[1], s[2], s[3..<s.count].reduce(1, *))
        }
    }

    /// Number of elements.
    public var count: Int { value.count }

    /// Sets the gradient to zero.
    public func zeroGrad() { if !isBuffer { grad.zero() } }

    /// Fills with N(0, std²) from `rng`.
    public func fillNormal(std: Double, rng: inout SeededRandom) {
        for i in 0..<count { value.data[i] = Float(rng.normal() * std) }
    }

    /// Fills with a constant.
    public func fill(_ v: Float) { value.data.update(repeating: v, count: count) }
}
