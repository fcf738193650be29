import Foundation
import XCTest
@testable import COCOKit

/// Ids as pycocotools sees them: equality and order as in Python, the float conversion of
/// matched annotation ids, and NumPy's float64 rounding. Expected values are Python's
/// (`sorted(...)`, `float(s)` run on Python 3.11; quoted beside each table).
final class COCOIdTests: XCTestCase {
    /// Parses one id as the readers do (`text` is JSON).
    func key(_ text: String) throws -> Int {
        var p = COCOParser(JSONByteReader(bytes: Array(text.utf8), name: "id"))
        return try p.id()
    }

    func testEqualIdsShareKeysAcrossSpellings() throws {
        XCTAssertEqual(try key("1"), 1)
        XCTAssertEqual(try key("1.0"), 1)
        XCTAssertEqual(try key("1e0"), 1)
        XCTAssertEqual(try key("true"), 1)
        XCTAssertEqual(try key("-0.0"), 0)
        XCTAssertNotEqual(try key("\"1\""), 1)
        XCTAssertEqual(try key("\"caf\\u00e9\""), COCOId.key(string: "café"))
        // Python: 18446744073709551616 == 1.8446744073709552e19 (both 2^64); 2^64 + 1 is another id.
        XCTAssertEqual(try key("18446744073709551616"), try key("1.8446744073709552e19"))
        XCTAssertNotEqual(try key("18446744073709551617"), try key("18446744073709551616"))
        XCTAssertTrue(COCOId.isInterned(try key("4611686018427387904")))  // 2^62: outside the plain range
        XCTAssertEqual(COCOId.jsonText(try key("4611686018427387904")), "4611686018427387904")
        XCTAssertEqual(COCOId.jsonText(try key("-1e30")), "-1000000000000000019884624838656")
        XCTAssertEqual(COCOId.jsonText(try key("2.5")), "2.5")
        XCTAssertEqual(COCOId.jsonText(try key("\"a\\\"b\\n\"")), "\"a\\\"b\\n\"")
        XCTAssertThrowsError(try key("NaN"))
        XCTAssertThrowsError(try key("null"))
        XCTAssertThrowsError(try key("[1]"))
    }

    func testOrderIsPythons() throws {
        // sorted([2**64+1, -2**70, 1.5, -5, inf, 2**63, 0, -0.5, 2**53+1, -inf, -2**63, 2**62, 7])
        let numbers = ["18446744073709551617", "-1180591620717411303424", "1.5", "-5", "Infinity", "9223372036854775808", "0",
                       "-0.5", "9007199254740993", "-Infinity", "-9223372036854775808", "4611686018427387904", "7"]
        let python = ["-Infinity", "-1180591620717411303424", "-9223372036854775808", "-5", "-0.5", "0", "1.5", "7",
                      "9007199254740993", "4611686018427387904", "9223372036854775808", "18446744073709551617", "Infinity"]
        let sorted = try COCOId.sortedUnique(try numbers.map(key), what: "ids")
        XCTAssertEqual(sorted.map(COCOId.displayText), python)
        // sorted(['b','a','B','é','10','9','\U0001F600','\uffff','','a\x00'])
        let strings = ["b", "a", "B", "é", "10", "9", "😀", "\u{FFFF}", "", "a\u{0}"]
        let pyStrings = ["", "10", "9", "B", "a", "a\u{0}", "b", "é", "\u{FFFF}", "😀"]
        XCTAssertEqual(try COCOId.sortedUnique(strings.map(COCOId.key(string:)), what: "ids").map(COCOId.displayText), pyStrings)
        XCTAssertThrowsError(try COCOId.sortedUnique([1, COCOId.key(string: "1")], what: "image ids")) { e in
            XCTAssertTrue("\(e)".contains("TypeError: '<' not supported between instances of 'str' and 'int'"), "\(e)")
        }
    }

    func testNumpyFloat64RoundingIsDetected() throws {
        func problem(_ ids: [String], floatTyped: Bool = false) throws -> Bool {
            COCOId.numpyFloat64Problem(try ids.map { COCOId.value(of: try key($0)) }, floatTyped: floatTyped, what: "ids") != nil
        }
        XCTAssertTrue(try problem(["1", "9223372036854775809"]))                   // int64 + uint64 → float64
        XCTAssertFalse(try problem(["9223372036854775808", "9223372036854775809"]))  // uint64: exact
        XCTAssertFalse(try problem(["1", "9223372036854775809", "18446744073709551617"]))  // object: exact
        XCTAssertTrue(try problem(["1.5", "9007199254740993"]))                    // a float → float64
        XCTAssertFalse(try problem(["1", "9007199254740993"]))                     // int64: exact
        XCTAssertTrue(try problem(["1", "9007199254740993"], floatTyped: true))    // "1.0" in the file
        XCTAssertFalse(try problem(["1.5", "9007199254740992"]))                   // 2^53 is exact
    }

    func testMatchStateFollowsPythonsFloat() {
        // float(s) == 0 → readsAsUnmatched, else matched; ValueError → conversionFails.
        let table: [(String, COCOId.MatchState)] = [
            ("1", .matched), ("0", .readsAsUnmatched), (" 5 ", .matched), ("1_0", .matched), ("0x10", .conversionFails),
            ("1e3", .matched), ("-0", .readsAsUnmatched), ("nan", .matched), ("inf", .matched), ("Infinity", .matched),
            ("+3", .matched), ("abc", .conversionFails), ("", .conversionFails), ("  ", .conversionFails), ("1e400", .matched),
            ("0e5", .readsAsUnmatched), ("\t7\n", .matched), ("1__0", .conversionFails), ("_1", .conversionFails),
            ("1d3", .conversionFails), ("1e-400", .readsAsUnmatched), (".", .conversionFails), ("5.", .matched), (".5", .matched),
            ("1e", .conversionFails), ("e5", .conversionFails), ("+-1", .conversionFails), ("1_000.000_1", .matched),
            ("1e1_0", .matched), ("INF", .matched), ("-nan", .matched), ("infinit", .conversionFails), ("٣", .unsupported),
        ]
        for (s, want) in table { XCTAssertEqual(COCOId.matchState(COCOId.key(string: s)), want, s) }
        XCTAssertEqual(COCOId.matchState(0), .readsAsUnmatched)
        XCTAssertEqual(COCOId.matchState(-3), .matched)
        XCTAssertEqual(COCOId.matchState(COCOId.key(.bigInteger(negative: false, digits: String(repeating: "9", count: 400)))), .conversionFails)
    }

    func testStringIdsInReports() throws {
        let gt = #"{"images": [{"id": "b"}, {"id": "a"}], "annotations": [{"id": 1, "image_id": "a", "category_id": "person", "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0}], "categories": [{"id": "person", "name": "p"}, {"id": "1", "name": "one"}]}"#
        let dt = #"[{"image_id": "a", "category_id": "person", "bbox": [0, 0, 10, 10], "score": 0.5}]"#
        let (ds, _) = try COCODataset.parse(Array(gt.utf8), name: "gt.json")
        let s = try COCOEvaluator(groundTruth: ds, detections: try COCOResults.parse(Array(dt.utf8))).run()
        XCTAssertEqual(s.imageIds.map(COCOId.jsonText), ["\"a\"", "\"b\""])
        XCTAssertEqual(s.categoryIds.map(COCOId.jsonText), ["\"1\"", "\"person\""])
        XCTAssertEqual(try s.perCategoryTable(), "category_id  name          AP    AP50    AP75   AR100\n"
                       + "          1  one       -1.000  -1.000  -1.000  -1.000\n     person  p          1.000   1.000   1.000   1.000\n")
        let json = try s.jsonTextWithPerCategory()
        XCTAssertTrue(json.contains(#""per_class":[{"id":"1","name":"one","#), json)
        let csv = s.precisionRecallCSV()
        XCTAssertTrue(csv.contains("\nperson,p,0.5,0.0,0.9999999999999998\n"), csv)
        // The writer writes the ids back as they were.
        XCTAssertTrue(try COCOWriter.instancesJSON(ds).contains(#"{"id":"b","#))
    }
}
