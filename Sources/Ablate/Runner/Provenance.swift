import Foundation

/// Where and from what code a run was made: recorded in every run.
enum Provenance {
    /// `git rev-parse HEAD` of the current directory, with "-dirty" if `git status --porcelain`
    /// lists changes to tracked files other than results databases (a sweep writing into the
    /// tracked results.sqlite does not make its own runs "dirty"); "unknown" outside a git
    /// checkout or without git.
    static func gitCommit() -> String {
        guard let head = ChildProcess.capture(["git", "rev-parse", "HEAD"])?
            .trimmingCharacters(in: .whitespacesAndNewlines), !head.isEmpty
        else { return "unknown" }
        let status = ChildProcess.capture(["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)*.sqlite"]) ?? ""
        return status.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? head : head + "-dirty"
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
