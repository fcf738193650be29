import Engine
import Foundation

/// One run of a plan: its config, the config's canonical JSON (its identity) and its id.
struct PlannedRun: Sendable, Equatable {
    var id: String
    var config: RunConfig
    var configJSON: String

    init(config: RunConfig) throws {
        self.config = config
        self.configJSON = try config.canonicalJSON()
        self.id = RunIdentity.id(canonicalJSON: configJSON)
    }
}

/// Which part of a plan this process runs: `--shard i/n` takes the runs whose position in the
/// deduplicated plan is i mod n (i counts from 0, like `$SLURM_ARRAY_TASK_ID` with `--array=0-(n-1)`).
struct Shard: Sendable, Equatable, CustomStringConvertible {
    var index: Int
    var count: Int

    static let all = Shard(index: 0, count: 1)

    /// Parses "i/n" with 0 ≤ i < n.
    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 0, i < n else { return nil }
        index = i
        count = n
    }

    init(index: Int, count: Int) { self.index = index; self.count = count }

    var description: String { "\(index)/\(count)" }
}

/// Expands a spec under a profile into the runs to do: every grid point of every row, layered
/// over base and profile, decoded (and so validated) as `RunConfig`, duplicates removed.
enum SweepPlanner {
    static func plan(_ spec: ExperimentSpec, profile: String, shard: Shard = .all) throws -> [PlannedRun] {
        guard let p = spec.profiles[profile] else {
            let known = spec.profiles.keys.sorted().joined(separator: ", ")
            throw SpecError(file: spec.file, path: "profiles", message: "no profile '\(profile)' (known: \(known.isEmpty ? "none" : known))")
        }
        var grid = spec.grid
        for (key, values) in p.grid {
            if let i = grid.firstIndex(where: { $0.0 == key }) { grid[i].1 = values } else { grid.append((key, values)) }
        }
        let rows = p.rows ?? spec.rows
        let rowList: [(String, JSONValue)] = rows.isEmpty
            ? [("base", .object([]))]
            : rows.enumerated().map { ("rows[\($0.offset)]", $0.element) }
        let layered = p.shared.merging(spec.base).merging(p.config)
        var seen = Set<String>()
        var plan: [PlannedRun] = []
        for (rowPath, row) in rowList {
            for point in product(grid) {
                let json = layered.merging(row).merging(.object(point))
                let where_ = ([rowPath] + point.map { "\($0.0)=\($0.1.text)" }).joined(separator: ", ")
                let config: RunConfig
                do {
                    config = try RunConfig.decode(json: json.text)
                } catch {
                    throw SpecError(file: spec.file, path: "\(where_) (profile \(profile))", message: describe(error))
                }
                let run = try PlannedRun(config: config)
                if seen.insert(run.id).inserted { plan.append(run) }
            }
        }
        return plan.enumerated().filter { $0.offset % shard.count == shard.index }.map(\.element)
    }

    /// Cartesian product of the axes, first axis outermost; one empty point without axes.
    static func product(_ axes: [(String, [JSONValue])]) -> [[(String, JSONValue)]] {
        var points: [[(String, JSONValue)]] = [[]]
        for (key, values) in axes {
            points = points.flatMap { point in values.map { point + [(key, $0)] } }
        }
        return points
    }

    /// A decoding error in words, with the config key it concerns.
    static func describe(_ error: Error) -> String {
        switch error {
        case let e as DecodingError:
            func key(_ path: [CodingKey]) -> String { path.map(\.stringValue).joined(separator: ".") }
            switch e {
            case .typeMismatch(let type, let ctx): return "\(key(ctx.codingPath)): expected \(type)"
            case .valueNotFound(let type, let ctx): return "\(key(ctx.codingPath)): expected \(type), found null"
            case .dataCorrupted(let ctx): return "\(key(ctx.codingPath)): \(ctx.debugDescription)"
            case .keyNotFound(let k, _): return "missing key \(k.stringValue)"
            @unknown default: return "\(e)"
            }
        default:
            return "\(error)"
        }
    }
}

/// Finds a spec by built-in sweep name or path.
enum SpecLocator {
    /// The sweeps named in the paper's tables (plus the divergence check).
    static let builtIn = ["alpha", "gamma", "anchors", "ohem", "depth-scale", "flstar", "noprior"]

    /// `name` as a file path if it ends in .json or exists; else `experiments/<name>.json` in the
    /// current directory or in a parent of the executable (the package root when built with SwiftPM).
    static func locate(_ name: String) throws -> String {
        let fm = FileManager.default
        if name.hasSuffix(".json") || name.contains("/") {
            guard fm.fileExists(atPath: name) else { throw SpecError(file: name, path: "", message: "no such spec file") }
            return name
        }
        var candidates = [URL(fileURLWithPath: fm.currentDirectoryPath)]
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 { candidates.append(dir); dir = dir.deletingLastPathComponent() }
        for root in candidates {
            let file = root.appendingPathComponent("experiments").appendingPathComponent("\(name).json").path
            if fm.fileExists(atPath: file) { return file }
        }
        throw SpecError(file: "experiments/\(name).json", path: "",
                        message: "no spec named '\(name)' (built-in: \(builtIn.joined(separator: ", ")); or pass a path to a .json spec)")
    }
}
