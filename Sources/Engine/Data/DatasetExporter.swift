import COCOKit
import Foundation

/// Writes a dataset as a COCO folder other tools can read: `DIR/annotations.json` (COCO
/// instances, via `COCOWriter`) and `DIR/images/<file_name>` at the images' native size (the
/// built-in dataset: 640 × 480, so the annotations apply unchanged).
/// `COCOFolderDataset(dataset:imageDirectory: DIR/images)` reads the folder back.
public enum DatasetExporter {
    /// Image file format of an export.
    public enum ImageFormat: String, CaseIterable, Sendable {
        /// Uncompressed PNG (8-bit RGB), readable everywhere.
        case png
        /// Binary PPM (P6).
        case ppm
    }

    /// Exports `dataset` into `directory` (created if needed) and returns the written COCO data.
    /// `progress(done, total)` is called after each image.
    @discardableResult
    public static func export(_ dataset: some DetectionDataset, to directory: URL, format: ImageFormat = .png,
                              progress: ((Int, Int) -> Void)? = nil) throws -> COCODataset {
        let imageDir = directory.appendingPathComponent("images", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: imageDir, withIntermediateDirectories: true)
        } catch {
            throw ImageFileError(file: imageDir.path, "cannot create the directory (\(error.localizedDescription))")
        }
        var coco = dataset.cocoDataset()
        for i in 0..<dataset.count {
            let info = dataset.image(at: i)
            let sample = try dataset.sample(at: i, scale: min(info.width, info.height))
            guard sample.pixels.width == info.width, sample.pixels.height == info.height else {
                throw ImageFileError(file: info.fileName, "rendered \(sample.pixels.width)×\(sample.pixels.height), expected the native \(info.width)×\(info.height)")
            }
            let name = fileName(info.fileName, format: format)
            coco.images[i].fileName = name
            let url = imageDir.appendingPathComponent(name)
            do {
                switch format {
                case .png: try PNGWriter.write(sample.pixels.rgb(), to: url)
                case .ppm: try PNMWriter.write(sample.pixels.rgb(), to: url)
                }
            } catch let e as ImageFileError { throw e } catch {
                throw ImageFileError(file: url.path, "cannot write the image (\(error.localizedDescription))")
            }
            progress?(i + 1, dataset.count)
        }
        let json = directory.appendingPathComponent("annotations.json")
        do { try COCOWriter.write(try COCOWriter.instancesJSON(coco), to: json) } catch {
            throw ImageFileError(file: json.path, "cannot write the annotations (\(error))")
        }
        return coco
    }

    /// `name` with its extension replaced by the format's (".png" / ".ppm").
    static func fileName(_ name: String, format: ImageFormat) -> String {
        let base = (name as NSString).deletingPathExtension
        return base + "." + format.rawValue
    }
}
