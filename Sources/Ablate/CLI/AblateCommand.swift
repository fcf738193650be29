import Foundation

/// A subcommand of `ablate`. Adding one is one new file with a type conforming to this protocol
/// plus its name in `CommandRegistry.all`.
protocol AblateCommand: Sendable {
    static var name: String { get }
    /// One line for `ablate --help`.
    static var abstract: String { get }
    /// Usage line after `ablate NAME`.
    static var usage: String { get }
    /// Longer help text (what it does, examples); may be empty.
    static var discussion: String { get }
    static var options: [OptionSpec] { get }
    /// Hidden commands (`worker`) are not listed in `ablate --help`.
    static var hidden: Bool { get }
    /// Runs the command; returns the process exit code. Throw `UsageError` for bad arguments,
    /// anything else for failures (printed as `ablate NAME: <error>`, exit 1).
    static func run(_ args: Arguments) throws -> Int32
}

extension AblateCommand {
    static var hidden: Bool { false }
    static var discussion: String { "" }

    static var help: String {
        var text = "ablate \(name) — \(abstract)\n\nusage: ablate \(name) \(usage)\n"
        if !discussion.isEmpty { text += "\n\(discussion)\n" }
        let visible = options.filter { !$0.hidden }
        if !visible.isEmpty {
            text += "\noptions:\n"
            let rows = visible.map { ("--\($0.name)" + ($0.value.map { " \($0)" } ?? ""), $0.help) }
            let width = rows.map(\.0.count).max() ?? 0
            for (left, help) in rows {
                text += "  " + left + String(repeating: " ", count: width - left.count + 2) + help + "\n"
            }
        }
        return text
    }
}

/// Shared option definitions reused by several subcommands.
enum CommonOptions {
    static let help = OptionSpec(name: "help", value: nil, help: "show this help")
    static let db = OptionSpec(name: "db", value: "FILE", help: "results database (default: results.sqlite)")
    static let defaultDB = "results.sqlite"
}
