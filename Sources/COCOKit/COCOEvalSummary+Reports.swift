import Foundation

extension COCOEvalSummary {
    /// A fixed-width table of AP / AP50 / AP75 / AR100 per category (−1.000 where no GT).
    public func perCategoryTable() throws -> String {
        let rows = try perCategory()
        let nameWidth = max(8, rows.map { $0.name.count }.max() ?? 0)
        let ids = rows.map { $0.id == -1 ? "-1" : COCOId.displayText($0.id) }
        let idWidth = max(11, ids.map(\.count).max() ?? 0)
        func f(_ v: Double) -> String { String(format: "%6.3f", v) }
        func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, nameWidth - s.count)) }
        func h(_ s: String) -> String { String(repeating: " ", count: 6 - s.count) + s }
        var out = String(repeating: " ", count: idWidth - 11) + "category_id  " + pad("name") + "  " + h("AP") + "  " + h("AP50") + "  " + h("AP75") + "  " + h("AR100") + "\n"
        for (r, id) in zip(rows, ids) {
            out += String(repeating: " ", count: idWidth - id.count) + id + "  " + pad(r.name) + "  " + f(r.ap) + "  " + f(r.ap50) + "  " + f(r.ap75) + "  " + f(r.ar100) + "\n"
        }
        return out
    }

    /// The `--json` object with a `per_class` list added:
    /// `{"AP":…,…,"ARl":…,"per_class":[{"id":1,"name":"…","AP":…,"AP50":…,"AP75":…,"AR100":…},…]}`.
    public func jsonTextWithPerCategory() throws -> String {
        var out = String(jsonText.dropLast(2)) + ",\"per_class\":["
        for (i, c) in try perCategory().enumerated() {
            if i > 0 { out += "," }
            out += "{\"id\":\(c.id == -1 ? "-1" : COCOId.jsonText(c.id)),\"name\":"
            COCOWriter.appendString(c.name, to: &out)
            out += ",\"AP\":\(Self.pythonRepr(c.ap)),\"AP50\":\(Self.pythonRepr(c.ap50)),\"AP75\":\(Self.pythonRepr(c.ap75)),\"AR100\":\(Self.pythonRepr(c.ar100))}"
        }
        return out + "]}\n"
    }

    /// CSV of the interpolated precision at each recall threshold for every category and IoU
    /// threshold, area `all` (else the first range) and the largest maxDets:
    /// `category_id,category,iou_threshold,recall_threshold,precision` (−1 = no GT).
    public func precisionRecallCSV() -> String {
        let a = parameters.areaRanges.firstIndex { $0.label == "all" } ?? 0
        let m = M - 1
        var out = "category_id,category,iou_threshold,recall_threshold,precision\n"
        out.reserveCapacity(K * T * R * 48)
        for k in 0..<K {
            let id = categoryIds[k]
            let idText = Self.csvField(id == -1 ? "-1" : COCOId.displayText(id))
            let name = Self.csvField(categoryNames[id] ?? "")
            for t in 0..<T {
                let thr = Self.pythonRepr(parameters.iouThresholds[t])
                for r in 0..<R {
                    out += "\(idText),\(name),\(thr),\(Self.pythonRepr(parameters.recallThresholds[r])),\(Self.pythonRepr(precision(t: t, r: r, k: k, a: a, m: m)))\n"
                }
            }
        }
        return out
    }

    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
