import XCTest
@testable import Engine

/// `RunConfig.headInitStd`: identity, validation, and that the heads' weights get that std.
final class HeadInitStdTests: XCTestCase {
    func testEncodedOnlyWhenNotThePapersValue() throws {
        var c = RunConfig()
        XCTAssertFalse(try c.canonicalJSON().contains("headInitStd"), "older runs keep their identity")
        c.headInitStd = 0.03
        let json = try c.canonicalJSON()
        XCTAssertTrue(json.contains(#""headInitStd":0.03"#), json)
        XCTAssertEqual(try RunConfig.decode(json: json), c)
        c.headInitStd = 0
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("headInitStd must be a positive"), "\($0)") }
    }

    func testHeadWeightsHaveTheConfiguredStd() throws {
        for std in [0.01, 0.03] {
            var c = RunConfig()
            c.width = 8; c.fpnChannels = 16; c.headChannels = 16; c.headConvs = 2; c.headInitStd = std
            let net = try RetinaNet(config: try RetinaNetConfig(runConfig: c, numClasses: 3), seed: 1,
                                    ctx: ComputeContext(threads: 1))
            for (name, p) in net.namedParameters where name.hasPrefix("head.") && name.hasSuffix(".weight") {
                let rms = (p.value.squaredNorm / Double(p.count)).squareRoot()
                XCTAssertEqual(rms, std, accuracy: std * 0.1, name)
            }
        }
    }
}
