import Foundation

/// `ablate table`: render a paper table from the database.
enum TableCommand: AblateCommand {
    static let name = "table"
    static let abstract = "render Table 1a|1b|1c|1d|1e|3 from the database (md, csv, tex)"
    static let usage = "1a|1b|1c|1d|1e|3 [--db FILE] [--format md|csv|tex] [--paper] [--profile P]"
    static let discussion = """
    Reads the SQL view table_<id> (see docs/SCHEMA.md): rows averaged over seeds, AP-type columns
    in percent, only runs of the current protocol version. Without --profile, the profile whose
    runs finished most recently. --paper adds the paper's numbers beside ours (rows matched by key;
    depth, scale and OHEM batch by rank, since ours are scaled down) and Kendall's τ between the
    two AP orderings.
    """
    static let options: [OptionSpec] = [
        CommonOptions.db,
        OptionSpec(name: "format", value: "md|csv|tex", help: "output format (default md)"),
        OptionSpec(name: "paper", value: nil, help: "add the paper's numbers and Kendall τ"),
        OptionSpec(name: "profile", value: "P", help: "which profile's runs (default: the most recent)"),
    ]

    static func run(_ args: Arguments) throws -> Int32 {
        let table = try args.positionals(exactly: ["table"])[0]
        guard TableDefinition.named(table) != nil else { throw UsageError(command: name, message: "\(TableError.unknown(table))") }
        let format = try args.choice("format", TableFormat.allCases.map(\.rawValue)).flatMap(TableFormat.init) ?? .md
        let store = try RunStore(path: args.string("db") ?? CommonOptions.defaultDB, create: false)
        print(try TableRenderer(store: store).render(table: table, profile: args.string("profile"), format: format,
                                                     paper: args.has("paper")), terminator: "")
        return 0
    }
}
