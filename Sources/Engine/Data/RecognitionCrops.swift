/// Object-centred crops of network-input images, for checking that categories can be told apart
/// at a given scale (`tools/recognition_probe.py` trains a small classifier on them).
///
/// For each non-crowd object of image i rendered at `scale`: a square window centred on the
/// object, side max(`size`, 1.25 × the object's longer side) in input pixels, resized to
/// `size` × `size` (so objects smaller than the window keep their input resolution, larger ones
/// are shrunk to fit). Plus, per image, one "no object" window (label 12) of side `size` in which
/// no object shows more than 10% of its box, when one is found in 20 tries.
public enum RecognitionCrops {
    /// One crop: RGB bytes (size × size × 3), label 0…12, COCO size class 0/1/2 (small/medium/large;
    /// 3 for background).
    public struct Crop: Sendable {
        public var pixels: [UInt8]
        public var label: UInt8
        public var sizeClass: UInt8
    }

    public static func crops(dataset: ShapesDataset, images: Range<Int>, scale: Int, size: Int = 32) -> [Crop] {
        var out: [Crop] = []
        var rng = SeededRandom(seed: dataset.config.seed, stream: 1 << 38)
        for i in images {
            let sample = dataset.sample(at: i, scale: scale)
            let f = sample.scale
            let img = sample.pixels
            func window(_ cx: Double, _ cy: Double, _ side: Int) -> [UInt8] {
                var w = [UInt8](repeating: 0, count: side * side * 3)
                let x0 = Int((cx - Double(side) / 2).rounded()), y0 = Int((cy - Double(side) / 2).rounded())
                for y in 0..<side {
                    for x in 0..<side {
                        let sx = min(max(x0 + x, 0), img.width - 1), sy = min(max(y0 + y, 0), img.height - 1)
                        for c in 0..<3 { w[(y * side + x) * 3 + c] = img.value(x: sx, y: sy, channel: c) }
                    }
                }
                return side == size ? w : PixelImage(width: side, height: side, channels: 3, pixels: w).resized(width: size, height: size).pixels
            }
            for a in sample.annotations where !a.isCrowd {
                let b = a.bbox
                let side = max(size, Int((1.25 * max(b.width, b.height) * f).rounded(.up)))
                let sizeClass: UInt8 = a.area < 32 * 32 ? 0 : (a.area < 96 * 96 ? 1 : 2)
                out.append(Crop(pixels: window((b.x + b.width / 2) * f, (b.y + b.height / 2) * f, side),
                                label: UInt8(a.categoryId - 1), sizeClass: sizeClass))
            }
            for _ in 0..<20 {
                let cx = rng.uniform(0, Double(img.width)), cy = rng.uniform(0, Double(img.height))
                let half = Double(size) / 2 / f
                let clear = sample.annotations.allSatisfy { a in
                    let b = a.bbox
                    let iw = max(0, min(b.x + b.width, cx / f + half) - max(b.x, cx / f - half))
                    let ih = max(0, min(b.y + b.height, cy / f + half) - max(b.y, cy / f - half))
                    return iw * ih <= 0.1 * b.area
                }
                if clear {
                    out.append(Crop(pixels: window(cx, cy, size), label: UInt8(ShapeCategory.allCases.count), sizeClass: 3))
                    break
                }
            }
        }
        return out
    }

    /// The crops as one binary blob: per crop, label, size class, then size·size·3 RGB bytes.
    public static func encode(_ crops: [Crop]) -> [UInt8] {
        var out: [UInt8] = []
        for c in crops { out.append(c.label); out.append(c.sizeClass); out += c.pixels }
        return out
    }
}
