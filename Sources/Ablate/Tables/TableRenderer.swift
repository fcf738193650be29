import Engine
import Foundation

/// Output formats of `ablate table`.
enum TableFormat: String, CaseIterable, Sendable {
    case md, csv, tex
}

/// Why a table cannot be rendered.
enum TableError: Error, CustomStringConvertible {
    case unknown(String)
    case empty(db: String, table: String, profile: String?, sweep: String)

    var description: String {
        switch self {
        case .unknown(let t):
            return "unknown table '\(t)' (tables: \(TableDefinition.all.map(\.id).joined(separator: ", ")))"
        case .empty(let db, let t, let p, let s):
            let profileText = p.map { " for profile \($0)" } ?? ""
            return "\(db): no finished runs of the current protocol (\(EngineProtocol.version)) for table \(t)\(profileText); run `ablate sweep \(s) --profile \(p ?? "quick")` first"
        }
    }
}

/// Renders a paper table from its SQL view, optionally beside the paper's numbers with Kendall's
/// τ between the two AP orderings.
struct TableRenderer {
    let store: RunStore

    /// One rendered row: key cells, metric values, counts, matched paper row.
    private struct Row {
        var keys: [SQLiteValue]
        var metrics: [Double?]
        var runs: Int
        var diverged: Int
        var paper: PaperNumbers.Row?
    }

    /// `profile` nil: the profile whose runs for this table finished most recently.
    func render(table: String, profile: String?, format: TableFormat, paper: Bool) throws -> String {
        guard let def = TableDefinition.named(table) else { throw TableError.unknown(table) }
        guard let profile = try profile ?? store.profiles(table: table).first?.profile else {
            throw TableError.empty(db: store.path, table: table, profile: nil, sweep: def.sweep)
        }
        let columns = def.keys.map(\.column) + def.metrics.map(\.column) + ["runs", "diverged"]
        let result = try store.select("SELECT \(columns.map { "\"\($0)\"" }.joined(separator: ", ")) FROM \(def.view) WHERE profile = ?",
                                      [.text(profile)])
        guard !result.rows.isEmpty else { throw TableError.empty(db: store.path, table: table, profile: profile, sweep: def.sweep) }
        let k = def.keys.count, m = def.metrics.count
        var rows = result.rows.map {
            Row(keys: Array($0[0..<k]), metrics: $0[k..<k + m].map(\.double), runs: $0[k + m].int ?? 0,
                diverged: $0[k + m + 1].int ?? 0, paper: nil)
        }
        var tauLine: String?
        if paper {
            match(&rows, def)
            let apIndex = def.metrics.firstIndex { $0.column == "AP" } ?? 0
            let pairs = rows.compactMap { r -> (Double, Double)? in
                guard let ours = r.metrics[apIndex], let theirs = r.paper?.values["AP"] else { return nil }
                return (ours, theirs)
            }
            if let tau = KendallTau.tauB(pairs.map(\.0), pairs.map(\.1)) {
                tauLine = String(format: "Kendall τ between our and the paper's AP orderings (%d matched rows): %.2f", pairs.count, tau)
            } else {
                tauLine = "Kendall τ: not defined (\(pairs.count) matched rows with AP)"
            }
        }
        var header = def.keys.map(\.header) + def.metrics.map(\.header) + ["runs"]
        let paperColumns = paper ? def.paperExtras + def.metrics.filter { $0.column != "alpha" } : []
        header += paperColumns.map { "paper \($0.header)" }
        let cells: [[String]] = rows.map { r in
            var line = r.keys.map { cell($0) }
            for (i, metric) in def.metrics.enumerated() {
                line.append(r.metrics[i].map { number($0, metric.decimals, csv: format == .csv) }
                            ?? (r.diverged > 0 && r.runs == 0 ? "diverged" : "-"))
            }
            line.append(r.diverged > 0 ? "\(r.runs) (+\(r.diverged) diverged)" : "\(r.runs)")
            line += paperColumns.map { c in r.paper?.values[c.column].map { number($0, c.decimals, csv: format == .csv) } ?? "-" }
            return line
        }
        let title = "\(def.title) — profile \(profile), protocol \(EngineProtocol.version)"
        switch format {
        case .md:
            var out = "\(title)\n\n| " + header.joined(separator: " | ") + " |\n"
            out += "|" + header.map { _ in " --- |" }.joined() + "\n"
            out += cells.map { "| " + $0.joined(separator: " | ") + " |\n" }.joined()
            if let tauLine { out += "\n\(tauLine)\n" }
            return out
        case .csv:
            if let tauLine { FileHandle.standardError.write(Data("\(tauLine)\n".utf8)) }
            return ([header] + cells).map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
        case .tex:
            var out = "% \(title)\n"
            if let tauLine { out += "% \(tauLine)\n" }
            out += "\\begin{tabular}{" + String(repeating: "l", count: k) + String(repeating: "r", count: header.count - k) + "}\n\\toprule\n"
            out += header.map(tex).joined(separator: " & ") + " \\\\\n\\midrule\n"
            out += cells.map { $0.map(tex).joined(separator: " & ") + " \\\\\n" }.joined()
            out += "\\bottomrule\n\\end{tabular}\n"
            return out
        }
    }

    /// Attaches to each row the paper row with the same key (rank-matched keys compared by rank).
    private func match(_ rows: inout [Row], _ def: TableDefinition) {
        func encode(_ value: SQLiteValue, _ key: TableDefinition.Key) -> Double? {
            if let codes = key.codes { return value.string.flatMap { codes[$0] } }
            return value.double
        }
        func ranks(_ values: [Double?]) -> [Double?] {
            let distinct = Array(Set(values.compactMap { $0 })).sorted()
            return values.map { v in v.flatMap { distinct.firstIndex(of: $0).map(Double.init) } }
        }
        var ours = rows.map { r in zip(r.keys, def.keys).map { encode($0, $1) } }
        var theirs = def.paper.map(\.key)
        for (c, key) in def.keys.enumerated() where key.byRank {
            let o = ranks(ours.map { $0[c] }), t = ranks(theirs.map { $0[c] })
            for i in ours.indices { ours[i][c] = o[i] }
            for i in theirs.indices { theirs[i][c] = t[i] }
        }
        for i in rows.indices {
            if let j = theirs.firstIndex(where: { keysEqual($0, ours[i]) }) { rows[i].paper = def.paper[j] }
        }
    }

    private func keysEqual(_ a: [Double?], _ b: [Double?]) -> Bool {
        zip(a, b).allSatisfy { x, y in
            switch (x, y) {
            case (nil, nil): return true
            case let (x?, y?): return abs(x - y) < 1e-9
            default: return false
            }
        }
    }

    private func cell(_ value: SQLiteValue) -> String {
        switch value {
        case .real(let v): return String(format: "%g", v)
        case .null: return "-"
        default: return value.string ?? "-"
        }
    }

    private func number(_ v: Double, _ decimals: Int, csv: Bool) -> String {
        csv ? "\(v)" : String(format: "%.\(decimals)f", v)
    }

    private func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    private func tex(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "α": out += "$\\alpha$"
            case "γ": out += "$\\gamma$"
            case "β": out += "$\\beta$"
            case "#", "%", "&", "_": out += "\\\(ch)"
            default: out.append(ch)
            }
        }
        return out
    }
}
