import Foundation

extension COCODataset {
    /// Reads a COCO instances file (streaming; memory proportional to the boxes, not the text).
    public init(contentsOf url: URL) throws {
        self = try COCODataset.load(contentsOf: url).dataset
    }

    /// Reads a COCO instances file and returns the non-fatal findings too (e.g. missing `iscrowd`).
    public static func load(contentsOf url: URL) throws -> (dataset: COCODataset, warnings: [String]) {
        var parser = COCOParser(try JSONByteReader(url: url))
        let ds = try parser.instances()
        return (ds, parser.warnings)
    }

    /// Parses instances JSON held in memory; `name` stands for the file name in messages.
    public static func parse(_ bytes: [UInt8], name: String = "<memory>") throws -> (dataset: COCODataset, warnings: [String]) {
        var parser = COCOParser(JSONByteReader(bytes: bytes, name: name))
        let ds = try parser.instances()
        return (ds, parser.warnings)
    }
}

/// Reading COCO results files (a JSON list of `{image_id, category_id, bbox, score}`).
public enum COCOResults {
    /// Reads a results file (streaming; extra keys such as `segmentation`, `area`, `id` ignored).
    public static func load(contentsOf url: URL) throws -> [COCODetection] {
        var parser = COCOParser(try JSONByteReader(url: url))
        return try parser.results()
    }

    /// Parses results JSON held in memory; `name` stands for the file name in messages.
    public static func parse(_ bytes: [UInt8], name: String = "<memory>") throws -> [COCODetection] {
        var parser = COCOParser(JSONByteReader(bytes: bytes, name: name))
        return try parser.results()
    }
}
