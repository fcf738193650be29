import Foundation

/// The accumulated evaluation: pycocotools' `eval['precision']`, `eval['recall']` and `stats`.
public struct COCOEvalSummary: Sendable {
    /// Names of the 12 stats, in pycocotools' order.
    public static let statNames = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"]

    /// One category's numbers: area `all`, at the largest maxDets (100 by default), as detectron2 reports them.
    public struct CategoryStats: Sendable, Equatable {
        public var id: Int
        public var name: String
        public var ap: Double, ap50: Double, ap75: Double, ar100: Double
    }

    public let parameters: COCOEvalParameters
    /// Sorted max-detection values (the M axis).
    public let maxDetections: [Int]
    public let imageIds: [Int]
    /// The K axis: evaluated category ids (`[-1]` when categories are not used).
    public let categoryIds: [Int]
    public let categoryNames: [Int: String]
    /// Precision, layout [T][R][K][A][M] (IoU thr, recall thr, category, area, maxDets), −1 = no GT.
    public let precision: [Double]
    /// Recall, layout [T][K][A][M], −1 = no GT.
    public let recall: [Double]
    /// The 12 stats (AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl); −1 = undefined.
    public let stats: [Double]
    /// The 12 printed summary lines, without newlines.
    public let summaryLines: [String]

    public var T: Int { parameters.iouThresholds.count }
    public var R: Int { parameters.recallThresholds.count }
    public var K: Int { categoryIds.count }
    public var A: Int { parameters.areaRanges.count }
    public var M: Int { maxDetections.count }

    init(parameters: COCOEvalParameters, maxDetections: [Int], imageIds: [Int], categoryIds: [Int],
         categoryNames: [Int: String], precision: [Double], recall: [Double]) throws {
        self.parameters = parameters; self.maxDetections = maxDetections; self.imageIds = imageIds
        self.categoryIds = categoryIds; self.categoryNames = categoryNames
        self.precision = precision; self.recall = recall
        var stats: [Double] = [], lines: [String] = []
        let md = maxDetections
        let spec: [(Bool, Double?, String, Int)] = [
            (true, nil, "all", 100), (true, 0.5, "all", md[2]), (true, 0.75, "all", md[2]),
            (true, nil, "small", md[2]), (true, nil, "medium", md[2]), (true, nil, "large", md[2]),
            (false, nil, "all", md[0]), (false, nil, "all", md[1]), (false, nil, "all", md[2]),
            (false, nil, "small", md[2]), (false, nil, "medium", md[2]), (false, nil, "large", md[2]),
        ]
        for (ap, thr, area, maxDet) in spec {
            let v = try Self.summarize(ap: ap, iouThr: thr, area: area, maxDets: maxDet, category: nil,
                                       parameters: parameters, maxDetections: md, K: categoryIds.count,
                                       precision: precision, recall: recall)
            stats.append(v)
            lines.append(Self.line(ap: ap, iouThr: thr, area: area, maxDets: maxDet, value: v, parameters: parameters))
        }
        self.stats = stats
        summaryLines = lines
    }

    /// pycocotools' `_summarize`: mean of the selected entries > −1 (NumPy's pairwise sum), else −1.
    static func summarize(ap: Bool, iouThr: Double?, area: String, maxDets: Int, category: Int?,
                          parameters p: COCOEvalParameters, maxDetections md: [Int], K: Int,
                          precision: [Double], recall: [Double]) throws -> Double {
        let T = p.iouThresholds.count, R = p.recallThresholds.count, A = p.areaRanges.count, M = md.count
        let tSel = iouThr.map { thr in (0..<T).filter { p.iouThresholds[$0] == thr } } ?? Array(0..<T)
        let aind = (0..<A).filter { p.areaRanges[$0].label == area }
        let mind = (0..<M).filter { md[$0] == maxDets }
        // s[:, :, :, aind, mind]: the two index lists broadcast together (NumPy advanced indexing).
        var pairs: [(Int, Int)] = []
        if aind.count == mind.count { pairs = Array(zip(aind, mind)) }
        else if aind.count == 1 { pairs = mind.map { (aind[0], $0) } }
        else if mind.count == 1 { pairs = aind.map { ($0, mind[0]) } }
        else {
            throw COCOError(.parameters, "area label \"\(area)\" matches \(aind.count) ranges and maxDets \(maxDets) matches \(mind.count) values; pycocotools cannot summarize that")
        }
        let ks = category.map { [$0] } ?? Array(0..<K)
        var values: [Double] = []
        for t in tSel {
            if ap {
                for r in 0..<R { for k in ks { for (a, m) in pairs {
                    let v = precision[((t * R + r) * K + k) * A * M + a * M + m]
                    if v > -1 { values.append(v) }
                } } }
            } else {
                for k in ks { for (a, m) in pairs {
                    let v = recall[((t * K + k) * A + a) * M + m]
                    if v > -1 { values.append(v) }
                } }
            }
        }
        return NumpyCompat.mean(values) ?? -1
    }

    /// One printed line, `' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}'`.
    static func line(ap: Bool, iouThr: Double?, area: String, maxDets: Int, value: Double, parameters p: COCOEvalParameters) -> String {
        let title = ap ? "Average Precision" : "Average Recall"
        let type = ap ? "(AP)" : "(AR)"
        let iou = iouThr.map { String(format: "%0.2f", $0) }
            ?? String(format: "%0.2f:%0.2f", p.iouThresholds[0], p.iouThresholds[p.iouThresholds.count - 1])
        return " " + pad(title, 18) + " " + type + " @[ IoU=" + pad(iou, 9) + " | area=" + padLeft(area, 6)
            + " | maxDets=" + padLeft(String(maxDets), 3) + " ] = " + String(format: "%0.3f", value)
    }

    private static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    private static func padLeft(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }

    // MARK: - Views

    /// The stats by name (`AP`, `AP50`, … `ARl`).
    public var statsByName: [String: Double] {
        Dictionary(uniqueKeysWithValues: zip(Self.statNames, stats))
    }

    /// The 12 summary lines exactly as pycocotools prints them, newline-terminated.
    public var summaryText: String { summaryLines.map { $0 + "\n" }.joined() }

    /// `{"AP":…,…,"ARl":…}` with each value in shortest round-trip form (Python's `repr`).
    public var jsonText: String {
        "{" + zip(Self.statNames, stats).map { "\"\($0)\":\(Self.pythonRepr($1))" }.joined(separator: ",") + "}\n"
    }

    /// Python's `repr(float)` (Swift's description is the same shortest round-trip digits).
    static func pythonRepr(_ v: Double) -> String {
        var s = "\(v)"
        if s.hasSuffix(".0") == false, !s.contains("."), !s.contains("e"), !s.contains("n") { s += ".0" }
        return s
    }

    /// Precision at one index (see `precision` for the axes).
    public func precision(t: Int, r: Int, k: Int, a: Int, m: Int) -> Double {
        precision[((t * R + r) * K + k) * A * M + a * M + m]
    }

    /// Recall at one index (see `recall` for the axes).
    public func recall(t: Int, k: Int, a: Int, m: Int) -> Double {
        recall[((t * K + k) * A + a) * M + m]
    }

    /// AP / AP50 / AP75 / AR100 of each evaluated category, in category id order, at the largest
    /// maxDets (detectron2's `precision[:, :, k, 0, -1]`; AR100 is AR at that maxDets).
    public func perCategory() throws -> [CategoryStats] {
        let md = maxDetections
        let last = md[md.count - 1]
        return try categoryIds.indices.map { k in
            func s(_ ap: Bool, _ thr: Double?, _ maxDet: Int) throws -> Double {
                try Self.summarize(ap: ap, iouThr: thr, area: "all", maxDets: maxDet, category: k, parameters: parameters,
                                   maxDetections: md, K: K, precision: precision, recall: recall)
            }
            let id = categoryIds[k]
            return CategoryStats(id: id, name: categoryNames[id] ?? (id == -1 ? "(all)" : ""),
                                 ap: try s(true, nil, last), ap50: try s(true, 0.5, last),
                                 ap75: try s(true, 0.75, last), ar100: try s(false, nil, last))
        }
    }
}
