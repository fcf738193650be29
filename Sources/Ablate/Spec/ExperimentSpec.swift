import Engine
import Foundation

/// An experiment spec (`experiments/*.json`): a base config, profiles, and axes. See
/// docs/ABLATE.md for the format. A run's config is, from weakest to strongest: `RunConfig`
/// defaults, the shared profile (`profiles.json` beside the spec: the compute scale), `base`
/// (what the table is about, e.g. 1d's deeper backbone), the spec's own profile `config`, a
/// `rows` entry, a `grid` point.
struct ExperimentSpec: Sendable {
    /// Sweep name, e.g. "gamma"; runs are grouped under it in the database and in `runs/`.
    var name: String
    /// Paper table the sweep fills ("1a" … "1e", "3"), or nil.
    var table: String?
    var description: String
    var file: String
    var base: JSONValue
    /// Axis name → values; the cartesian product, first axis outermost.
    var grid: [(String, [JSONValue])]
    /// Explicit rows (for tables whose rows are not a product); each combined with every grid point.
    var rows: [JSONValue]
    /// Profile name → (config overrides, grid overrides, rows override).
    var profiles: [String: SpecProfile]

    static let tables: Set<String> = ["1a", "1b", "1c", "1d", "1e", "3"]
}

/// A profile: the scale of a sweep (data size, iterations, input scale), shared by all specs in
/// `profiles.json` and refined per spec.
struct SpecProfile: Sendable {
    /// From `profiles.json` (applied under `base`).
    var shared: JSONValue = .object([])
    /// From the spec's own `profiles` (applied over `base`).
    var config: JSONValue = .object([])
    var grid: [(String, [JSONValue])] = []
    var rows: [JSONValue]? = nil
}

/// A spec that cannot be used, with the file and JSON path of the problem.
struct SpecError: Error, CustomStringConvertible {
    var file: String
    var path: String
    var message: String
    var description: String { path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)" }
}

extension ExperimentSpec {
    /// Reads and checks a spec file (and the shared `profiles.json` beside it or one directory up, if any).
    static func load(file: String) throws -> ExperimentSpec {
        let root = try parseFile(file)
        guard let members = root.objectMembers else { throw SpecError(file: file, path: "", message: "expected a JSON object at the top level") }
        let known: Set<String> = ["name", "table", "description", "base", "grid", "rows", "profiles"]
        for (key, _) in members where !known.contains(key) {
            throw SpecError(file: file, path: key, message: "unknown spec key (known: \(known.sorted().joined(separator: ", ")))")
        }
        guard let name = root["name"]?.stringValue, !name.isEmpty,
              name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        else { throw SpecError(file: file, path: "name", message: "expected a non-empty name of letters, digits, '-' or '_'") }
        var table: String?
        if let t = root["table"], t != .null {
            guard let s = t.stringValue, ExperimentSpec.tables.contains(s) else {
                throw SpecError(file: file, path: "table", message: "expected one of \(ExperimentSpec.tables.sorted().joined(separator: ", ")) or null")
            }
            table = s
        }
        let base = root["base"] ?? .object([])
        guard base.objectMembers != nil else { throw SpecError(file: file, path: "base", message: "expected an object of run-config keys") }
        var spec = ExperimentSpec(name: name, table: table, description: root["description"]?.stringValue ?? "",
                                  file: file, base: base,
                                  grid: try parseGrid(root["grid"], file: file, path: "grid"),
                                  rows: try parseRows(root["rows"], file: file, path: "rows") ?? [], profiles: [:])
        if let shared = sharedProfilesFile(for: file) {
            let sharedRoot = try parseFile(shared)
            guard let profiles = sharedRoot.objectMembers else { throw SpecError(file: shared, path: "", message: "expected an object: profile name → config") }
            for (profile, config) in profiles {
                guard config.objectMembers != nil else { throw SpecError(file: shared, path: profile, message: "expected an object of run-config keys") }
                spec.profiles[profile] = SpecProfile(shared: config)
            }
        }
        if let own = root["profiles"] {
            guard let profiles = own.objectMembers else { throw SpecError(file: file, path: "profiles", message: "expected an object: profile name → {config, grid, rows}") }
            for (profile, body) in profiles {
                let path = "profiles.\(profile)"
                guard let parts = body.objectMembers else { throw SpecError(file: file, path: path, message: "expected an object with config, grid or rows") }
                for (key, _) in parts where !["config", "grid", "rows"].contains(key) {
                    throw SpecError(file: file, path: "\(path).\(key)", message: "unknown profile key (known: config, grid, rows)")
                }
                var p = spec.profiles[profile] ?? SpecProfile()
                if let config = body["config"] {
                    guard config.objectMembers != nil else { throw SpecError(file: file, path: "\(path).config", message: "expected an object of run-config keys") }
                    p.config = p.config.merging(config)
                }
                p.grid = try parseGrid(body["grid"], file: file, path: "\(path).grid")
                p.rows = try parseRows(body["rows"], file: file, path: "\(path).rows")
                spec.profiles[profile] = p
            }
        }
        return spec
    }

    /// The `profiles.json` beside the spec, or in its parent directory (for specs kept in a
    /// subfolder such as experiments/calibration/), or nil.
    private static func sharedProfilesFile(for file: String) -> String? {
        let dir = URL(fileURLWithPath: file).deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("profiles.json").path
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        return nil
    }

    private static func parseFile(_ file: String) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw SpecError(file: file, path: "", message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw SpecError(file: file, path: "", message: "not UTF-8 text") }
        do { return try JSONParser.parse(text) } catch let error as JSONParser.Error {
            throw SpecError(file: "\(file):\(error.line):\(error.column)", path: "", message: error.message)
        }
    }

    private static func parseGrid(_ value: JSONValue?, file: String, path: String) throws -> [(String, [JSONValue])] {
        guard let value, value != .null else { return [] }
        guard let axes = value.objectMembers else { throw SpecError(file: file, path: path, message: "expected an object: config key → array of values") }
        return try axes.map { key, values in
            guard let list = values.arrayElements, !list.isEmpty else {
                throw SpecError(file: file, path: "\(path).\(key)", message: "expected a non-empty array of values")
            }
            return (key, list)
        }
    }

    private static func parseRows(_ value: JSONValue?, file: String, path: String) throws -> [JSONValue]? {
        guard let value, value != .null else { return nil }
        guard let rows = value.arrayElements else { throw SpecError(file: file, path: path, message: "expected an array of objects") }
        for (i, row) in rows.enumerated() where row.objectMembers == nil {
            throw SpecError(file: file, path: "\(path)[\(i)]", message: "expected an object of run-config keys")
        }
        return rows
    }
}
