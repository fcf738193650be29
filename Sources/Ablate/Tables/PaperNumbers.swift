/// The paper's numbers (Lin et al., ICCV 2017, Tables 1a–1e and 3; COCO minival except 1e,
/// test-dev), as data for `ablate table --paper`. Copied from /work/shared/PAPER.md §6.
/// Each row: its key values (in the table's key-column order) and its metric values.
enum PaperNumbers {
    struct Row: Sendable {
        var key: [Double?]
        /// Metric name → value (AP-type in percent, time in ms per image).
        var values: [String: Double]
    }

    private static func apRows(_ rows: [([Double?], Double, Double, Double)]) -> [Row] {
        rows.map { Row(key: $0.0, values: ["AP": $0.1, "AP50": $0.2, "AP75": $0.3]) }
    }

    /// 1a: CE (γ = 0), by α.
    static let table1a = apRows([
        ([0.10], 0.0, 0.0, 0.0), ([0.25], 10.8, 16.0, 11.7), ([0.5], 30.2, 46.7, 32.8), ([0.75], 31.1, 49.4, 33.0),
        ([0.9], 30.8, 49.7, 32.3), ([0.99], 28.7, 47.4, 29.9), ([0.999], 25.1, 41.7, 26.1),
    ])

    /// 1b: FL, by γ with the paper's best α (kept as the value "alpha").
    static let table1b: [Row] = [
        (0.0, 0.75, 31.1, 49.4, 33.0), (0.1, 0.75, 31.4, 49.9, 33.1), (0.2, 0.75, 31.9, 50.7, 33.4),
        (0.5, 0.50, 32.9, 51.7, 35.2), (1.0, 0.25, 33.7, 52.0, 36.2), (2.0, 0.25, 34.0, 52.5, 36.5),
        (5.0, 0.25, 32.2, 49.6, 34.8),
    ].map { Row(key: [$0.0], values: ["alpha": $0.1, "AP": $0.2, "AP50": $0.3, "AP75": $0.4]) }

    /// 1c: by (#scales, #ratios).
    static let table1c = apRows([
        ([1, 1], 30.3, 49.0, 31.8), ([2, 1], 31.9, 50.0, 34.0), ([3, 1], 31.8, 49.4, 33.7), ([1, 3], 32.4, 52.3, 33.9),
        ([2, 3], 34.2, 53.1, 36.5), ([3, 3], 34.0, 52.5, 36.5), ([4, 3], 33.8, 52.1, 36.2),
    ])

    /// 1d: by (method code, batch size, nms threshold); method code 0 = OHEM,
    /// 1 = OHEM 1:3, 2 = FL (see `TableDefinition.methodCode`).
    static let table1d = apRows([
        ([0, 128, 0.7], 31.1, 47.2, 33.2), ([0, 256, 0.7], 31.8, 48.8, 33.9), ([0, 512, 0.7], 30.6, 47.0, 32.6),
        ([0, 128, 0.5], 32.8, 50.3, 35.1), ([0, 256, 0.5], 31.0, 47.4, 33.0), ([0, 512, 0.5], 27.6, 42.0, 29.2),
        ([1, 128, 0.5], 31.1, 47.2, 33.2), ([1, 256, 0.5], 28.3, 42.4, 30.3), ([1, 512, 0.5], 24.0, 35.5, 25.8),
        ([2, nil, nil], 36.0, 54.9, 38.7),
    ])

    /// 1e (test-dev): by (depth, scale).
    static let table1e: [Row] = [
        (50, 400, 30.5, 47.8, 32.7, 11.2, 33.8, 46.1, 64), (50, 500, 32.5, 50.9, 34.8, 13.9, 35.8, 46.7, 72),
        (50, 600, 34.3, 53.2, 36.9, 16.2, 37.4, 47.4, 98), (50, 700, 35.1, 54.2, 37.7, 18.0, 39.3, 46.4, 121),
        (50, 800, 35.7, 55.0, 38.5, 18.9, 38.9, 46.3, 153), (101, 400, 31.9, 49.5, 34.1, 11.6, 35.8, 48.5, 81),
        (101, 500, 34.4, 53.1, 36.8, 14.7, 38.5, 49.1, 90), (101, 600, 36.0, 55.2, 38.7, 17.4, 39.6, 49.7, 122),
        (101, 700, 37.1, 56.6, 39.8, 19.1, 40.6, 49.4, 154), (101, 800, 37.8, 57.5, 40.8, 20.2, 41.1, 49.2, 198),
    ].map { (r: (Double, Double, Double, Double, Double, Double, Double, Double, Double)) in
        Row(key: [r.0, r.1], values: ["AP": r.2, "AP50": r.3, "AP75": r.4, "APs": r.5, "APm": r.6, "APl": r.7, "time_ms": r.8])
    }

    /// 3: by (loss code, γ, β); loss code 0 = CE, 1 = FL, 2 = FL*.
    static let table3 = apRows([
        ([0, 0, nil], 31.1, 49.4, 33.0), ([1, 2, nil], 34.0, 52.5, 36.5), ([2, 2, 1], 33.8, 52.7, 36.3),
        ([2, 4, 0], 33.9, 51.8, 36.4),
    ])
}
