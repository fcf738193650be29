import Dispatch

/// Optional per-phase timing of the heavy kernels (enable with `ComputeContext.profiler`), used by
/// the benchmarks to report GFLOP/s and % of peak per layer type.
public final class Profiler {
    public struct Entry: Sendable {
        public var seconds: Double = 0
        public var flops: Double = 0
        public var calls: Int = 0
        public var gflops: Double { seconds > 0 ? flops / seconds / 1e9 : 0 }
    }
    public private(set) var entries: [String: Entry] = [:]
    /// Use the thread's CPU time (meaningful for single-threaded runs on a shared machine).
    public var cpuTime: Bool
    public init(cpuTime: Bool = false) { self.cpuTime = cpuTime }

    /// Times `body` under `name`, crediting `flops` floating-point operations.
    @inline(__always)
    func measure<T>(_ name: String, flops: Double, _ body: () throws -> T) rethrows -> T {
        let t0 = cpuTime ? Clock.threadCPU() : Clock.wall()
        let r = try body()
        let dt = Double((cpuTime ? Clock.threadCPU() : Clock.wall()) - t0) * 1e-9
        var e = entries[name] ?? Entry()
        e.seconds += dt; e.flops += flops; e.calls += 1
        entries[name] = e
        return r
    }

    public func reset() { entries = [:] }
}

extension ComputeContext {
    /// Runs `body`, timed under `name` when a profiler is attached.
    @inline(__always)
    func timed<T>(_ name: String, flops: Double, _ body: () throws -> T) rethrows -> T {
        if let p = profiler { return try p.measure(name, flops: flops, body) }
        return try body()
    }
}
