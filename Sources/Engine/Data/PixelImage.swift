/// An 8-bit image, 1 (grey) or 3 (RGB) channels, rows top to bottom, channels interleaved (HWC).
///
/// The exchange format between the renderer, image files and the engine's float input
/// (`writeNormalizedCHW`). Keeping the engine's input a function of these bytes means an exported
/// and re-read image gives exactly the tensor the built-in dataset gives.
public struct PixelImage: Hashable, Sendable {
    public let width: Int
    public let height: Int
    /// 1 (grey) or 3 (RGB).
    public let channels: Int
    /// `height × width × channels` bytes.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && (channels == 1 || channels == 3), "invalid image shape")
        precondition(pixels.count == width * height * channels, "pixel count does not match the shape")
        self.width = width; self.height = height; self.channels = channels; self.pixels = pixels
    }

    /// A black image.
    public init(width: Int, height: Int, channels: Int = 3) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [UInt8](repeating: 0, count: width * height * channels))
    }

    /// Channel `c` of pixel (x, y); grey images return their one value for every c.
    @inline(__always)
    public func value(x: Int, y: Int, channel c: Int) -> UInt8 {
        pixels[(y * width + x) * channels + (channels == 1 ? 0 : c)]
    }

    /// The image mirrored left–right (boxes: `GroundTruthBoxes.flippedHorizontally(imageWidth:)`).
    public func flippedHorizontally() -> PixelImage {
        var out = pixels
        let ch = channels
        for y in 0..<height {
            let row = y * width * ch
            for x in 0..<width {
                let src = row + x * ch, dst = row + (width - 1 - x) * ch
                for c in 0..<ch { out[dst + c] = pixels[src + c] }
            }
        }
        return PixelImage(width: width, height: height, channels: ch, pixels: out)
    }

    /// The image as 3 channels (grey replicated).
    public func rgb() -> PixelImage {
        if channels == 3 { return self }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) { out[3 * i] = pixels[i]; out[3 * i + 1] = pixels[i]; out[3 * i + 2] = pixels[i] }
        return PixelImage(width: width, height: height, channels: 3, pixels: out)
    }

    /// Bilinear resize with pixel-centre alignment (OpenCV INTER_LINEAR / PyTorch
    /// align_corners=False); used for image files, never for the built-in data (rendered at size).
    public func resized(width newW: Int, height newH: Int) -> PixelImage {
        precondition(newW > 0 && newH > 0, "resize to a positive size")
        if newW == width && newH == height { return self }
        let ch = channels
        var out = [UInt8](repeating: 0, count: newW * newH * ch)
        let sx = Double(width) / Double(newW), sy = Double(height) / Double(newH)
        func taps(_ o: Int, _ scale: Double, _ n: Int) -> (Int, Int, Double) {
            let p = max(0, (Double(o) + 0.5) * scale - 0.5)
            let i0 = min(Int(p.rounded(.down)), n - 1)
            let i1 = min(i0 + 1, n - 1)
            return (i0, i1, p - Double(i0))
        }
        let xt = (0..<newW).map { taps($0, sx, width) }
        for y in 0..<newH {
            let (y0, y1, fy) = taps(y, sy, height)
            for x in 0..<newW {
                let (x0, x1, fx) = xt[x]
                for c in 0..<ch {
                    let a = Double(pixels[(y0 * width + x0) * ch + c]), b = Double(pixels[(y0 * width + x1) * ch + c])
                    let d = Double(pixels[(y1 * width + x0) * ch + c]), e = Double(pixels[(y1 * width + x1) * ch + c])
                    let top = a + (b - a) * fx, bottom = d + (e - d) * fx
                    out[(y * newW + x) * ch + c] = UInt8(min(255, max(0, top + (bottom - top) * fy)).rounded())
                }
            }
        }
        return PixelImage(width: newW, height: newH, channels: ch, pixels: out)
    }

    /// Writes the image as normalised float32 CHW (3 × H × W; grey replicated):
    /// (value/255 − mean[c]) / std[c], mirrored left–right if `flipped`. `out` needs 3·H·W floats.
    public func writeNormalizedCHW(into out: UnsafeMutableBufferPointer<Float>, normalization: ImageNormalization,
                                   flipped: Bool = false) {
        precondition(out.count >= 3 * width * height, "output buffer too small")
        let n = width * height
        let ch = channels, w = width
        pixels.withUnsafeBufferPointer { p in
            for c in 0..<3 {
                let scale = 1 / (255 * normalization.std[c]), shift = -normalization.mean[c] / normalization.std[c]
                let src = p.baseAddress! + (ch == 1 ? 0 : c)
                for y in 0..<height {
                    let dst = out.baseAddress! + (c &* n &+ y &* w)
                    let row = src + (y &* w &* ch)
                    // Separate loops per direction and channel count keep the inner loop branch-free.
                    if flipped {
                        if ch == 3 { for x in 0..<w { dst[x] = Float(row[(w &- 1 &- x) &* 3]) * scale + shift } }
                        else { for x in 0..<w { dst[x] = Float(row[w &- 1 &- x]) * scale + shift } }
                    } else {
                        if ch == 3 { for x in 0..<w { dst[x] = Float(row[x &* 3]) * scale + shift } }
                        else { for x in 0..<w { dst[x] = Float(row[x]) * scale + shift } }
                    }
                }
            }
        }
    }

    /// The normalised float32 CHW array (see `writeNormalizedCHW`).
    public func normalizedCHW(_ normalization: ImageNormalization, flipped: Bool = false) -> [Float] {
        var out = [Float](repeating: 0, count: 3 * width * height)
        out.withUnsafeMutableBufferPointer { writeNormalizedCHW(into: $0, normalization: normalization, flipped: flipped) }
        return out
    }
}

/// Per-channel mean and standard deviation (of values in 0…1) for the engine's input.
public struct ImageNormalization: Hashable, Sendable {
    public var mean: [Float]
    public var std: [Float]

    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == 3 && std.count == 3 && std.allSatisfy { $0 > 0 }, "3 means and 3 positive stds")
        self.mean = mean; self.std = std
    }

    /// The built-in dataset's statistics: `measure` over the first 1000 train images at scale 256
    /// gave mean (0.5049, 0.5004, 0.5029), std (0.1995, 0.1956, 0.1958); rounded here (tested).
    public static let shapes = ImageNormalization(mean: [0.505, 0.500, 0.503], std: [0.200, 0.196, 0.196])

    /// Per-channel mean and standard deviation of the first `images` images of `dataset` at
    /// `scale` (values in 0…1, over all pixels; how `shapes` was obtained).
    public static func measure(_ dataset: some DetectionDataset, images: Int, scale: Int) throws -> ImageNormalization {
        var sum = [Double](repeating: 0, count: 3), sq = sum
        var count = 0.0
        for i in 0..<min(images, dataset.count) {
            let p = try dataset.sample(at: i, scale: scale).pixels.rgb()
            for k in 0..<(p.width * p.height) {
                for c in 0..<3 {
                    let v = Double(p.pixels[3 * k + c]) / 255
                    sum[c] += v; sq[c] += v * v
                }
            }
            count += Double(p.width * p.height)
        }
        let mean = sum.map { $0 / max(1, count) }
        let std = (0..<3).map { c in max(1e-6, (sq[c] / max(1, count) - mean[c] * mean[c]).squareRoot()) }
        return ImageNormalization(mean: mean.map(Float.init), std: std.map(Float.init))
    }

    /// ImageNet's statistics, for COCO-style image folders.
    public static let imagenet = ImageNormalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
}
