/// The anchors of the last input size asked for. The built-in data has one input size, so the
/// trainer, the predictor and the score sampler build the anchors once instead of per image.
struct AnchorSetCache {
    let generator: AnchorGenerator
    private var last: (h: Int, w: Int, set: AnchorSet)?

    init(generator: AnchorGenerator) { self.generator = generator }

    /// The anchors of an input of h × w pixels (rebuilt only when the size changes).
    mutating func anchors(height h: Int, width w: Int) -> AnchorSet {
        if let c = last, c.h == h, c.w == w { return c.set }
        let set = generator.anchors(height: h, width: w)
        last = (h, w, set)
        return set
    }
}
