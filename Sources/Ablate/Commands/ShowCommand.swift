import Foundation

/// `ablate show RUN`: everything recorded about one run.
enum ShowCommand: AblateCommand {
    static let name = "show"
    static let abstract = "show one run: provenance, config, metrics, training log summary"
    static let usage = "RUN-ID [--db FILE]   (a unique prefix of the id is enough)"
    static let options: [OptionSpec] = [CommonOptions.db]

    static func run(_ args: Arguments) throws -> Int32 {
        let id = try args.positionals(exactly: ["run-id"])[0]
        let store = try RunStore(path: args.string("db") ?? CommonOptions.defaultDB, create: false)
        let r = try store.resolve(runID: id)
        var lines = [
            "run \(r.id)",
            "  sweep            \(r.sweep)",
            "  status           \(r.status.rawValue)\(r.message.map { " — \($0)" } ?? "")",
            "  protocol         \(r.protocolVersion)",
            "  seed             \(r.seed)",
            "  git commit       \(r.gitCommit ?? "-")",
            "  host / pid       \(r.host ?? "-") / \(r.pid.map(String.init) ?? "-")",
            "  attempts         \(r.attempts)",
            "  queued / started \(r.queuedAt) / \(r.startedAt ?? "-")",
            "  finished         \(r.finishedAt ?? "-")",
            "  wall seconds     \(r.wallSeconds.map { String(format: "%.1f", $0) } ?? "-")",
        ]
        let members = try store.select("SELECT sweep, profile, COALESCE(paper_table, '-') FROM sweep_runs WHERE run_id = ? ORDER BY sweep, profile", [.text(r.id)])
        lines.append("  member of        " + members.rows.map { "\($0[0]) (\($0[1]), table \($0[2]))" }.joined(separator: ", "))
        lines.append("config")
        if let config = try? JSONParser.parse(r.configJSON), let members = config.objectMembers {
            lines += members.map { "  \($0.0) = \($0.1.text)" }
        }
        let metrics = try store.metrics(id: r.id)
        if !metrics.isEmpty {
            lines.append("metrics")
            lines += metrics.sorted { $0.key < $1.key }.map { "  \($0.key) = \($0.value)" }
        }
        let log = try store.trainLog(id: r.id)
        if let last = log.last {
            lines.append("train log: \(log.count) rows; last: iteration \(last.iteration), loss_cls \(last.lossCls), loss_box \(last.lossBox), lr \(last.lr), \(String(format: "%.1f", last.seconds)) s")
        }
        print(lines.joined(separator: "\n"))
        return 0
    }
}
