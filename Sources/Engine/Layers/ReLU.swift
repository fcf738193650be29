/// Standalone ReLU (used where it cannot be fused, e.g. P7 = conv(ReLU(P6))).
public final class ReLU {
    let ctx: ComputeContext
    public let output = Tensor()
    public let gradInput = Tensor()
    public init(ctx: ComputeContext) { self.ctx = ctx }

    public func forward(_ x: Tensor) -> Tensor {
        output.resize(like: x)
        let s = x.data, d = output.data
        ctx.parallelRanges(x.count, grain: 4096) { r in for i in r { d[i] = max(s[i], 0) } }
        return output
    }

    public func backward(_ dy: Tensor) -> Tensor {
        gradInput.resize(like: dy)
        let y = output.data, g = dy.data, d = gradInput.data
        ctx.parallelRanges(dy.count, grain: 4096) { r in for i in r { d[i] = y[i] > 0 ? g[i] : 0 } }
        return gradInput
    }
}

/// Element-wise tensor helpers used by blocks and the FPN.
enum TensorOps {
    /// dst = a + b (same shapes).
    static func add(_ a: Tensor, _ b: Tensor, into dst: Tensor, ctx: ComputeContext) {
        dst.resize(like: a)
        let x = a.data, y = b.data, d = dst.data
        ctx.parallelRanges(a.count, grain: 4096) { r in for i in r { d[i] = x[i] + y[i] } }
    }
    /// dst += src.
    static func addInPlace(_ dst: Tensor, _ src: Tensor, ctx: ComputeContext) {
        let x = src.data, d = dst.data
        ctx.parallelRanges(dst.count, grain: 4096) { r in for i in r { d[i] += x[i] } }
    }
    /// dst = max(a + b, 0).
    static func addReLU(_ a: Tensor, _ b: Tensor, into dst: Tensor, ctx: ComputeContext) {
        dst.resize(like: a)
        let x = a.data, y = b.data, d = dst.data
        ctx.parallelRanges(a.count, grain: 4096) { r in
            // SIMD16 body (the scalar loop compiled to 4-lane code); v ≤ 0 → +0 as Swift's max.
            var i = r.lowerBound
            while i &+ 16 <= r.upperBound {
                var v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) + UnsafeRawPointer(y + i).loadUnaligned(as: SIMD16<Float>.self)
                v.replace(with: 0, where: v .<= 0)
                UnsafeMutableRawPointer(d + i).storeBytes(of: v, as: SIMD16<Float>.self)
                i &+= 16
            }
            while i < r.upperBound { d[i] = max(x[i] + y[i], 0); i &+= 1 }
        }
    }
    /// dst = y > 0 ? g : 0.
    static func reluMask(_ g: Tensor, output y: Tensor, into dst: Tensor, ctx: ComputeContext) {
        dst.resize(like: g)
        let gp = g.data, yp = y.data, d = dst.data
        ctx.parallelRanges(g.count, grain: 4096) { r in for i in r { d[i] = yp[i] > 0 ? gp[i] : 0 } }
    }
}
