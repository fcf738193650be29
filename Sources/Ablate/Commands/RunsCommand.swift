import Foundation

/// `ablate runs`: the runs in the database.
enum RunsCommand: AblateCommand {
    static let name = "runs"
    static let abstract = "list runs (id, sweep, status, AP, wall time)"
    static let usage = "[--db FILE] [--sweep NAME] [--status STATUS]"
    static let options: [OptionSpec] = [
        CommonOptions.db,
        OptionSpec(name: "sweep", value: "NAME", help: "only runs planned by this sweep"),
        OptionSpec(name: "status", value: "STATUS", help: "only runs in this status (\(RunStatus.allCases.map(\.rawValue).joined(separator: "|")))"),
    ]

    static func run(_ args: Arguments) throws -> Int32 {
        _ = try args.positionals(exactly: [])
        let store = try RunStore(path: args.string("db") ?? CommonOptions.defaultDB, create: false)
        let status = try args.choice("status", RunStatus.allCases.map(\.rawValue)).flatMap(RunStatus.init)
        print(try listing(store: store, try store.records(sweep: args.string("sweep"), status: status)), terminator: "")
        return 0
    }

    /// A fixed-width listing of `runs` with their AP (percent) where finished.
    static func listing(store: RunStore, _ runs: [RunRecord]) throws -> String {
        var rows: [[String]] = [["id", "sweep", "status", "AP", "wall", "attempts", "finished_at", "message"]]
        for r in runs {
            let ap = try store.metrics(id: r.id)["AP"].map { String(format: "%.1f", 100 * $0) } ?? "-"
            let wall = r.wallSeconds.map { ProgressReporter.clock($0) } ?? "-"
            rows.append([r.id, r.sweep, r.status.rawValue, ap, wall, String(r.attempts), r.finishedAt ?? "-",
                         String((r.message ?? "").prefix(60))])
        }
        if runs.isEmpty { return "no runs\n" }
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }
}
