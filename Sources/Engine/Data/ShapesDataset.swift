import COCOKit

/// The built-in procedural COCO-like dataset: `count` images of one split, rendered on demand.
///
/// Image `index` has COCO id index + 1, size 640 × 480 (dataset coordinates), file name
/// "shapes-<split>-<id, 6 digits>.png"; annotation j of it has id (index + 1)·1000 + j + 1,
/// `area` = box area and `iscrowd` 1 only for crowd groups. Everything is a pure function of
/// (config, split, index), so any image can be produced alone, in any order, on any thread.
public struct ShapesDataset: DetectionDataset {
    public let split: ShapesSplit
    public let count: Int
    public let generator: ShapesSceneGenerator

    public init(split: ShapesSplit, count: Int, config: ShapesConfig = ShapesConfig()) {
        precondition(count >= 0 && count < 1 << 32, "image count out of range")
        self.split = split; self.count = count; self.generator = ShapesSceneGenerator(config: config)
    }

    /// The split of a run: `trainImages` or `valImages` images with the run's `dataSeed`.
    public init(runConfig: RunConfig, split: ShapesSplit) {
        self.init(split: split, count: split == .val ? runConfig.valImages : runConfig.trainImages,
                  config: ShapesConfig(seed: runConfig.dataSeed))
    }

    public var config: ShapesConfig { generator.config }
    public var categories: [COCOCategory] { ShapeCategory.cocoCategories }
    public var normalization: ImageNormalization { .shapes }

    /// The vector scene of image `index`.
    public func scene(at index: Int) -> ShapesScene {
        generator.scene(split: split, index: index)
    }

    public func image(at index: Int) -> COCOImage {
        let id = index + 1
        let digits = String(id)
        let name = "shapes-\(split.rawValue)-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".png"
        return COCOImage(id: id, width: config.width, height: config.height, fileName: name)
    }

    public func annotations(at index: Int) -> [COCOAnnotation] {
        annotations(of: scene(at: index), index: index)
    }

    func annotations(of scene: ShapesScene, index: Int) -> [COCOAnnotation] {
        let id = index + 1
        return scene.objects.enumerated().map { j, o in
            COCOAnnotation(id: id * 1000 + j + 1, imageId: id, categoryId: o.category.cocoId, bbox: o.box,
                           area: o.box.area, isCrowd: o.isCrowd)
        }
    }

    public func sample(at index: Int, scale: Int) -> DetectionSample {
        let scene = scene(at: index)
        let size = DetectionSample.inputSize(width: config.width, height: config.height, scale: scale)
        let pixels = ShapesRenderer.render(scene, width: size.width, height: size.height, scale: size.factor)
        return DetectionSample(image: image(at: index), pixels: pixels, scale: size.factor,
                               annotations: annotations(of: scene, index: index))
    }
}
