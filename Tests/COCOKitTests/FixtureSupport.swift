import Foundation
import XCTest
@testable import COCOKit

/// Locating and reading the committed fixtures (Tests/COCOKitTests/Fixtures, copied as a resource).
enum Fixtures {
    static var root: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    }

    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    /// One parity case: inputs, pycocotools' parameters and expected record.
    struct Case {
        var name: String
        var gt: URL
        var dt: URL
        var expected: [String: Any]

        /// Parsed from the repr strings: Foundation's JSONSerialization does not round doubles correctly on Linux.
        var stats: [Double] { statsRepr.map { Double($0)! } }
        var statsRepr: [String] { expected["stats_repr"] as! [String] }
        var summary: [String] { expected["summary"] as! [String] }
        /// Per category: the id as JSON text (`COCOId.jsonText`) and AP.
        var perCategoryAP: [(String, Double)] {
            (expected["per_category_ap_all_lastmaxdet"] as! [[String: Any]]).map {
                ($0["id_json"] as! String, Double($0["ap_repr"] as! String)!)
            }
        }

        /// pycocotools' parameter overrides mapped onto `COCOEvalParameters`.
        var parameters: COCOEvalParameters {
            var p = COCOEvalParameters()
            let d = expected["params"] as? [String: Any] ?? [:]
            if let v = d["useCats"] as? NSNumber { p.useCategories = v.intValue != 0 }
            if let v = d["maxDets"] as? [NSNumber] { p.maxDetections = v.map(\.intValue) }
            if let v = d["iouThrs"] as? [NSNumber] { p.iouThresholds = v.map(\.doubleValue) }
            if let v = d["imgIds"] as? [Any] { p.imageIds = v.map(Fixtures.idKey) }
            if let v = d["catIds"] as? [Any] { p.categoryIds = v.map(Fixtures.idKey) }
            if let v = d["areaRng"] as? [[NSNumber]] {
                let labels = ["all", "small", "medium", "large"]
                p.areaRanges = v.enumerated().map { .init(label: labels[$0.offset], min: $0.element[0].doubleValue, max: $0.element[1].doubleValue) }
            }
            return p
        }
    }

    /// The COCOKit key of an id decoded by JSONSerialization (integers and strings).
    static func idKey(_ v: Any) -> Int {
        if let s = v as? String { return COCOId.key(string: s) }
        return (v as! NSNumber).intValue
    }

    static func json(_ url: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    static func parityCases() throws -> [Case] {
        var cases: [Case] = []
        let real = url("coco-real")
        cases.append(Case(name: "coco-real", gt: real.appendingPathComponent("instances_val2014_100.json"),
                          dt: real.appendingPathComponent("instances_val2014_fakebbox100_results.json"),
                          expected: try json(real.appendingPathComponent("expected.json"))))
        cases.append(Case(name: "edge/fce-dataset", gt: url("edge/gt_dataset.json"), dt: url("edge/dt_dataset.json"),
                          expected: try json(url("edge/fce-dataset/expected.json"))))
        cases.append(Case(name: "edge/mmdet-coco-sample", gt: url("edge/coco_sample.json"), dt: url("edge/mmdet-coco-sample/dt.json"),
                          expected: try json(url("edge/mmdet-coco-sample/expected.json"))))
        let corner = url("corner")
        for name in try FileManager.default.contentsOfDirectory(atPath: corner.path).sorted() {
            let d = corner.appendingPathComponent(name)
            cases.append(Case(name: "corner/" + name, gt: d.appendingPathComponent("gt.json"), dt: d.appendingPathComponent("dt.json"),
                              expected: try json(d.appendingPathComponent("expected.json"))))
        }
        return cases
    }
}
