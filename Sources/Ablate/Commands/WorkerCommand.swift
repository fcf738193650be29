import Foundation

/// `ablate worker`: internal; executes one run claimed by `ablate sweep`.
enum WorkerCommand: AblateCommand {
    static let name = "worker"
    static let abstract = "internal: execute one claimed run (started by `ablate sweep`)"
    static let usage = "--db FILE --run ID --dir DIR [--threads N] [--heartbeat S] [--parent PID]"
    static let hidden = true
    static let options: [OptionSpec] = [
        CommonOptions.db,
        OptionSpec(name: "run", value: "ID", help: "id of the run, already claimed (status running)"),
        OptionSpec(name: "dir", value: "DIR", help: "artifact directory of the run"),
        OptionSpec(name: "threads", value: "N", help: "threads for the run (default 1)"),
        OptionSpec(name: "heartbeat", value: "SECONDS", help: "seconds between heartbeats (default 5)"),
        OptionSpec(name: "parent", value: "PID", help: "pid of the sweep; the run is abandoned if it dies"),
        OptionSpec(name: "executor", value: "NAME", help: "test-only: 'synthetic' fakes training", hidden: true),
    ]

    static func run(_ args: Arguments) throws -> Int32 {
        _ = try args.positionals(exactly: [])
        guard let run = args.string("run"), let dir = args.string("dir") else {
            throw UsageError(command: name, message: "options '--run' and '--dir' are required")
        }
        let worker = RunWorker(dbPath: args.string("db") ?? CommonOptions.defaultDB, runID: run,
                               directory: URL(fileURLWithPath: dir), threads: try args.int("threads", min: 1) ?? 1,
                               heartbeatInterval: try args.double("heartbeat", positive: true) ?? 5,
                               parentPID: try args.int("parent", min: 1), executor: try ExecutorChoice.make(args.string("executor")))
        return try worker.run()
    }
}
