import Foundation

/// Writes COCO instances and results JSON that pycocotools, torchvision and `cocoeval` read.
///
/// Numbers are written in Swift's shortest round-trip form, so a `Double` read back is
/// bit-identical to the one written. Non-finite numbers cannot be written (JSON has none).
public enum COCOWriter {
    /// Errors raised when a value cannot be represented in JSON.
    public enum WriteError: Error, CustomStringConvertible {
        case nonFinite(path: String, value: Double)
        public var description: String {
            switch self {
            case let .nonFinite(path, value):
                return "cannot write \(path) = \(value): JSON has no NaN or infinity"
            }
        }
    }

    /// The instances JSON text of `dataset` (`images`, `annotations`, `categories`).
    public static func instancesJSON(_ dataset: COCODataset) throws -> String {
        var out = "{\"images\":["
        for (i, image) in dataset.images.enumerated() {
            if i > 0 { out += "," }
            out += "{\"id\":\(COCOId.jsonText(image.id)),\"width\":\(image.width),\"height\":\(image.height),\"file_name\":"
            appendString(image.fileName, to: &out)
            out += "}"
        }
        out += "],\"annotations\":["
        for (i, a) in dataset.annotations.enumerated() {
            if i > 0 { out += "," }
            out += "{\"id\":\(COCOId.jsonText(a.id)),\"image_id\":\(COCOId.jsonText(a.imageId)),\"category_id\":\(COCOId.jsonText(a.categoryId)),\"bbox\":"
            try appendBox(a.bbox, path: "annotations[\(i)].bbox", to: &out)
            out += ",\"area\":"
            try appendNumber(a.area, path: "annotations[\(i)].area", to: &out)
            out += ",\"iscrowd\":\(a.isCrowd ? 1 : 0)}"
        }
        out += "],\"categories\":["
        for (i, c) in dataset.categories.enumerated() {
            if i > 0 { out += "," }
            out += "{\"id\":\(COCOId.jsonText(c.id)),\"name\":"
            appendString(c.name, to: &out)
            out += ",\"supercategory\":"
            appendString(c.supercategory, to: &out)
            out += "}"
        }
        out += "]}\n"
        return out
    }

    /// The results JSON text of `detections` (a list of `{image_id, category_id, bbox, score}`).
    public static func resultsJSON(_ detections: [COCODetection]) throws -> String {
        var out = "["
        out.reserveCapacity(detections.count * 96 + 4)
        for (i, d) in detections.enumerated() {
            out += i > 0 ? ",\n" : "\n"
            out += "{\"image_id\":\(COCOId.jsonText(d.imageId)),\"category_id\":\(COCOId.jsonText(d.categoryId)),\"bbox\":"
            try appendBox(d.bbox, path: "[\(i)].bbox", to: &out)
            out += ",\"score\":"
            try appendNumber(d.score, path: "[\(i)].score", to: &out)
            out += "}"
        }
        out += "\n]\n"
        return out
    }

    /// Writes `text` to `url` atomically (a crash never leaves a half-written file).
    public static func write(_ text: String, to url: URL) throws {
        try Data(text.utf8).write(to: url, options: .atomic)
    }

    static func appendBox(_ b: COCOBox, path: String, to out: inout String) throws {
        out += "["
        try appendNumber(b.x, path: path + "[0]", to: &out); out += ","
        try appendNumber(b.y, path: path + "[1]", to: &out); out += ","
        try appendNumber(b.width, path: path + "[2]", to: &out); out += ","
        try appendNumber(b.height, path: path + "[3]", to: &out)
        out += "]"
    }

    /// Shortest round-trip decimal; integral values without a fraction ("12", not "12.0").
    static func appendNumber(_ v: Double, path: String, to out: inout String) throws {
        guard v.isFinite else { throw WriteError.nonFinite(path: path, value: v) }
        if v == v.rounded(), abs(v) < 1e15 {
            out += String(Int64(v))
        } else {
            out += "\(v)"
        }
    }

    static func appendString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
