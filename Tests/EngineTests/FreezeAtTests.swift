import XCTest
@testable import Engine

/// `RunConfig.freezeAt` (Detectron's FREEZE_AT): identity, validation, and that the trainer
/// really leaves the frozen layers untouched while the rest trains.
final class FreezeAtTests: XCTestCase {
    func testEncodedOnlyWhenSetAndRoundTrips() throws {
        var c = RunConfig()
        XCTAssertFalse(try c.canonicalJSON().contains("freezeAt"), "older runs keep their identity")
        c.freezeAt = 2
        let json = try c.canonicalJSON()
        XCTAssertTrue(json.contains(#""freezeAt":2"#), json)
        XCTAssertEqual(try RunConfig.decode(json: json), c)
    }

    func testValidationNamesTheProblem() {
        var c = RunConfig()
        c.freezeAt = 6
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("freezeAt must be in 0…5"), "\($0)") }
        c.freezeAt = 2; c.backboneInit = "scratch"
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("needs backboneInit"), "\($0)") }
    }

    func testTrainerFreezesStemAndStageOneOnly() throws {
        var c = RunConfig()
        c.scale = 64; c.depth = 10; c.width = 4; c.fpnChannels = 8; c.headChannels = 8; c.headConvs = 1
        c.iterations = 3; c.batchSize = 2; c.warmupIterations = 0; c.freezeAt = 2; c.seed = 3
        let data = ShapesDataset(split: .train, count: 2, config: ShapesConfig(seed: 2))
        let donor = try RetinaNet(config: RetinaNetConfig(runConfig: c, numClasses: data.categories.count), seed: 9,
                                  ctx: ComputeContext(threads: 1))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("freezeAt-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try donor.backbone.save(to: file)

        let trainer = try DetectorTrainer(config: c, train: data, backbone: file, threads: 1)
        func snapshot() -> [String: [Float]] {
            Dictionary(uniqueKeysWithValues: trainer.net.backbone.parameters.map {
                ($0.name, Array(UnsafeBufferPointer(start: $0.value.data, count: $0.value.count)))
            })
        }
        let before = snapshot()
        XCTAssertEqual(try trainer.run(logEvery: 10) { _ in }, .finished)
        let after = snapshot()
        for (name, value) in before where name.hasPrefix("conv1.") || name.hasPrefix("bn1.") || name.hasPrefix("layer1.") {
            XCTAssertEqual(after[name], value, "\(name) is frozen and must not change")
        }
        let trained = before.filter { $0.key.hasPrefix("layer2.") && $0.key.hasSuffix("conv1.weight") }
        XCTAssertFalse(trained.isEmpty)
        for (name, value) in trained { XCTAssertNotEqual(after[name], value, "\(name) trains") }
    }
}
