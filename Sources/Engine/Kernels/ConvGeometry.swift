/// Shape arithmetic of one 2-D convolution (or pooling) window over a CNHW batch.
///
/// Input (n, c, h, w); square stride and zero padding on both sides; output (n, ·, oh, ow) with
/// `oh = (h + 2·pad − kh) / stride + 1` (floor), as in PyTorch.
public struct ConvGeometry: Equatable, Sendable {
    public var n: Int, c: Int, h: Int, w: Int
    public var kh: Int, kw: Int, stride: Int, pad: Int

    public init(n: Int, c: Int, h: Int, w: Int, kh: Int, kw: Int, stride: Int, pad: Int) {
        self.n = n; self.c = c; self.h = h; self.w = w
        self.kh = kh; self.kw = kw; self.stride = stride; self.pad = pad
    }

    public var oh: Int { (h + 2 * pad - kh) / stride + 1 }
    public var ow: Int { (w + 2 * pad - kw) / stride + 1 }
    /// Rows of the im2col matrix: c·kh·kw.
    public var patch: Int { c * kh * kw }
    /// Columns of the im2col matrix: n·oh·ow.
    public var columns: Int { n * oh * ow }
    /// Multiply–adds of the forward convolution per output channel.
    public var macsPerOutputChannel: Int { patch * columns }
}
