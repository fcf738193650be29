import XCTest
@testable import Engine

final class RunConfigTests: XCTestCase {
    func testMissingKeysTakeDefaultsAndCanonicalFormIsStable() throws {
        let partial = try RunConfig.decode(json: #"{"gamma": 0, "alpha": 0.75}"#)
        var expected = RunConfig()
        expected.gamma = 0
        expected.alpha = 0.75
        XCTAssertEqual(partial, expected)
        let reordered = try RunConfig.decode(json: #"{"alpha": 0.75, "gamma": 0.0}"#)
        XCTAssertEqual(try partial.canonicalJSON(), try reordered.canonicalJSON())
        XCTAssertEqual(try RunConfig.decode(json: partial.canonicalJSON()), partial)
    }

    func testUnknownKeyIsRejectedByName() {
        XCTAssertThrowsError(try RunConfig.decode(json: #"{"gama": 2}"#)) { error in
            XCTAssertTrue("\(error)".contains("'gama'"), "\(error)")
        }
    }
}
