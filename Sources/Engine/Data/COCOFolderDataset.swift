import COCOKit
import Foundation

/// A detection dataset read from disk: a parsed COCO instances file plus a folder of images.
///
/// Images are loaded on demand by `file_name` relative to `imageDirectory` (PPM/PGM via
/// `PNMReader`, PNG via `PNGReader`), checked against the `width`/`height` in the annotations and
/// resized (bilinear) so the shorter side is the requested scale, optionally capped so the longer
/// side stays ≤ `maxSize` (Detectron's rule). The scale factor maps predictions back.
/// The JSON itself is parsed by COCOKit (`COCODataset(contentsOf:)`); this type validates it.
public struct COCOFolderDataset: DetectionDataset {
    public let dataset: COCODataset
    public let imageDirectory: URL
    public let normalization: ImageNormalization
    /// Cap on the longer input side, if any.
    public var maxSize: Int?
    /// Annotations of `dataset.images[i]`, in file order.
    let annotationsByImage: [[COCOAnnotation]]

    /// Validates `dataset` (named `source` in errors, e.g. the JSON path) against itself.
    public init(dataset: COCODataset, imageDirectory: URL, source: String = "annotations",
                normalization: ImageNormalization = .imagenet, maxSize: Int? = nil) throws {
        func fail(_ place: String, _ message: String) -> ImageFileError {
            ImageFileError(file: source, "\(place): \(message)")
        }
        guard !dataset.categories.isEmpty else { throw fail("categories", "the dataset has no categories") }
        var categoryIds = Set<Int>()
        for (i, c) in dataset.categories.enumerated() where !categoryIds.insert(c.id).inserted {
            throw fail("categories[\(i)].id", "duplicate category id \(c.id)")
        }
        var imageIndex: [Int: Int] = [:]
        for (i, image) in dataset.images.enumerated() {
            if let j = imageIndex[image.id] { throw fail("images[\(i)].id", "duplicate image id \(image.id) (also images[\(j)])") }
            guard image.width > 0, image.height > 0 else {
                throw fail("images[\(i)]", "width and height must be positive, got \(image.width)×\(image.height)")
            }
            guard !image.fileName.isEmpty else { throw fail("images[\(i)].file_name", "empty file name") }
            imageIndex[image.id] = i
        }
        var byImage = [[COCOAnnotation]](repeating: [], count: dataset.images.count)
        for (i, a) in dataset.annotations.enumerated() {
            guard let k = imageIndex[a.imageId] else { throw fail("annotations[\(i)].image_id", "no image with id \(a.imageId)") }
            guard categoryIds.contains(a.categoryId) else {
                throw fail("annotations[\(i)].category_id", "no category with id \(a.categoryId)")
            }
            let b = a.bbox
            guard [b.x, b.y, b.width, b.height].allSatisfy(\.isFinite), b.width >= 0, b.height >= 0 else {
                throw fail("annotations[\(i)].bbox", "expected finite [x, y, width, height] with width, height ≥ 0, got [\(b.x), \(b.y), \(b.width), \(b.height)]")
            }
            byImage[k].append(a)
        }
        if let maxSize, maxSize <= 0 { throw fail("maxSize", "must be positive, got \(maxSize)") }
        self.dataset = dataset; self.imageDirectory = imageDirectory
        self.normalization = normalization; self.maxSize = maxSize
        self.annotationsByImage = byImage
    }

    public var categories: [COCOCategory] { dataset.categories }
    public var count: Int { dataset.images.count }
    public func image(at index: Int) -> COCOImage { dataset.images[index] }
    public func annotations(at index: Int) -> [COCOAnnotation] { annotationsByImage[index] }

    /// The image file of entry `index`, decoded, and checked against the annotated size.
    public func loadImage(at index: Int) throws -> PixelImage {
        let info = dataset.images[index]
        let url = imageDirectory.appendingPathComponent(info.fileName)
        let image = try ImageFileReader.read(url)
        guard image.width == info.width, image.height == info.height else {
            throw ImageFileError(file: url.path, "image is \(image.width)×\(image.height) but images[\(index)] (id \(info.id)) says \(info.width)×\(info.height)")
        }
        return image.rgb()
    }

    /// Shorter side = `scale`, longer side capped at `maxSize` if set (then the factor is maxSize / longer side).
    public func inputSize(at index: Int, scale: Int) -> (width: Int, height: Int, factor: Double) {
        let info = dataset.images[index]
        let size = DetectionSample.inputSize(width: info.width, height: info.height, scale: scale)
        guard let maxSize, Double(max(info.width, info.height)) * size.factor > Double(maxSize) else { return size }
        let f = Double(maxSize) / Double(max(info.width, info.height))
        return (max(1, Int((Double(info.width) * f).rounded())), max(1, Int((Double(info.height) * f).rounded())), f)
    }

    public func sample(at index: Int, scale: Int) throws -> DetectionSample {
        let size = inputSize(at: index, scale: scale)
        let pixels = try loadImage(at: index).resized(width: size.width, height: size.height)
        return DetectionSample(image: dataset.images[index], pixels: pixels, scale: size.factor, annotations: annotationsByImage[index])
    }
}

/// Decodes an image file by its content (not its extension): PNM (P2/P3/P5/P6) or PNG.
public enum ImageFileReader {
    public static func read(_ url: URL) throws -> PixelImage {
        let bytes = try ImageFileError.readBytes(url, what: "image file")
        if bytes.count >= 2, bytes[0] == UInt8(ascii: "P"), (UInt8(ascii: "1")...UInt8(ascii: "7")).contains(bytes[1]) {
            return try PNMReader.decode(bytes, file: url.path)
        }
        if bytes.starts(with: PNGReader.signature) { return try PNGReader.decode(bytes, file: url.path) }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            throw ImageFileError(file: url.path, offset: 0, "JPEG is not supported; convert the images to PNG or PPM (e.g. `convert a.jpg a.ppm`)")
        }
        throw ImageFileError(file: url.path, offset: 0, "unknown image format: expected a PNM (P2/P3/P5/P6) or PNG file")
    }
}
