import COCOKit
import Dispatch

/// Produces training batches: a seeded shuffle per epoch, horizontal flip with probability ½,
/// images as normalised NCHW float32 padded (bottom/right, zeros) to the largest image of the
/// batch, and each image's ground truth in input pixels.
///
/// Rendered (or decoded and resized) images are cached as UInt8 up to `cacheBytes`, so the
/// procedural renderer runs once per image rather than once per epoch.
public final class BatchLoader {
    public let dataset: any DetectionDataset
    public let scale: Int
    public let batchSize: Int
    public let flip: Bool
    let seed: UInt64
    let classIndex: [Int: Int]
    let threads: Int

    private var cache: [PixelImage?]
    private var cachedBytes = 0
    private let cacheBytes: Int
    private var order: [Int] = []
    private var position = 0
    private var epoch: UInt64 = 0
    private var rng: SeededRandom

    /// Images of the last batch, NCHW [N][3][H][W].
    public private(set) var images: [Float] = []
    public private(set) var height = 0
    public private(set) var width = 0
    /// Ground truth of the last batch in input pixels (after flipping).
    public private(set) var groundTruth: [GroundTruthBoxes] = []

    public init(dataset: any DetectionDataset, scale: Int, batchSize: Int, flip: Bool, seed: UInt64,
                threads: Int = 1, cacheBytes: Int = 1 << 31) {
        self.dataset = dataset; self.scale = scale; self.batchSize = batchSize; self.flip = flip
        self.seed = seed; self.threads = max(1, threads); self.cacheBytes = cacheBytes
        classIndex = dataset.classIndex
        cache = Array(repeating: nil, count: dataset.count)
        rng = SeededRandom(seed: seed, stream: 0xB47C_4000)
    }

    /// The next batch's dataset indices (reshuffling at each epoch boundary).
    func nextIndices() -> [Int] {
        var out: [Int] = []
        while out.count < batchSize {
            if position >= order.count {
                order = Array(0..<dataset.count)
                var r = SeededRandom(seed: seed, stream: 0x5EED_0000 + epoch)
                for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, r.int(below: i + 1)) }
                position = 0; epoch += 1
            }
            out.append(order[position]); position += 1
        }
        return out
    }

    /// Loads the next batch into `images` / `groundTruth`.
    public func next() throws {
        let indices = nextIndices()
        let flips = indices.map { _ in flip && rng.uniform() < 0.5 }
        var pixels = [PixelImage?](repeating: nil, count: indices.count)
        var scales = [Double](repeating: 1, count: indices.count)
        var annotations = [[COCOAnnotation]](repeating: [], count: indices.count)
        // Render / load missing images (in parallel when allowed; each chunk writes its own slot).
        let missing = indices.indices.filter { cache[indices[$0]] == nil }
        var results = [DetectionSample?](repeating: nil, count: indices.count)
        var failures = [Error?](repeating: nil, count: indices.count)
        let ds = dataset, s = scale
        results.withUnsafeMutableBufferPointer { res in
            failures.withUnsafeMutableBufferPointer { errs in
                let out = UncheckedSendable((res, errs))
                let work: @Sendable (Int) -> Void = { m in
                    let slot = missing[m]
                    do { out.value.0[slot] = try ds.sample(at: indices[slot], scale: s) } catch { out.value.1[slot] = error }
                }
                if threads > 1 && missing.count > 1 {
                    DispatchQueue.concurrentPerform(iterations: missing.count) { work($0) }
                } else {
                    for m in missing.indices { work(m) }
                }
            }
        }
        if let e = failures.compactMap({ $0 }).first { throw e }
        for (slot, index) in indices.enumerated() {
            let info = dataset.inputSize(at: index, scale: scale)
            scales[slot] = info.factor
            annotations[slot] = dataset.annotations(at: index)
            if let p = cache[index] { pixels[slot] = p; continue }
            guard let sample = results[slot] else { continue }
            pixels[slot] = sample.pixels
            scales[slot] = sample.scale
            let bytes = sample.pixels.pixels.count
            if cachedBytes + bytes <= cacheBytes { cache[index] = sample.pixels; cachedBytes += bytes }
        }
        height = pixels.map { $0?.height ?? 0 }.max() ?? 0
        width = pixels.map { $0?.width ?? 0 }.max() ?? 0
        let plane = height * width
        if images.count != indices.count * 3 * plane {
            images = [Float](repeating: 0, count: indices.count * 3 * plane)
        }
        groundTruth.removeAll(keepingCapacity: true)
        for slot in indices.indices {
            guard let p = pixels[slot] else { continue }
            let tight = p.width == width && p.height == height
            images.withUnsafeMutableBufferPointer { buf in
                let base = buf.baseAddress! + slot * 3 * plane
                if tight {
                    p.writeNormalizedCHW(into: UnsafeMutableBufferPointer(start: base, count: 3 * plane),
                                         normalization: dataset.normalization, flipped: flips[slot])
                } else {
                    // Padded: write the image compactly, then spread its rows (bottom/right zeros).
                    let tmp = p.normalizedCHW(dataset.normalization, flipped: flips[slot])
                    base.update(repeating: 0, count: 3 * plane)
                    tmp.withUnsafeBufferPointer { src in
                        for c in 0..<3 { for y in 0..<p.height {
                            (base + c * plane + y * width).update(from: src.baseAddress! + (c * p.height + y) * p.width, count: p.width)
                        } }
                    }
                }
            }
            var gt = try GroundTruthBoxes(annotations: annotations[slot], scale: scales[slot], classIndex: classIndex)
            if flips[slot] { gt = gt.flippedHorizontally(imageWidth: p.width) }
            groundTruth.append(gt)
        }
    }
}

