#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Written only by the signal handler, read by polling loops: a sig_atomic_t-style flag.
nonisolated(unsafe) private var lastSignal: Int32 = 0

/// Turns SIGINT/SIGTERM into a flag that the sweep loop and the worker's heartbeat thread poll,
/// so a Ctrl-C ends runs cleanly (marked `killed`) instead of killing the process mid-write.
enum SignalWatch {
    static func install(_ signals: [Int32] = [SIGINT, SIGTERM]) {
        for s in signals { signal(s) { lastSignal = $0 } }
    }

    /// The last signal received, or 0.
    static var received: Int32 { lastSignal }
}
