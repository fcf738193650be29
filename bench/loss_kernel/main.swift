// Focal-loss kernel timing behind the commits f09d5f6 / 3ccaca5 (docs/BENCHMARKS.md § Engine
// "Current"); not part of the package. It compiles the engine's own loss sources (no copies) into
// one standalone program, whole-module like a SwiftPM release build. Build and run (x86-64 with
// AVX-512), from the repository root:
//   S=Sources/Engine; swiftc -O -wmo -target-cpu native -module-name Engine bench/loss_kernel/main.swift \
//     $S/Kernels/*.swift $S/Losses/*.swift $S/Tensor/*.swift $S/Bench/Clock.swift $S/Layers/BatchNorm.swift \
//     $S/SeededRandom.swift -o /tmp/loss_kernel && /tmp/loss_kernel
// Check out an older commit's Sources/Engine to compare. Prints thread-CPU ms and ns per logit
// for FocalLoss.compute (α .25, γ 2) over 98,208 anchors × 10 classes (the 256² benchmark
// batch), 1 thread, gradient written.
import Foundation

func now() -> Double { var t = timespec(); clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9 }

/// A fixed generator, so every build sees the same logits and labels.
struct LCG: RandomNumberGenerator {
    var s: UInt64 = 12345
    mutating func next() -> UInt64 { s = s &* 6364136223846793005 &+ 1442695040888963407; return s }
}

let anchors = 98_208, classes = 10
var g = LCG()
let logits = (0..<(anchors * classes)).map { _ in Float.random(in: -6...2, using: &g) }
let labels: [Int32] = (0..<anchors).map { _ in
    let u = Float.random(in: 0...1, using: &g)
    return u < 0.01 ? Int32.random(in: 0..<10, using: &g) : (u < 0.02 ? ClassLabel.ignore : ClassLabel.background)
}
var grad = [Float](repeating: 0, count: logits.count)
var times: [Double] = []
var value = 0.0
for _ in 0..<20 {
    let t = now()
    value = grad.withUnsafeMutableBufferPointer { gp in
        FocalLoss.compute(logits: logits, labels: labels, anchors: anchors, classes: classes, alpha: 0.25, gamma: 2,
                          normalizer: 100, grad: gp.baseAddress!, ctx: nil).value
    }
    times.append(now() - t)
}
let best = times.min()!, median = times.sorted()[times.count / 2]
print(String(format: "focal loss, %d logits: median %.2f ms, best %.2f ms (%.1f ns per logit), value %.6f",
             logits.count, median * 1e3, best * 1e3, median * 1e9 / Double(logits.count), value))
