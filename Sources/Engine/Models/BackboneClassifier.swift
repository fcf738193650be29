/// Backbone + global average pooling + linear layer, for pretraining the backbone on an image
/// classification task; its backbone parameters are then saved with `Checkpoint.saveBackbone`
/// and loaded into every RetinaNet run. Classifier parameters are named "fc.weight", "fc.bias".
public final class BackboneClassifier {
    public let backbone: ResNetBackbone
    public let fc: PooledLinear
    public let ctx: ComputeContext
    let input = Tensor()
    /// Gradient w.r.t. the logits [N, K]; the trainer fills it before `backward()`.
    public let logitsGrad = Tensor()

    public init(layout: ResNetBackbone.Layout, numClasses: Int, seed: UInt64, ctx: ComputeContext) {
        self.ctx = ctx
        backbone = ResNetBackbone(layout: layout, bnMode: .train, ctx: ctx)
        fc = PooledLinear(name: "fc", inFeatures: layout.stageChannels(3), outFeatures: numClasses)
        var rng = SeededRandom(seed: seed)
        backbone.initialize(&rng)
        fc.initUniform(&rng)
    }

    public var parameters: [Parameter] { backbone.parameters + fc.parameters }

    /// Logits [N, K] row-major for images [N, 3, H, W] (NCHW).
    public func forward(images: [Float], batch n: Int, height h: Int, width w: Int, training: Bool) throws -> Tensor {
        guard images.count == n * 3 * h * w else {
            throw ShapeError(layer: "BackboneClassifier.input", expected: "\(n * 3 * h * w) floats", got: [images.count])
        }
        input.resize(n: n, c: 3, h: h, w: w)
        let plane = h * w
        images.withUnsafeBufferPointer { src in
            for c in 0..<3 { for i in 0..<n {
                (input.data + (c * n + i) * plane).update(from: src.baseAddress! + (i * 3 + c) * plane, count: plane)
            } }
        }
        let feats = try backbone.forward(input, training: training)
        let logits = try fc.forward(feats[3])
        logitsGrad.resize(like: logits)
        return logits
    }

    /// Backward from `logitsGrad`.
    public func backward() {
        let d = fc.backward(logitsGrad)
        backbone.backward([nil, nil, nil, d])
    }
}
