import Foundation

/// The files a run leaves beside its checkpoint that `ablate` writes (the sweep worker and
/// `ablate train` share them): `metrics.json` and `train_log.csv`.
enum RunArtifacts {
    static let trainLogHeader = "iteration,loss_cls,loss_box,lr,seconds\n"

    static func csvLine(_ row: TrainLogRow) -> String {
        "\(row.iteration),\(row.lossCls),\(row.lossBox),\(row.lr),\(row.seconds)\n"
    }

    /// metrics.json: finite metrics, sorted by name (`cocoeval --json` names for the 12 stats).
    static func writeMetrics(_ metrics: [String: Double], to url: URL) throws {
        let body = metrics.filter { $0.value.isFinite }
            .sorted { $0.key < $1.key }
            .map { "  \(JSONValue.quote($0.key)): \($0.value)" }
            .joined(separator: ",\n")
        try Data("{\n\(body)\n}\n".utf8).write(to: url, options: .atomic)
    }
}
