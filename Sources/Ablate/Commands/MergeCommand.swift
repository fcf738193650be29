import Foundation

/// `ablate merge`: combine shard databases into one.
enum MergeCommand: AblateCommand {
    static let name = "merge"
    static let abstract = "merge results databases (e.g. cluster shards) into one"
    static let usage = "A.sqlite B.sqlite… --into C.sqlite"
    static let discussion = """
    Identical configs are one run. A finished or diverged run replaces a run without a result;
    between two results, the one already in the target is kept. The target is created if needed
    and may be one of the inputs' earlier merges; sources are only read (an older schema is
    migrated first).
    """
    static let options: [OptionSpec] = [
        OptionSpec(name: "into", value: "FILE", help: "target database (created if missing)"),
    ]

    static func run(_ args: Arguments) throws -> Int32 {
        guard let into = args.string("into") else {
            throw UsageError(command: name, message: "option '--into FILE' is required")
        }
        guard !args.positionals.isEmpty else { throw UsageError(command: name, message: "missing source databases") }
        let target = try RunStore(path: into)
        for source in args.positionals {
            if URL(fileURLWithPath: source).standardizedFileURL == URL(fileURLWithPath: into).standardizedFileURL {
                throw UsageError(command: name, message: "source '\(source)' is the target itself")
            }
            guard FileManager.default.fileExists(atPath: source) else { throw StoreError.missing(path: source) }
            let r = try target.merge(from: source)
            print("\(source): \(r.added) runs added, \(r.upgraded) upgraded to a result, \(r.kept) already present")
        }
        return 0
    }
}
