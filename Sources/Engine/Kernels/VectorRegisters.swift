import Foundation
#if canImport(Darwin)
import Darwin
#endif

/// Whether this build may keep 16 `SIMD16<Float>` accumulators in registers: true only where a
/// SIMD16 is one register and there are 32 of them (x86-64 with AVX-512F, built for the host
/// CPU). With AVX2 (16 × 256-bit) a SIMD16 takes two of 16 registers, and on arm64 (32 × 128-bit)
/// four of 32, so the 8×32 tile spills its accumulators to the stack on every k step: measured on
/// an AVX2 host (AMD EPYC, Zen 3), 26 GFLOP/s for the spilled tile against 93 for the same tile
/// computed as four 4×16 quarters, with a 100 GFLOP/s FMA peak; the narrow tiling is now 6×16 and
/// 2×32 passes (`SGEMM.narrowTile8x32`), a few points above the quarters inside the GEMM.
public enum VectorRegisters {
    /// What the host and the build allow. `FOCAL_MICROKERNEL=wide` or `=narrow` in the environment
    /// overrides the detection (A/B runs of the two tilings in one binary; other values are ignored).
    public static let hostIsWide: Bool = {
        switch ProcessInfo.processInfo.environment["FOCAL_MICROKERNEL"] {
        case "wide": return true
        case "narrow": return false
        default: return detect()
        }
    }()

    /// A human-readable name of the tiling in use, for benchmark output.
    public static var tilingName: String { SGEMM.wideTile ? "8×32 (16 SIMD16 accumulators)" : "8×32 as 6×16 + 6×16 + 2×32 passes" }

    /// What runs the parallel regions of a context with `threads` threads, for benchmark output
    /// (`ComputeContext.parallel`).
    public static func threadPoolName(threads: Int) -> String {
        if threads <= 1 { return "none (1 thread)" }
        return ComputeContext.usesSpinPool(threads: threads) ? "polling helpers (SpinPool)" : "DispatchQueue.concurrentPerform"
    }

    static func detect() -> Bool {
        #if FOCAL_PORTABLE || !arch(x86_64)
        return false  // generic x86-64 code has no AVX-512 registers; arm64 has 128-bit NEON
        #elseif os(Linux)
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        return flags.split(whereSeparator: { $0 == " " || $0 == "\t" }).contains("avx512f")
        #elseif canImport(Darwin)
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        return sysctlbyname("hw.optional.avx512f", &value, &size, nil, 0) == 0 && value != 0
        #else
        return false
        #endif
    }
}
