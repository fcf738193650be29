import Foundation
import XCTest
@testable import COCOKit

/// Compressed RLE decoding against pycocotools' `maskUtils.area` / `maskUtils.toBbox`
/// (Fixtures/rle/cases.json, tools/coco_fixture_ids_results.py): real masks, random strings,
/// characters outside '0'…'o', values longer than 32 bits, heights beyond 2^32. Exact equality.
final class CompressedRLETests: XCTestCase {
    func testAreaAndBoxEqualPycocotools() throws {
        let cases = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("rle/cases.json"))) as! [[String: Any]]
        XCTAssertGreaterThan(cases.count, 300)
        var longValues = 0
        for c in cases {
            let counts = Array((c["counts"] as! String).utf8)
            let size = (c["size"] as! [NSNumber]).map(\.uint64Value)
            guard let cnts = CompressedRLE.counts(counts) else { XCTFail("unterminated: \(c)"); continue }
            XCTAssertEqual(UInt64(CompressedRLE.area(cnts)), (c["area"] as! NSNumber).uint64Value, "\(c)")
            let want = (c["bbox_repr"] as! [String]).map { Double($0)! }
            let box = try XCTUnwrap(CompressedRLE.box(cnts, height: size[0], width: size[1]))
            XCTAssertEqual([box.x, box.y, box.width, box.height], want, "\(c)")
            if counts.count >= 8 { longValues += 1 }
        }
        XCTAssertGreaterThan(longValues, 50)
    }

    func testUndefinedCasesAreRefused() {
        // The last character continues the value: the C decoder would read past the string.
        XCTAssertNil(CompressedRLE.counts(Array("0P".utf8)))
        // A NUL ends the C string; what follows is ignored.
        XCTAssertEqual(CompressedRLE.counts(Array("12\u{0}P".utf8)), [1, 2])
        // Height 0 with a foreground run: division by zero in maskUtils.toBbox.
        XCTAssertNil(CompressedRLE.box([3, 4], height: 0, width: 5))
        XCTAssertEqual(CompressedRLE.box([], height: 0, width: 5), COCOBox(x: 0, y: 0, width: 0, height: 0))
    }
}
