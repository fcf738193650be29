/// How one paper table is read from its view and laid out: key columns (what a row is about),
/// metric columns, and the paper's rows for `--paper`.
struct TableDefinition: Sendable {
    struct Key: Sendable {
        var column: String
        var header: String
        /// Match paper rows by rank among distinct values rather than by value (our depths,
        /// scales and OHEM batches are scaled-down versions of the paper's).
        var byRank = false
        /// Text keys (method names) as numbers for matching; nil: the value is numeric.
        var codes: [String: Double]? = nil
    }

    struct Metric: Sendable {
        var column: String
        var header: String
        var decimals = 1
    }

    var id: String
    var title: String
    var view: String
    /// Built-in sweep that fills the table (for hints).
    var sweep: String
    var keys: [Key]
    var metrics: [Metric]
    var paper: [PaperNumbers.Row]
    /// Paper values shown that are not metrics of ours to compare (1b's best α).
    var paperExtras: [Metric] = []

    static let ap3 = [Metric(column: "AP", header: "AP"), Metric(column: "AP50", header: "AP50"),
                      Metric(column: "AP75", header: "AP75")]
    static let methodCodes: [String: Double] = ["OHEM": 0, "OHEM 1:3": 1, "FL": 2, "CE": 3]
    static let lossCodes: [String: Double] = ["CE": 0, "FL": 1, "FL*": 2]

    static let all: [TableDefinition] = [
        TableDefinition(id: "1a", title: "Table 1a — varying α for CE loss (γ = 0)", view: "table_1a", sweep: "alpha",
                        keys: [Key(column: "alpha", header: "α")], metrics: ap3, paper: PaperNumbers.table1a),
        TableDefinition(id: "1b", title: "Table 1b — varying γ for FL (best α of .25/.5/.75 per γ)", view: "table_1b",
                        sweep: "gamma", keys: [Key(column: "gamma", header: "γ")],
                        metrics: [Metric(column: "alpha", header: "α", decimals: 2)] + ap3, paper: PaperNumbers.table1b,
                        paperExtras: [Metric(column: "alpha", header: "α", decimals: 2)]),
        TableDefinition(id: "1c", title: "Table 1c — varying anchor scales and aspect ratios", view: "table_1c",
                        sweep: "anchors", keys: [Key(column: "scales", header: "#sc"), Key(column: "ratios", header: "#ar")],
                        metrics: ap3, paper: PaperNumbers.table1c),
        TableDefinition(id: "1d", title: "Table 1d — FL vs. OHEM baselines (the paper used ResNet-101)", view: "table_1d", sweep: "ohem",
                        keys: [Key(column: "method", header: "method", codes: methodCodes),
                               Key(column: "batch_size", header: "batch size", byRank: true),
                               Key(column: "nms_thr", header: "nms thr")],
                        metrics: ap3, paper: PaperNumbers.table1d),
        TableDefinition(id: "1e", title: "Table 1e — accuracy/speed trade-off (depth × scale; the paper's values are on test-dev)", view: "table_1e",
                        sweep: "depth-scale",
                        keys: [Key(column: "depth", header: "depth", byRank: true), Key(column: "scale", header: "scale", byRank: true)],
                        metrics: ap3 + [Metric(column: "APs", header: "APS"), Metric(column: "APm", header: "APM"),
                                        Metric(column: "APl", header: "APL"), Metric(column: "time_ms", header: "time (ms)", decimals: 1)],
                        paper: PaperNumbers.table1e),
        TableDefinition(id: "3", title: "Table 3 — FL vs. FL*", view: "table_3", sweep: "flstar",
                        keys: [Key(column: "loss", header: "loss", codes: lossCodes), Key(column: "gamma", header: "γ"),
                               Key(column: "beta", header: "β")],
                        metrics: ap3, paper: PaperNumbers.table3),
    ]

    static func named(_ id: String) -> TableDefinition? { all.first { $0.id == id } }
}
