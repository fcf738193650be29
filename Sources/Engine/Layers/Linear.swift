/// Global average pooling (CNHW → features [N, C] row-major) followed by a fully connected layer
/// (weight [K, C], bias [K]) — the classification head used to pretrain the backbone.
public final class PooledLinear {
    public let weight: Parameter, bias: Parameter
    public let inFeatures: Int, outFeatures: Int
    var input: Tensor?
    var pooled: [Float] = []
    /// Logits [N, K] row-major (Tensor shape n×K×1×1, storage row-major by image).
    public let output = Tensor()
    public let gradInput = Tensor()

    public init(name: String, inFeatures: Int, outFeatures: Int) {
        self.inFeatures = inFeatures; self.outFeatures = outFeatures
        weight = Parameter(name: name + ".weight", shape: [outFeatures, inFeatures])
        bias = Parameter(name: name + ".bias", shape: [outFeatures])
        bias.decayMultiplier = 0
    }

    public var parameters: [Parameter] { [weight, bias] }

    /// PyTorch's default Linear init: U(−1/√C, 1/√C) for weight and bias.
    public func initUniform(_ rng: inout SeededRandom) {
        let b = 1 / Double(inFeatures).squareRoot()
        for i in 0..<weight.count { weight.value.data[i] = Float(rng.uniform(-b, b)) }
        for i in 0..<bias.count { bias.value.data[i] = Float(rng.uniform(-b, b)) }
    }

    public func forward(_ x: Tensor) throws -> Tensor {
        guard x.c == inFeatures else { throw ShapeError(layer: weight.name, expected: "C=\(inFeatures)", got: x.shape) }
        input = x
        let n = x.n, hw = x.plane, c = inFeatures, k = outFeatures
        if pooled.count < n * c { pooled = [Float](repeating: 0, count: n * c) }
        for ch in 0..<c { for i in 0..<n { pooled[i * c + ch] = Reduce.sum(x.data + ch * x.channelStride + i * hw, hw) / Float(hw) } }
        output.resize(n: n, c: k, h: 1, w: 1)
        let wp = weight.value.data, bp = bias.value.data
        for i in 0..<n {
            for j in 0..<k {
                var s = bp[j]
                for ch in 0..<c { s += wp[j * c + ch] * pooled[i * c + ch] }
                output.data[i * k + j] = s
            }
        }
        return output
    }

    /// dy: [N, K] row-major. Returns dL/dx (CNHW, spread uniformly over each plane).
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { return gradInput }
        let n = x.n, hw = x.plane, c = inFeatures, k = outFeatures
        let wp = weight.value.data, gw = weight.grad.data, gb = bias.grad.data
        gradInput.resize(like: x)
        for i in 0..<n {
            for j in 0..<k {
                let g = dy.data[i * k + j]
                gb[j] += g
                for ch in 0..<c { gw[j * c + ch] += g * pooled[i * c + ch] }
            }
        }
        for ch in 0..<c {
            for i in 0..<n {
                var s: Float = 0
                for j in 0..<k { s += dy.data[i * k + j] * wp[j * c + ch] }
                (gradInput.data + ch * x.channelStride + i * hw).update(repeating: s / Float(hw), count: hw)
            }
        }
        return gradInput
    }
}
