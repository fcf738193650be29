#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// Timers for benchmarks. On a shared machine wall time includes time the thread was descheduled;
/// single-threaded kernel benchmarks therefore use the thread's CPU time.
enum Clock {
    /// Wall-clock nanoseconds.
    static func wall() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// CPU time of the calling thread in nanoseconds.
    static func threadCPU() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Thread CPU time for single-threaded runs, wall time otherwise.
    static func now(threads: Int) -> UInt64 { threads == 1 ? threadCPU() : wall() }
}
