// How long DispatchQueue.concurrentPerform takes to run two chunks that each spin for W µs, after
// the calling thread was busy for G µs (so the pool's worker had time to park), median and p90 of
// 1000 regions; behind the "Polling thread pool" figures of docs/BENCHMARKS.md. Not part of the
// package. Build and run:
//   cd bench/dispatch_wakeup && swiftc -O main.swift -o /tmp/dispatch_wakeup && /tmp/dispatch_wakeup
// W µs for both chunks means the worker never joined; 2W that one thread ran both.
import Foundation
import Dispatch
func now() -> Double { var ts = timespec(); clock_gettime(CLOCK_MONOTONIC, &ts); return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9 }
@inline(never) func spin(_ us: Double) { let t = now(); while now() - t < us * 1e-6 {} }
for work in [20.0, 100.0, 500.0] {
  for gapUs in [0.0, 50.0, 500.0] {
    var times: [Double] = []
    for _ in 0..<1000 {
        if gapUs > 0 { spin(gapUs) }
        let t0 = now()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in spin(work) }
        times.append(now() - t0)
    }
    times.sort()
    print("work \(work) us x2, gap \(gapUs) us: median \(String(format: "%.1f", times[500] * 1e6)) us, p90 \(String(format: "%.1f", times[900] * 1e6)) us")
  }
}
