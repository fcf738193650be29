import COCOKit
import XCTest
@testable import Engine

/// End to end: a tiny RetinaNet trained from scratch on a handful of built-in images detects
/// them (AP50 ≥ 0.9 on the training images themselves), scored by COCOKit.
final class DetectorOverfitTests: XCTestCase {
    func testTinyDetectorOverfitsAHandfulOfImages() throws {
        var shapes = ShapesConfig(seed: 11)
        shapes.smallFraction = 0; shapes.mediumFraction = 0.5    // objects a tiny net can see at this scale
        shapes.emptyImageFraction = 0
        let data = ShapesDataset(split: .train, count: 4, config: shapes)
        var c = RunConfig()
        c.scale = 128; c.depth = 10; c.width = 8; c.fpnChannels = 32; c.headChannels = 32; c.headConvs = 2
        c.backboneInit = "scratch"; c.iterations = 400; c.batchSize = 4; c.baseLR = 0.01
        c.warmupIterations = 50; c.lrDecayAt = [0.8]; c.horizontalFlip = false; c.seed = 5
        let trainer = try DetectorTrainer(config: c, train: data, backbone: nil, threads: 2)
        var last: TrainLogEntry?
        let status = try trainer.run(logEvery: 100) { last = $0 }
        XCTAssertEqual(status, .finished)
        let predictor = DetectionPredictor(net: trainer.net, anchorGenerator: trainer.anchorGenerator,
                                           categoryIds: data.categories.map(\.id))
        let (dets, _) = try predictor.predict(dataset: data, scale: c.scale)
        let summary = try COCOEvaluator(groundTruth: data.cocoDataset(), detections: dets).run(threads: 1)
        let ap50 = summary.statsByName["AP50"] ?? -1
        XCTAssertGreaterThanOrEqual(ap50, 0.9, "AP50 \(ap50), AP \(summary.stats[0]); last log \(String(describing: last))")
    }
}
