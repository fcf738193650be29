import Foundation
/// A float32 buffer with a 4-D logical shape (n, c, h, w), owned by one layer and reused across
/// steps: `resize` reallocates only when the new shape needs more room than ever before.
///
/// Layout: activations inside the network are stored channel-major, "CNHW":
/// `index = ((c * n + i) * h + y) * w + x` for image `i`, channel `c`. Every channel is then one
/// contiguous block of n·h·w values, so a convolution over the whole batch is a single GEMM
/// (`out[C_out, N·H·W] = W[C_out, C_in·k·k] × im2col[C_in·k·k, N·H·W]`) and BatchNorm reduces
/// over contiguous memory. Public model boundaries (images in, head outputs out) use NCHW / NHWC
/// arrays and convert. Parameters reuse the type with PyTorch's row-major order (O, I, kh, kw).
public final class Tensor {
    public private(set) var n: Int
    public private(set) var c: Int
    public private(set) var h: Int
    public private(set) var w: Int
    /// 64-byte aligned storage of at least `count` floats.
    public private(set) var data: UnsafeMutablePointer<Float>
    public private(set) var capacity: Int

    /// Number of elements n·c·h·w.
    public var count: Int { n * c * h * w }
    /// Elements of one channel in CNHW layout (n·h·w).
    public var channelStride: Int { n * h * w }
    /// Spatial size h·w.
    public var plane: Int { h * w }

    /// A zero-filled tensor.
    public init(n: Int = 1, c: Int = 1, h: Int = 1, w: Int = 1) {
        self.n = n; self.c = c; self.h = h; self.w = w
        capacity = max(n * c * h * w, 1)
        data = Tensor.allocate(capacity)
        data.initialize(repeating: 0, count: capacity)
    }

    /// A tensor holding a copy of `values` (count must equal n·c·h·w).
    public convenience init(n: Int, c: Int, h: Int, w: Int, values: [Float]) {
        self.init(n: n, c: c, h: h, w: w)
        precondition(values.count == count, "Tensor: \(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { data.deallocate() }

    static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        let bytes = count * 4
        #if os(Linux)
        if hugePages && bytes >= hugePageBytes {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: hugePageBytes)
            _ = madvise(raw, bytes / hugePageBytes * hugePageBytes, Int32(MADV_HUGEPAGE))  // whole huge pages only
            return raw.bindMemory(to: Float.self, capacity: count)
        }
        #endif
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: count)
    }

    /// Size of a transparent huge page (x86-64 and arm64 Linux with 4 KiB base pages).
    static let hugePageBytes = 2 << 20

    /// Whether buffers of at least `hugePageBytes` are aligned to it and marked for transparent huge
    /// pages (Linux; `FOCAL_HUGE_PAGES=0` turns it off). Wide GEMM operands and the strided rows of
    /// convolution buffers then take one TLB entry per 2 MiB instead of per 4 KiB: with THP in
    /// "madvise" mode (the benchmark host's setting) nothing gets huge pages unless it asks.
    /// Same values either way.
    static let hugePages = ProcessInfo.processInfo.environment["FOCAL_HUGE_PAGES"] != "0"

    /// The logical shape [n, c, h, w].
    public var shape: [Int] { [n, c, h, w] }

    /// Sets the shape, keeping storage when it is large enough. Contents are unspecified afterwards
    /// unless the shape is unchanged.
    public func resize(n: Int, c: Int, h: Int, w: Int) {
        let need = n * c * h * w
        if need > capacity {
            data.deallocate()
            capacity = need
            data = Tensor.allocate(need)
            data.initialize(repeating: 0, count: need)
        }
        self.n = n; self.c = c; self.h = h; self.w = w
    }

    /// Resizes to the shape of `other`.
    public func resize(like other: Tensor) { resize(n: other.n, c: other.c, h: other.h, w: other.w) }

    /// Sets every element to zero.
    public func zero() { data.update(repeating: 0, count: count) }

    /// Adds Σ x² to `sum` in Double, in index order (thread-count independent; a running sum
    /// across tensors keeps one summation order).
    public func accumulateSquares(into sum: inout Double) {
        for i in 0..<count { sum += Double(data[i]) * Double(data[i]) }
    }

    /// Σ x² over the tensor, in Double.
    public var squaredNorm: Double {
        var sum = 0.0
        accumulateSquares(into: &sum)
        return sum
    }

    /// A copy of the contents in storage order.
    public func toArray() -> [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// Overwrites the contents with `values` in storage order.
    public func copy(from values: [Float]) {
        precondition(values.count == count, "Tensor.copy: \(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }

    /// Copies contents and shape of `other`.
    public func copy(from other: Tensor) {
        resize(like: other)
        data.update(from: other.data, count: other.count)
    }

    /// Element at (image i, channel ch, y, x) of a CNHW activation.
    public subscript(i: Int, ch: Int, y: Int, x: Int) -> Float {
        get { data[((ch * n + i) * h + y) * w + x] }
        set { data[((ch * n + i) * h + y) * w + x] = newValue }
    }
}

/// A shape mismatch at a layer boundary, naming the layer and both shapes.
public struct ShapeError: Error, CustomStringConvertible {
    public var layer: String
    public var expected: String
    public var got: [Int]
    public var description: String { "\(layer): expected input \(expected), got shape \(got)" }
}
