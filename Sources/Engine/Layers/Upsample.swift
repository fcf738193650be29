/// Nearest-neighbour resize of CNHW activations to a target size, with PyTorch's "nearest" rule
/// `src = min(floor(dst · in/out), in − 1)` (scale in Float); for out = 2·in it is plain ×2.
/// Used by the FPN top-down path where odd sizes (e.g. 43 vs 22) occur.
public final class Upsample {
    let ctx: ComputeContext
    var inShape = (0, 0, 0, 0)
    /// Source index per output column / row, rebuilt only when sizes change.
    var xs: [Int] = [], ys: [Int] = [], key = (0, 0, 0, 0)
    public let output = Tensor()
    public let gradInput = Tensor()
    public init(ctx: ComputeContext) { self.ctx = ctx }

    static func sourceIndex(_ d: Int, _ inSize: Int, _ outSize: Int) -> Int {
        let scale = Float(inSize) / Float(outSize)
        return min(Int((Float(d) * scale).rounded(.down)), inSize - 1)
    }

    func indices(h: Int, w: Int, height: Int, width: Int) {
        if key != (h, w, height, width) {
            xs = (0..<width).map { Upsample.sourceIndex($0, w, width) }
            ys = (0..<height).map { Upsample.sourceIndex($0, h, height) }
            key = (h, w, height, width)
        }
    }

    public func forward(_ x: Tensor, height: Int, width: Int) -> Tensor {
        inShape = (x.n, x.c, x.h, x.w)
        output.resize(n: x.n, c: x.c, h: height, w: width)
        let planes = x.n * x.c, h = x.h, w = x.w
        indices(h: h, w: w, height: height, width: width)
        let xp = x.data, yp = output.data, ys = self.ys
        xs.withUnsafeBufferPointer { xsb in
            let xi = xsb.baseAddress!
            ctx.parallelRanges(planes) { range in
                for pl in range {
                    for oy in 0..<height {
                        let src = xp + pl * h * w + ys[oy] * w, dst = yp + (pl * height + oy) * width
                        for ox in 0..<width { dst[ox] = src[xi[ox]] }
                    }
                }
            }
        }
        return output
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let (n, c, h, w) = inShape
        gradInput.resize(n: n, c: c, h: h, w: w)
        let height = dy.h, width = dy.w, planes = n * c
        indices(h: h, w: w, height: height, width: width)
        let gp = dy.data, dp = gradInput.data, ys = self.ys
        xs.withUnsafeBufferPointer { xsb in
            let xi = xsb.baseAddress!
            ctx.parallelRanges(planes) { range in
                for pl in range {
                    let d = dp + pl * h * w
                    d.update(repeating: 0, count: h * w)
                    for oy in 0..<height {
                        let row = d + ys[oy] * w, src = gp + (pl * height + oy) * width
                        for ox in 0..<width { row[xi[ox]] += src[ox] }
                    }
                }
            }
        }
        return gradInput
    }
}
