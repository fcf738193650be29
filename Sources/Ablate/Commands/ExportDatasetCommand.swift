import Engine
import Foundation

/// `ablate export-dataset`: the built-in data as a COCO folder any tool can read.
enum ExportDatasetCommand: AblateCommand {
    static let name = "export-dataset"
    static let abstract = "write a split of the built-in dataset as COCO JSON + images"
    static let usage = "DIR [--split train|val] [--images N] [--data-seed S] [--format png|ppm]"
    static let discussion = """
    Writes DIR/annotations.json (COCO instances in the 640×480 dataset space) and DIR/images/
    (one 640×480 image per entry). The default size is the default run config's: 2000 train or
    250 validation images, data seed 1 — the same images a run with those settings trains or is
    scored on. A directory holding train/ and val/ exports can be given to a run as "dataset".
    """
    static let options: [OptionSpec] = [
        OptionSpec(name: "split", value: "train|val", help: "which split (default val)"),
        OptionSpec(name: "images", value: "N", help: "number of images (default: the run config's default for the split)"),
        OptionSpec(name: "data-seed", value: "S", help: "generator seed (default 1)"),
        OptionSpec(name: "format", value: "png|ppm", help: "image format (default png)"),
    ]

    static func run(_ args: Arguments) throws -> Int32 {
        let dir = try args.positionals(exactly: ["DIR"])[0]
        let split: ShapesSplit = try args.choice("split", ["train", "val"]) == "train" ? .train : .val
        var config = RunConfig()
        if let seed = try args.int("data-seed", min: 0) { config.dataSeed = UInt64(seed) }
        let count = try args.int("images", min: 1) ?? (split == .train ? config.trainImages : config.valImages)
        let format = DatasetExporter.ImageFormat(rawValue: try args.choice("format", ["png", "ppm"]) ?? "png") ?? .png
        let data = ShapesDataset(split: split, count: count, config: ShapesConfig(seed: config.dataSeed))
        var last = Date.distantPast
        let coco = try DatasetExporter.export(data, to: URL(fileURLWithPath: dir, isDirectory: true), format: format) { done, total in
            if Date().timeIntervalSince(last) > 1 || done == total {
                last = Date()
                FileHandle.standardError.write(Data("\r\(done)/\(total) images".utf8))
            }
        }
        FileHandle.standardError.write(Data("\n".utf8))
        print("wrote \(dir)/annotations.json (\(coco.images.count) images, \(coco.annotations.count) annotations, \(coco.categories.count) categories) and \(dir)/images/")
        return 0
    }
}
