import XCTest
@testable import COCOKit

final class COCOWriterTests: XCTestCase {
    func testResultsJSONWritesShortestRoundTripNumbers() throws {
        let d = COCODetection(imageId: 7, categoryId: 3,
                              bbox: COCOBox(x: 1, y: 2.5, width: 0.1 + 0.2, height: 40), score: 0.05)
        let text = try COCOWriter.resultsJSON([d])
        XCTAssertEqual(text, "[\n{\"image_id\":7,\"category_id\":3,\"bbox\":[1,2.5,0.30000000000000004,40],\"score\":0.05}\n]\n")
    }

    func testNonFiniteNumberIsRefusedWithItsPath() {
        let d = COCODetection(imageId: 1, categoryId: 1, bbox: COCOBox(x: 0, y: 0, width: .nan, height: 1), score: 1)
        XCTAssertThrowsError(try COCOWriter.resultsJSON([d])) { error in
            XCTAssertTrue("\(error)".contains("[0].bbox[2]"), "\(error)")
        }
    }

    func testInstancesJSONEscapesStrings() throws {
        let ds = COCODataset(images: [COCOImage(id: 1, width: 640, height: 480, fileName: "a\"b.ppm")],
                             annotations: [], categories: [COCOCategory(id: 1, name: "ring")])
        let text = try COCOWriter.instancesJSON(ds)
        XCTAssertTrue(text.contains(#""file_name":"a\"b.ppm""#), text)
    }
}
