import Engine
import Foundation

/// `ablate sweep`: plan, skip finished, run the rest, print the table.
enum SweepCommand: AblateCommand {
    static let name = "sweep"
    static let abstract = "run a sweep (resumable, parallel, shardable) and print its table"
    static let usage = "alpha|gamma|anchors|ohem|depth-scale|flstar|noprior|SPEC.json [options]"
    static let discussion = """
    Expands the spec under the profile, identifies each run by its canonical config (identical
    configs are one run), skips runs already finished in the database and runs the rest, N at a
    time, one worker process per run. Ctrl-C marks running runs killed; rerunning the same command
    resumes. Runs whose worker died (kill -9, power loss) are found by their heartbeat and rerun.
    Artifacts go to runs/<sweep>/<run-id>/ beside the database.

    examples:
      ablate sweep gamma --profile quick --paper
      ablate sweep alpha --profile paper-proxy --dry-run
      ablate sweep gamma --shard $SLURM_ARRAY_TASK_ID/8 --db shard-$SLURM_ARRAY_TASK_ID.sqlite
    """
    static let options: [OptionSpec] = [
        OptionSpec(name: "profile", value: "P", help: "profile in experiments/profiles.json: quick (default), quick-long or paper-proxy"),
        CommonOptions.db,
        OptionSpec(name: "jobs", value: "N", help: "runs in parallel, one worker process each (default: the number of cores)"),
        OptionSpec(name: "shard", value: "i/n", help: "run only the runs at plan positions ≡ i (mod n), 0 ≤ i < n"),
        OptionSpec(name: "dry-run", value: nil, help: "print the plan and what is already done; run nothing"),
        OptionSpec(name: "threads", value: "N", help: "threads per run (default: cores / the number of runs that will run at once, i.e. cores / jobs until fewer runs remain)"),
        OptionSpec(name: "runs-dir", value: "DIR", help: "where run artifacts go (default: runs/ beside the database)"),
        OptionSpec(name: "heartbeat", value: "SECONDS", help: "seconds between worker heartbeats (default 5)"),
        OptionSpec(name: "stale-after", value: "SECONDS", help: "requeue a running run silent this long (default 60)"),
        OptionSpec(name: "format", value: "md|csv|tex", help: "format of the table printed at the end (default md)"),
        OptionSpec(name: "paper", value: nil, help: "print the paper's numbers and the rank agreement beside the table"),
        OptionSpec(name: "quiet", value: nil, help: "no progress output"),
        OptionSpec(name: "executor", value: "NAME", help: "test-only: 'synthetic' fakes training", hidden: true),
    ]

    static func run(_ args: Arguments) throws -> Int32 {
        let target = try args.positionals(exactly: ["sweep"])[0]
        let spec = try ExperimentSpec.load(file: try SpecLocator.locate(target))
        let profile = args.string("profile") ?? "quick"
        let db = args.string("db") ?? CommonOptions.defaultDB
        var shard = Shard.all
        if let text = args.string("shard") {
            guard let s = Shard(text) else {
                throw UsageError(command: name, message: "option '--shard': expected i/n with 0 ≤ i < n, got '\(text)'")
            }
            shard = s
        }
        let format = try args.choice("format", TableFormat.allCases.map(\.rawValue)).flatMap(TableFormat.init) ?? .md
        if args.has("dry-run") {
            try printPlan(spec: spec, profile: profile, shard: shard, db: db)
            return 0
        }
        var options = SweepOptions(spec: spec, profile: profile, dbPath: db)
        options.jobs = try args.int("jobs", min: 1) ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
        options.shard = shard
        options.executorName = args.string("executor")
        options.threadsPerRun = try args.int("threads", min: 1)
        options.runsDirectory = args.string("runs-dir")
        options.heartbeatInterval = try args.double("heartbeat", positive: true) ?? 5
        options.staleAfter = try args.double("stale-after", positive: true) ?? max(60, 6 * options.heartbeatInterval)
        guard options.staleAfter > options.heartbeatInterval else {
            throw UsageError(command: name, message: "option '--stale-after' must exceed '--heartbeat'")
        }
        let summary = try SweepRunner(options: options, progress: ProgressReporter(quiet: args.has("quiet"))).run()
        if summary.interrupted { return 130 }
        if let table = spec.table {
            let store = try RunStore(path: db, create: false)
            print(try TableRenderer(store: store).render(table: table, profile: profile, format: format, paper: args.has("paper")),
                  terminator: "")
        } else {
            let store = try RunStore(path: db, create: false)
            print(try RunsCommand.listing(store: store, try store.records(sweep: spec.name)), terminator: "")
        }
        if !summary.complete {
            let failed = (summary.counts[.failed] ?? 0) + (summary.counts[.killed] ?? 0)
            CommandRegistry.printError("ablate sweep: \(failed) of \(summary.planned) runs have no result; see `ablate runs --sweep \(spec.name) --status failed` and rerun to retry")
            return 1
        }
        return 0
    }

    /// The plan with each run's status in the database (if it exists) and what varies.
    static func printPlan(spec: ExperimentSpec, profile: String, shard: Shard, db: String) throws {
        let plan = try SweepPlanner.plan(spec, profile: profile, shard: shard)
        var status: [String: RunStatus] = [:]
        if FileManager.default.fileExists(atPath: db) {
            for r in try RunStore(path: db, create: false).records(ids: plan.map(\.id)) { status[r.id] = r.status }
        }
        let parsed = try plan.map { try JSONParser.parse($0.configJSON) }
        let keys = (parsed.first?.objectMembers ?? []).map(\.0).filter { key in
            Set(parsed.map { $0[key]?.text ?? "" }).count > 1
        }
        let done = plan.filter { status[$0.id]?.isResult == true }.count
        print("sweep \(spec.name), profile \(profile)\(shard.count > 1 ? ", shard \(shard)" : ""): \(plan.count) runs, \(done) done, \(plan.count - done) to run")
        for (run, json) in zip(plan, parsed) {
            let values = keys.map { "\($0)=\(json[$0]?.text ?? "?")" }.joined(separator: " ")
            print("\(run.id)  \((status[run.id]?.rawValue ?? "new").padding(toLength: 8, withPad: " ", startingAt: 0))  \(values)")
        }
    }
}

