#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock and this-thread CPU time, for the dataset/geometry benchmarks. CPU time stays
/// meaningful on a shared machine where other processes steal the cores.
public struct BenchClock: Sendable {
    /// Seconds of wall time (monotonic).
    public static func wall() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Seconds of CPU time used by the calling thread.
    public static func threadCPU() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Runs `body` `repeats` times; returns (wall, CPU) seconds per repeat.
    public static func measure(repeats: Int, _ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
        let w0 = wall(), c0 = threadCPU()
        for _ in 0..<repeats { try body() }
        return ((wall() - w0) / Double(repeats), (threadCPU() - c0) / Double(repeats))
    }
}
