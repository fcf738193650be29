/// Max pooling (k×k, stride, zero-area padding ignored as in PyTorch) on CNHW activations.
/// Training keeps the argmax of every output for the backward scatter.
public final class MaxPool2d {
    public let kernelSize: Int, stride: Int, padding: Int
    let ctx: ComputeContext
    var input: Tensor?
    var argmax: [Int32] = []
    public let output = Tensor()
    public let gradInput = Tensor()

    public init(kernelSize: Int = 3, stride: Int = 2, padding: Int = 1, ctx: ComputeContext) {
        self.kernelSize = kernelSize; self.stride = stride; self.padding = padding; self.ctx = ctx
    }

    public func forward(_ x: Tensor, training: Bool) throws -> Tensor {
        let g = ConvGeometry(n: x.n, c: x.c, h: x.h, w: x.w, kh: kernelSize, kw: kernelSize, stride: stride, pad: padding)
        guard g.oh > 0 && g.ow > 0 else { throw ShapeError(layer: "maxpool", expected: "spatial ≥ 1 after pooling", got: x.shape) }
        input = x
        output.resize(n: x.n, c: x.c, h: g.oh, w: g.ow)
        if training && argmax.count < output.count { argmax = [Int32](repeating: 0, count: output.count) }
        let planes = x.n * x.c, oh = g.oh, ow = g.ow, h = x.h, w = x.w, s = stride, pd = padding, k = kernelSize
        let xp = x.data, yp = output.data
        argmax.withUnsafeMutableBufferPointer { am in
            let ap = am.baseAddress
            ctx.parallelRanges(planes) { range in
                for pl in range {
                    let src = xp + pl * h * w, dst = yp + pl * oh * ow
                    for oy in 0..<oh {
                        let y0 = max(oy * s - pd, 0), y1 = min(oy * s - pd + k, h)
                        for ox in 0..<ow {
                            let x0 = max(ox * s - pd, 0), x1 = min(ox * s - pd + k, w)
                            var best = -Float.infinity, bi = y0 * w + x0
                            for yy in y0..<y1 {
                                for xx in x0..<x1 where src[yy * w + xx] > best { best = src[yy * w + xx]; bi = yy * w + xx }
                            }
                            dst[oy * ow + ox] = best
                            if training { ap![pl * oh * ow + oy * ow + ox] = Int32(bi) }
                        }
                    }
                }
            }
        }
        return output
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { return gradInput }
        gradInput.resize(like: x)
        let planes = x.n * x.c, hw = x.plane, ohw = dy.plane
        let gp = dy.data, dp = gradInput.data
        argmax.withUnsafeBufferPointer { am in
            let ap = am.baseAddress!
            ctx.parallelRanges(planes) { range in
                for pl in range {
                    let d = dp + pl * hw
                    d.update(repeating: 0, count: hw)
                    for o in 0..<ohw { d[Int(ap[pl * ohw + o])] += gp[pl * ohw + o] }
                }
            }
        }
        return gradInput
    }
}
