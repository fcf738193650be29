/// One option a subcommand accepts. `value` names its argument ("N", "FILE"); nil for a flag.
struct OptionSpec: Sendable {
    var name: String
    var value: String?
    var help: String
    /// Not listed in --help (test-only switches).
    var hidden = false
}

/// A command line that does not fit the subcommand: exit code 2, message names the argument.
struct UsageError: Error, CustomStringConvertible {
    var command: String
    var message: String
    var description: String { "\(message)\n(see `ablate \(command) --help`)" }
}

/// The parsed arguments of one subcommand: `--name value`, `--name=value`, flags, positionals.
/// `--` ends the options.
struct Arguments {
    let command: String
    private(set) var values: [String: String] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positionals: [String] = []

    init(_ tokens: [String], command: String, options: [OptionSpec]) throws {
        self.command = command
        let known = Dictionary(options.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var i = 0
        var onlyPositionals = false
        while i < tokens.count {
            let token = tokens[i]
            i += 1
            if onlyPositionals || !token.hasPrefix("-") || token == "-" {
                positionals.append(token)
                continue
            }
            if token == "--" { onlyPositionals = true; continue }
            var name = token
            var inline: String?
            if let eq = token.firstIndex(of: "=") {
                name = String(token[..<eq])
                inline = String(token[token.index(after: eq)...])
            }
            if name == "-h" { name = "--help" }
            guard name.hasPrefix("--"), let spec = known[String(name.dropFirst(2))] else {
                throw UsageError(command: command, message: "unknown option '\(name)' for `ablate \(command)`")
            }
            if spec.value == nil {
                if inline != nil { throw UsageError(command: command, message: "option '\(name)' takes no value") }
                flags.insert(spec.name)
            } else if let inline {
                values[spec.name] = inline
            } else {
                guard i < tokens.count else {
                    throw UsageError(command: command, message: "option '\(name)' needs a value (\(spec.value ?? "VALUE"))")
                }
                values[spec.name] = tokens[i]
                i += 1
            }
        }
    }

    func has(_ flag: String) -> Bool { flags.contains(flag) }

    func string(_ name: String) -> String? { values[name] }

    func int(_ name: String, min: Int? = nil) throws -> Int? {
        guard let text = values[name] else { return nil }
        guard let v = Int(text), v >= (min ?? Int.min) else {
            let bound = min.map { " ≥ \($0)" } ?? ""
            throw UsageError(command: command, message: "option '--\(name)': expected an integer\(bound), got '\(text)'")
        }
        return v
    }

    func double(_ name: String, positive: Bool = false) throws -> Double? {
        guard let text = values[name] else { return nil }
        guard let v = Double(text), v.isFinite, !positive || v > 0 else {
            throw UsageError(command: command, message: "option '--\(name)': expected a \(positive ? "positive " : "")number, got '\(text)'")
        }
        return v
    }

    /// The value of `name` if it is one of `choices`.
    func choice(_ name: String, _ choices: [String]) throws -> String? {
        guard let text = values[name] else { return nil }
        guard choices.contains(text) else {
            throw UsageError(command: command, message: "option '--\(name)': expected one of \(choices.joined(separator: ", ")), got '\(text)'")
        }
        return text
    }

    /// Exactly `count` positional arguments named `names` (for the error message).
    func positionals(exactly names: [String]) throws -> [String] {
        guard positionals.count == names.count else {
            let want = names.map { "<\($0)>" }.joined(separator: " ")
            let extra = positionals.count > names.count ? "unexpected argument '\(positionals[names.count])'" : "missing \(want)"
            throw UsageError(command: command, message: "\(extra) (usage: ablate \(command) \(want) …)")
        }
        return positionals
    }
}
