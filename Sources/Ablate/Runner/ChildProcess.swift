import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process started with `posix_spawn`, reaped without blocking. (Foundation's `Process`
/// installs its own child monitoring; the runner needs plain `waitpid` semantics.)
struct ChildProcess {
    let pid: pid_t

    /// How a child ended.
    enum Exit: Equatable, CustomStringConvertible {
        case status(Int32)
        case signal(Int32)
        var description: String {
            switch self {
            case .status(let s): return "exit status \(s)"
            case .signal(let s): return "signal \(s)"
            }
        }
    }

    struct SpawnError: Error, CustomStringConvertible {
        var executable: String
        var code: Int32
        var description: String { "cannot start \(executable): \(String(cString: strerror(code)))" }
    }

    /// Starts `arguments[0]` (an absolute path) with `arguments`; stdout and stderr go to
    /// `outputFile` (appended) when given, stdin is /dev/null. SIGINT/SIGTERM are reset to default.
    /// `environment` nil: this process's environment.
    static func spawn(_ arguments: [String], outputFile: String? = nil, captureTo pipeWrite: Int32? = nil,
                      environment: [String: String]? = nil) throws -> ChildProcess {
        #if canImport(Glibc)
        var actions = posix_spawn_file_actions_t()
        var attr = posix_spawnattr_t()
        #else
        var actions: posix_spawn_file_actions_t?
        var attr: posix_spawnattr_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attr)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attr)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let outputFile {
            posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else if let pipeWrite {
            posix_spawn_file_actions_adddup2(&actions, pipeWrite, 1)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGDEF))

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, arguments[0], &actions, &attr, &argv, &envp)
        guard rc == 0 else { throw SpawnError(executable: arguments[0], code: rc) }
        return ChildProcess(pid: pid)
    }

    /// The exit if the child has ended (reaping it), nil while it runs.
    func poll() -> Exit? {
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        guard rc == pid else { return nil }
        return ChildProcess.decode(status)
    }

    /// Waits for the child to end.
    func wait() -> Exit {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return ChildProcess.decode(status)
    }

    func signal(_ sig: Int32) { kill(pid, sig) }

    private static func decode(_ status: Int32) -> Exit {
        let low = status & 0x7f
        if low == 0 { return .status((status >> 8) & 0xff) }
        return .signal(low)
    }

    /// Runs a command to completion and returns its stdout (stderr discarded), or nil if it
    /// could not start or exited non-zero. `arguments[0]` is looked up in PATH.
    static func capture(_ arguments: [String]) -> String? {
        guard let exe = which(arguments[0]) else { return nil }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        let child: ChildProcess
        do { child = try spawn([exe] + arguments.dropFirst(), captureTo: fds[1]) } catch {
            close(fds[0]); close(fds[1]); return nil
        }
        close(fds[1])
        let data = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readDataToEndOfFile()
        guard child.wait() == .status(0) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func which(_ name: String) -> String? {
        if name.hasPrefix("/") { return name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Absolute path of the running executable (for spawning `ablate worker`).
    static func currentExecutable() -> String {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        #endif
        return Bundle.main.executablePath ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}
