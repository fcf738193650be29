import Foundation
import XCTest
@testable import Ablate
import Engine

/// A fresh temporary directory per test, removed afterwards.
final class TempDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ablate-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes a spec (and a `profiles.json` with a `quick` profile) into the directory.
    func writeSpec(_ name: String, _ json: String, profiles: String = #"{"quick": {"iterations": 10}}"#) throws -> String {
        try profiles.write(toFile: path("profiles.json"), atomically: true, encoding: .utf8)
        try json.write(toFile: path("\(name).json"), atomically: true, encoding: .utf8)
        return path("\(name).json")
    }
}

/// The result of running the `ablate` binary.
struct CommandResult {
    var status: ChildProcess.Exit
    var stdout: String
    var stderr: String
}

enum AblateBinary {
    /// `ablate` in the build products directory (beside the test bundle).
    static func path() throws -> String {
        var candidates: [URL] = []
        #if os(Linux)
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
        }
        #endif
        for bundle in Bundle.allBundles { candidates.append(bundle.bundleURL.deletingLastPathComponent()) }
        for dir in candidates {
            let file = dir.appendingPathComponent("ablate").path
            if FileManager.default.isExecutableFile(atPath: file) { return file }
        }
        struct Missing: Error, CustomStringConvertible {
            var description: String { "ablate binary not found beside the test bundle; `swift test` builds it" }
        }
        throw Missing()
    }

    /// Starts `ablate args…` in `directory` with extra environment; output goes to files.
    static func start(_ args: [String], in dir: TempDir, env: [String: String] = [:], tag: String = "out") throws -> (ChildProcess, String) {
        let log = dir.path("\(tag)-\(UUID().uuidString).log")
        let script = "cd '\(dir.url.path)' && exec " + ([try path()] + args).map { "'\($0)'" }.joined(separator: " ")
            + " >'\(log)' 2>'\(log).err'"
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        let child = try ChildProcess.spawn(["/bin/sh", "-c", script], environment: environment)
        return (child, log)
    }

    /// Runs `ablate args…` to completion.
    static func run(_ args: [String], in dir: TempDir, env: [String: String] = [:]) throws -> CommandResult {
        let (child, log) = try start(args, in: dir, env: env)
        let status = child.wait()
        return CommandResult(status: status, stdout: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "",
                             stderr: (try? String(contentsOfFile: log + ".err", encoding: .utf8)) ?? "")
    }

    /// Environment for the test-only synthetic executor.
    static func synthetic(seconds: Double) -> [String: String] {
        ["ABLATE_EXECUTOR": "synthetic", "ABLATE_SYNTHETIC_SECONDS": String(seconds), "ABLATE_SYNTHETIC_ROWS": "3"]
    }
}

/// A small two-axis spec used by runner tests: 3 α × 2 γ = 6 runs, table 1b.
let smallGammaSpec = """
{
  "name": "gamma",
  "table": "1b",
  "base": { "loss": "focal" },
  "grid": { "gamma": [0, 2], "alpha": [0.25, 0.5, 0.75] }
}
"""

/// Inserts a finished run with metrics directly (for view and table tests).
@discardableResult
func insertFinished(_ store: RunStore, config: RunConfig, sweep: String, table: String?, profile: String = "quick",
                    metrics: [String: Double]) throws -> String {
    let run = try PlannedRun(config: config)
    try store.plan([run], sweep: sweep, profile: profile, table: table)
    let claimed = try XCTUnwrap(try store.claimNext(ids: [run.id], claimant: Claimant(host: "h", pid: 1, gitCommit: "c")))
    XCTAssertTrue(try store.complete(id: claimed.id, pid: 1, outcome: RunOutcome(status: .finished, metrics: metrics), wallSeconds: 1))
    return run.id
}
