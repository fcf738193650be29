import Foundation
import XCTest
@testable import COCOKit

/// Runs the built `cocoeval` binary and compares exact stdout, stderr and exit codes
/// (the pattern of swift-argument-parser's example tests).
final class CocoevalCLITests: XCTestCase {
    struct Output { var status: Int32; var stdout: String; var stderr: String }

    /// The directory holding the built products (the test bundle sits beside `cocoeval`).
    static var productsDirectory: URL {
        #if os(macOS)
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        #endif
        return Bundle.main.bundleURL
    }

    func run(_ args: [String]) throws -> Output {
        let binary = Self.productsDirectory.appendingPathComponent("cocoeval")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw XCTSkip("cocoeval binary not found at \(binary.path)")
        }
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    var tmp: URL!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("cocoeval-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: tmp) }

    func file(_ name: String, _ text: String) throws -> String {
        let u = tmp.appendingPathComponent(name)
        try Data(text.utf8).write(to: u)
        return u.path
    }

    static let gt = #"{"images": [{"id": 1}, {"id": 2}], "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0}], "categories": [{"id": 1, "name": "a"}]}"#
    static let dets = #"[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.9}]"#

    // MARK: - Success paths

    func testRealFixtureSummaryIsPycocotoolsTextExactly() throws {
        let real = Fixtures.url("coco-real")
        let r = try run([real.appendingPathComponent("instances_val2014_fakebbox100_results.json").path,
                         "--gt", real.appendingPathComponent("instances_val2014_100.json").path])
        let expected = try Fixtures.json(real.appendingPathComponent("expected.json"))["summary"] as! [String]
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.stdout, expected.map { $0 + "\n" }.joined())
        XCTAssertEqual(r.stderr, "")
    }

    func testJSONPrintsFullPrecision() throws {
        let real = Fixtures.url("coco-real")
        let r = try run([real.appendingPathComponent("instances_val2014_fakebbox100_results.json").path,
                         "--gt", real.appendingPathComponent("instances_val2014_100.json").path, "--json", "--threads", "2"])
        let reprs = try Fixtures.json(real.appendingPathComponent("expected.json"))["stats_repr"] as! [String]
        let want = "{" + zip(COCOEvalSummary.statNames, reprs).map { "\"\($0)\":\($1)" }.joined(separator: ",") + "}\n"
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.stdout, want)
        XCTAssertTrue(r.stdout.hasPrefix("{\"AP\":0.5045806987249628,"))
    }

    func testGroundTruthBesideThePredictionsIsUsed() throws {
        _ = try file("gt.json", Self.gt)
        let preds = try file("preds.json", Self.dets)
        let r = try run([preds, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, #"{"AP":0.9999999999999998,"AP50":0.9999999999999999,"AP75":0.9999999999999999,"APs":0.9999999999999998,"APm":-1.0,"APl":-1.0,"AR1":1.0,"AR10":1.0,"AR100":1.0,"ARs":1.0,"ARm":-1.0,"ARl":-1.0}"# + "\n")
    }

    func testPerClassTableAndPRCurves() throws {
        let gt = try file("g.json", Self.gt)
        let preds = try file("p.json", Self.dets)
        let csv = tmp.appendingPathComponent("pr.csv").path
        let r = try run([preds, "--gt", gt, "--per-class", "--pr-curves", csv])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasSuffix("category_id  name          AP    AP50    AP75   AR100\n          1  a          1.000   1.000   1.000   1.000\n"), r.stdout)
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 1 + 10 * 101)
        XCTAssertEqual(lines[0], "category_id,category,iou_threshold,recall_threshold,precision")
        XCTAssertEqual(lines[1], "1,a,0.5,0.0,0.9999999999999998")
    }

    func testPerClassWithJSONIsOneObject() throws {
        let r = try run([try file("p.json", Self.dets), "--gt", try file("g.json", Self.gt), "--json", "--per-class"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasSuffix(#","ARl":-1.0,"per_class":[{"id":1,"name":"a","AP":0.9999999999999998,"AP50":0.9999999999999999,"AP75":0.9999999999999999,"AR100":1.0}]}"# + "\n"), r.stdout)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)))
    }

    func testParameterOptionsChangeTheEvaluation() throws {
        let gt = try file("g.json", Self.gt)
        let preds = try file("p.json", #"[{"image_id": 1, "category_id": 1, "bbox": [2, 0, 10, 10], "score": 0.9}]"#)  // IoU 0.6667
        let r = try run([preds, "--gt", gt, "--iou-thrs", "0.5,0.75", "--max-dets", "1,2,3", "--area-ranges", "all=0:1e10,small=0:50,medium=50:200,large=200:1e10"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n")
        XCTAssertEqual(lines[0], " Average Precision  (AP) @[ IoU=0.50:0.75 | area=   all | maxDets=100 ] = -1.000")  // maxDets 100 not evaluated
        XCTAssertEqual(lines[1], " Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=  3 ] = 1.000")
        XCTAssertEqual(lines[2], " Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=  3 ] = 0.000")
        XCTAssertEqual(lines[4], " Average Precision  (AP) @[ IoU=0.50:0.75 | area=medium | maxDets=  3 ] = 0.500")
    }

    func testIoURangeSpecGivesPycocotoolsDefaults() throws {
        let real = Fixtures.url("coco-real")
        let args = [real.appendingPathComponent("instances_val2014_fakebbox100_results.json").path,
                    "--gt", real.appendingPathComponent("instances_val2014_100.json").path, "--json"]
        let a = try run(args), b = try run(args + ["--iou-thrs", "0.5:0.95:0.05", "--max-dets", "1,10,100", "--threads", "1"])
        XCTAssertEqual(a.status, 0)
        XCTAssertEqual(a.stdout, b.stdout)
    }

    func testHelp() throws {
        let r = try run(["--help"])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stdout.hasPrefix("USAGE: cocoeval PREDS.json [--gt GT.json]"))
    }

    // MARK: - Bad input: one line on stderr naming file, place and expectation; exit 1 (files) or 2 (arguments)

    func expectFailure(_ args: [String], status: Int32 = 1, stderr expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try run(args)
        XCTAssertEqual(r.status, status, r.stderr, file: file, line: line)
        XCTAssertEqual(r.stdout, "", file: file, line: line)
        XCTAssertEqual(r.stderr.replacingOccurrences(of: tmp.path + "/", with: ""), expected, file: file, line: line)
    }

    func testMalformedJSONNamesLineAndColumn() throws {
        let gt = try file("gt.json", "{\"images\": [{\"id\": 1}],\n \"annotations\": [\n  {\"id\": 1 \"image_id\": 1}\n ], \"categories\": []}")
        let preds = try file("p.json", Self.dets)
        try expectFailure([preds, "--gt", gt], stderr: "cocoeval: error: gt.json:3:12: annotations[0].id: expected ',' or '}' after an object member, found a string\n")
    }

    func testMissingRequiredField() throws {
        let gt = try file("gt.json", #"{"images": [{"id": 1}], "annotations": [{"image_id": 1, "category_id": 1, "area": 4}], "categories": [{"id": 1}]}"#)
        try expectFailure([try file("p.json", Self.dets), "--gt", gt], stderr: "cocoeval: error: gt.json:1:41: annotations[0]: missing required key \"id\"\n")
        // bbox and area are read only for evaluated annotations (pycocotools: KeyError there, nothing elsewhere).
        let noBox = try file("nb.json", #"{"images": [{"id": 1}], "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "area": 4}], "categories": [{"id": 1}]}"#)
        try expectFailure([try file("p.json", Self.dets), "--gt", noBox], stderr: "cocoeval: error: nb.json: annotations[0]: the annotation with id 1 "
                          + "(image 1, category 1) has no valid \"bbox\": pycocotools reads it for every annotation of an evaluated image and category (KeyError)\n")
        let unread = try file("u.json", #"{"images": [{"id": 1}], "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100}, {"id": 2, "image_id": 1, "category_id": 9}, {"id": 3, "image_id": 7, "category_id": 1}], "categories": [{"id": 1}]}"#)
        let r = try run([try file("p.json", Self.dets), "--gt", unread, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("{\"AP\":0.9999999999999998,"), r.stdout)
        // A result without a score: refused where pycocotools reads it, accepted elsewhere.
        let noScore = try file("ns.json", #"[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.9}, {"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10]}]"#)
        try expectFailure([noScore, "--gt", try file("g.json", Self.gt)], stderr: "cocoeval: error: ns.json: [1]: the detection (image 1, category 1) has no "
                          + "\"score\": pycocotools reads the score of every detection of an evaluated image and category (KeyError)\n")
        let unscored = try file("us.json", #"[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.9}, {"image_id": 1, "category_id": 5, "bbox": [0, 0, 10, 10]}]"#)
        XCTAssertEqual(try run([unscored, "--gt", try file("g.json", Self.gt)]).status, 0)
    }

    func testMistypedField() throws {
        let gt = try file("gt.json", #"{"images": [{"id": 1}], "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": "1,2,3,4", "area": 4}], "categories": [{"id": 1}]}"#)
        try expectFailure([try file("p.json", Self.dets), "--gt", gt], stderr: "cocoeval: error: gt.json:1:92: annotations[0].bbox: expected a box [x, y, width, height], found a string\n")
        let preds = try file("p2.json", #"[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10], "score": 0.9}]"#)
        try expectFailure([preds, "--gt", try file("g.json", Self.gt)], stderr: "cocoeval: error: p2.json:1:44: [0].bbox: expected 4 numbers [x, y, width, height], found 3\n")
    }

    func testNonFiniteAndNegativeBoxSizes() throws {
        let gt = try file("g.json", Self.gt)
        try expectFailure([try file("nan.json", #"[{"image_id": 1, "category_id": 1, "bbox": [0, 0, NaN, 2], "score": 0.5}]"#), "--gt", gt],
                          stderr: "cocoeval: error: nan.json:1:51: [0].bbox[2]: expected a number, found the non-finite value nan\n")
        try expectFailure([try file("neg.json", #"[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 2, -2], "score": 0.5}]"#), "--gt", gt],
                          stderr: "cocoeval: error: neg.json:1:54: [0].bbox[3]: negative box height -2.0 (boxes are [x, y, width, height])\n")
        try expectFailure([try file("inf.json", #"[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2], "score": -Infinity}]"#), "--gt", gt],
                          stderr: "cocoeval: error: inf.json:1:67: [0].score: expected a number (the score), found the non-finite value -inf\n")
    }

    func testUnknownImageIdsAreRefusedWithAHint() throws {
        let preds = try file("p.json", #"[{"image_id": 5, "category_id": 1, "bbox": [0, 0, 2, 2], "score": 0.5}, {"image_id": 6, "category_id": 1, "bbox": [0, 0, 2, 2], "score": 0.5}, {"image_id": 5, "category_id": 1, "bbox": [0, 0, 2, 2], "score": 0.5}]"#)
        try expectFailure([preds, "--gt", try file("g.json", Self.gt)], stderr:
            "cocoeval: error: p.json: 3 detection(s) refer to image ids the ground truth does not have: 5, 6 (ground-truth image ids look like 1, 2). "
            + "pycocotools refuses such results (\"Results do not correspond to current coco set\"). Usually the predictions were made for "
            + "another split or file, or ids were written as strings in one file and integers in the other.\n")
    }

    func testStringVersusIntegerImageIdsAreRefusedAsPycocotoolsDoes() throws {
        // GT ids "2299" (strings), results 2299 (integers): pycocotools' loadRes assertion fails.
        let edge = Fixtures.url("edge")
        let r = try run([edge.appendingPathComponent("dt_ignore_test.json").path, "--gt", edge.appendingPathComponent("gt_ignore_test.json").path])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stdout, "")
        XCTAssertTrue(r.stderr.hasSuffix("dt_ignore_test.json: 63 detection(s) refer to image ids the ground truth does not have: 2299 "
                                         + "(ground-truth image ids look like \"2299\"). pycocotools refuses such results (\"Results do not "
                                         + "correspond to current coco set\"). The ground truth has the image id \"2299\" where the results have "
                                         + "2299: a string never equals a number in Python, so pycocotools refuses this too; write the ids the "
                                         + "same way in both files.\n"), r.stderr)
    }

    func testUnknownCategoriesWarnThenEvaluate() throws {
        let preds = try file("p.json", #"[{"image_id": 1, "category_id": 3, "bbox": [0, 0, 2, 2], "score": 0.95}, {"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.5}]"#)
        let r = try run([preds, "--gt", try file("g.json", Self.gt), "--json"])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.stderr, "cocoeval: warning: 1 detection(s) have category ids the ground truth does not list (first: 3); they are not evaluated, as in pycocotools\n")
        XCTAssertTrue(r.stdout.hasPrefix("{\"AP\":0.9999999999999998,"), r.stdout)
    }

    func testEmptyResultListWarnsAndReportsZeroOrMinusOne() throws {
        let r = try run([try file("p.json", "[]"), "--gt", try file("g.json", Self.gt), "--json"])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.stderr, "cocoeval: warning: the result list is empty: every category with ground truth gets AP 0 and AR 0, the others -1 (pycocotools cannot evaluate an empty list)\n")
        XCTAssertEqual(r.stdout, #"{"AP":0.0,"AP50":0.0,"AP75":0.0,"APs":0.0,"APm":-1.0,"APl":-1.0,"AR1":0.0,"AR10":0.0,"AR100":0.0,"ARs":0.0,"ARm":-1.0,"ARl":-1.0}"# + "\n")
    }

    func testEmptyAndTruncatedFiles() throws {
        let gt = try file("g.json", Self.gt)
        try expectFailure([try file("empty.json", ""), "--gt", gt], stderr: "cocoeval: error: empty.json:1:1: expected a list of detections, found an empty file\n")
        try expectFailure([try file("t.json", #"[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 2"#), "--gt", gt],
                          stderr: "cocoeval: error: t.json:1:52: [0].bbox[2]: expected a value or ']', found the end of the file (truncated?)\n")
        try expectFailure([try file("p.json", Self.dets), "--gt", try file("tg.json", String(Self.gt.prefix(60)))],
                          stderr: "cocoeval: error: tg.json:1:61: annotations[0].id: expected a key string, found the end of the file\n")
    }

    func testSwappedFilesAreExplained() throws {
        let gt = try file("g.json", Self.gt)
        try expectFailure([gt, "--gt", gt], stderr: "cocoeval: error: g.json:1:1: expected a list of detections [{\"image_id\", \"category_id\", \"bbox\", \"score\"}, ...] (an object looks like a ground-truth file; pass it with --gt), found an object\n")
    }

    func testMissingGroundTruthSaysHowToPassIt() throws {
        let preds = try file("p.json", Self.dets)
        try expectFailure([preds], stderr: "cocoeval: error: p.json: no ground truth given and no gt.json beside the predictions (gt.json); pass --gt GT.json\n")
        try expectFailure([preds, "--gt", tmp.appendingPathComponent("nope.json").path], stderr: "cocoeval: error: nope.json: cannot open the file: No such file or directory\n")
    }

    func testBadArgumentsExitTwo() throws {
        try expectFailure([], status: 2, stderr: "cocoeval: error: missing PREDS.json (see --help)\n")
        try expectFailure(["p.json", "--bogus"], status: 2, stderr: "cocoeval: error: unknown option '--bogus' (see --help)\n")
        try expectFailure(["p.json", "--threads", "0"], status: 2, stderr: "cocoeval: error: --threads: expected a positive integer, got '0'\n")
        try expectFailure(["p.json", "--max-dets", "1,10"], status: 2, stderr: "cocoeval: error: invalid evaluation parameters: max detections: give at least 3 values (the summary uses the first three), got 2\n")
        try expectFailure(["p.json", "--iou-thrs", "0.5,x"], status: 2, stderr: "cocoeval: error: --iou-thrs: expected numbers in [0, 1] as a list (0.5,0.75) or LO:HI:STEP (0.5:0.95:0.05), got '0.5,x'\n")
        try expectFailure(["p.json", "--gt"], status: 2, stderr: "cocoeval: error: --gt needs a value\n")
    }
}
