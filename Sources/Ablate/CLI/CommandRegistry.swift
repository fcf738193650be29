import Foundation

/// The subcommands of `ablate`, in the order `ablate --help` lists them.
enum CommandRegistry {
    static let all: [AblateCommand.Type] = [
        SweepCommand.self,
        TrainCommand.self,
        ExportDatasetCommand.self,
        BenchCommand.self,
        TableCommand.self,
        RunsCommand.self,
        ShowCommand.self,
        MergeCommand.self,
        PlotCommand.self,
        ScoresCommand.self,
        WorkerCommand.self,
    ]

    static var overview: String {
        var text = """
        ablate — sweeps over the ablations of "Focal Loss for Dense Object Detection", stored in SQLite,
        rendered as the paper's Tables 1a–1e and 3.

        usage: ablate <command> [options]   (ablate <command> --help for details)

        commands:

        """
        let visible = all.filter { !$0.hidden }
        let width = visible.map { $0.name.count }.max() ?? 0
        for c in visible {
            text += "  \(c.name)" + String(repeating: " ", count: width - c.name.count + 2) + c.abstract + "\n"
        }
        return text
    }

    /// Runs `ablate` with `arguments` (without the program name); returns the exit code.
    static func main(_ arguments: [String]) -> Int32 {
        guard let first = arguments.first, first != "--help", first != "-h", first != "help" else {
            if arguments.count >= 2, arguments[0] == "help", let c = all.first(where: { $0.name == arguments[1] }) {
                print(c.help, terminator: "")
                return 0
            }
            print(overview, terminator: "")
            return arguments.isEmpty ? 2 : 0
        }
        guard let command = all.first(where: { $0.name == first }) else {
            let names = all.filter { !$0.hidden }.map { $0.name }.joined(separator: ", ")
            printError("ablate: unknown command '\(first)' (commands: \(names); see `ablate --help`)")
            return 2
        }
        do {
            let args = try Arguments(Array(arguments.dropFirst()), command: command.name,
                                     options: command.options + [CommonOptions.help])
            if args.has("help") { print(command.help, terminator: ""); return 0 }
            return try command.run(args)
        } catch let error as UsageError {
            printError("ablate \(command.name): \(error)")
            return 2
        } catch {
            printError("ablate \(command.name): \(error)")
            return 1
        }
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
