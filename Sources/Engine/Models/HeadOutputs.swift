/// RetinaNet head outputs and their gradient buffers for the five pyramid levels P3…P7.
///
/// Layout (anchor-major, what the loss kernels take): `classLogits[l]` is row-major
/// [N][H_l][W_l][A·K] — logit of anchor a, class k at location (y, x) of image i is at
/// `((i·H + y)·W + x)·A·K + a·K + k`; `boxDeltas[l]` is [N][H_l][W_l][A·4] (dx, dy, dw, dh).
/// Anchor a is the a-th anchor of the generator's per-location list. The trainer fills
/// `classGrad` / `boxGrad` (same layouts; dLoss/doutput) and then calls `RetinaNet.backward()`.
/// (The tensors' n/c/h/w fields hold N, H, W, A·K; only `data` and `count` are meant to be used.)
public final class HeadOutputs {
    public internal(set) var batch = 0
    public let classes: Int
    public let anchorsPerLocation: Int
    /// (height, width) of P3…P7 for the last forward.
    public internal(set) var sizes: [(h: Int, w: Int)] = []
    public let classLogits: [Tensor]
    public let boxDeltas: [Tensor]
    public let classGrad: [Tensor]
    public let boxGrad: [Tensor]

    init(levels: Int, classes: Int, anchorsPerLocation: Int) {
        self.classes = classes; self.anchorsPerLocation = anchorsPerLocation
        classLogits = (0..<levels).map { _ in Tensor() }
        boxDeltas = (0..<levels).map { _ in Tensor() }
        classGrad = (0..<levels).map { _ in Tensor() }
        boxGrad = (0..<levels).map { _ in Tensor() }
    }

    /// Number of anchors of one image on level l (H·W·A).
    public func anchors(level l: Int) -> Int { sizes[l].h * sizes[l].w * anchorsPerLocation }

    /// Copies a CNHW activation (C, N, H, W) into row-major [N][H][W][C].
    static func toNHWC(_ x: Tensor, _ dst: Tensor, ctx: ComputeContext) {
        dst.resize(n: x.n, c: x.h, h: x.w, w: x.c)
        convert(cnhw: x.data, nhwc: dst.data, n: x.n, c: x.c, hw: x.plane, toNHWC: true, ctx: ctx)
    }

    /// Copies row-major [N][H][W][C] into a CNHW tensor of shape (n, c, h, w).
    static func fromNHWC(_ src: Tensor, n: Int, c: Int, h: Int, w: Int, into x: Tensor, ctx: ComputeContext) {
        x.resize(n: n, c: c, h: h, w: w)
        convert(cnhw: x.data, nhwc: src.data, n: n, c: c, hw: h * w, toNHWC: false, ctx: ctx)
    }

    /// Moves data between CNHW and NHWC 16 channels × 16 positions at a time through an
    /// in-register transpose (images split over threads); `toNHWC` gives the direction.
    private static func convert(cnhw: UnsafeMutablePointer<Float>, nhwc: UnsafeMutablePointer<Float>, n: Int, c: Int, hw: Int,
                                toNHWC: Bool, ctx: ComputeContext) {
        ctx.parallelRanges(n) { r in
            withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 16) { tb in
                let t = tb.baseAddress!
                for i in r {
                    for ch0 in stride(from: 0, to: c, by: 16) {
                        let cn = min(16, c - ch0)
                        for p0 in stride(from: 0, to: hw, by: 16) {
                            let pn = min(16, hw - p0)
                            // Rows of t: channels (CNHW side) before the transpose, positions after it, or the reverse.
                            let (rows, len, cols) = toNHWC ? (cn, pn, pn) : (pn, cn, cn)
                            for k in 0..<16 {
                                let src = toNHWC ? cnhw + ((ch0 + k) * n + i) * hw + p0 : nhwc + (i * hw + p0 + k) * c + ch0
                                t[k] = k < rows ? Transpose16.loadPartial(src, len) : SIMD16()
                            }
                            Transpose16.transpose(t)
                            for k in 0..<cols {
                                let dst = toNHWC ? nhwc + (i * hw + p0 + k) * c + ch0 : cnhw + ((ch0 + k) * n + i) * hw + p0
                                Transpose16.storePartial(t[k], dst, rows)
                            }
                        }
                    }
                }
            }
        }
    }
}
