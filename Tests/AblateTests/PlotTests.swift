import XCTest
@testable import Ablate

final class PlotTests: XCTestCase {
    func testFocalLossValues() {
        // γ = 0 is CE: −log(p_t); γ = 2 at p_t = 0.5: −0.25 log 0.5.
        XCTAssertEqual(FocalLossCurves.loss(pt: 0.5, gamma: 0), log(2), accuracy: 1e-12)
        XCTAssertEqual(FocalLossCurves.loss(pt: 0.5, gamma: 2), 0.25 * log(2), accuracy: 1e-12)
        // The paper's example: at p_t = 0.9, FL(γ=2) is 100× lower than CE.
        XCTAssertEqual(FocalLossCurves.loss(pt: 0.9, gamma: 0) / FocalLossCurves.loss(pt: 0.9, gamma: 2), 100, accuracy: 1e-9)
        let svg = FocalLossCurves.plot().render()
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 5)
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
    }

    func testLossCDFIsANormalisedMonotoneCurveAndFocusesOnHardNegatives() {
        // Mostly easy negatives (p small) plus a few hard ones.
        let negatives = (0..<1000).map { i in i < 990 ? 0.001 * Double(i % 10 + 1) : 0.9 }
        let curves = LossCDF.curves(probabilities: negatives, positive: false, points: 100)
        XCTAssertEqual(curves.map(\.gamma), [0, 0.5, 1, 2])
        for c in curves {
            XCTAssertEqual(c.points.first?.cumulative, 0)
            XCTAssertEqual(try XCTUnwrap(c.points.last?.cumulative), 1, accuracy: 1e-12)
            XCTAssertTrue(zip(c.points, c.points.dropFirst()).allSatisfy { $0.cumulative <= $1.cumulative + 1e-15 })
        }
        // At 98% of examples, γ = 2 has accumulated far less of its loss than CE: the loss sits
        // in the few hard negatives (the paper's Figure 4 observation).
        let at98 = curves.map { $0.points[98].cumulative }
        XCTAssertLessThan(at98[3], 0.01)
        XCTAssertGreaterThan(at98[0], at98[3])
    }

    func testScoreFileErrorsNameTheLine() throws {
        let dir = try TempDir()
        try "# scores\n1,0.9\n0,0.1\n2,0.5\n".write(toFile: dir.path("s.csv"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ScoreFile.read(dir.path("s.csv"))) {
            XCTAssertEqual("\($0)", "\(dir.path("s.csv")):4: label must be 0 or 1, got '2'")
        }
        try "1,0.9\n0,0.1\n".write(toFile: dir.path("ok.csv"), atomically: true, encoding: .utf8)
        let sets = try ScoreFile.read(dir.path("ok.csv"))
        XCTAssertEqual(sets.positive, [0.9])
        XCTAssertEqual(sets.negative, [0.1])
    }
}
