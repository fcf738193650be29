import Foundation
#if canImport(Darwin)
import Darwin
#endif

/// The host's per-core L2 size, for GEMM blocking. A packed B block of `SGEMM.kc × SGEMM.nc`
/// floats shares L2 with the packed A rows and the C block, so `SGEMM.nc` is sized to a quarter
/// of it: measured on a Zen 3 host with 512 KiB L2, 256 columns (128 KiB) beat 512 on the M = 64
/// conv-shaped GEMMs, while 512 (256 KiB) was chosen on the 1 MiB-L2 Xeon of the earlier sessions.
public enum HostCaches {
    /// Per-core L2 bytes: Linux sysfs, else sysconf; macOS sysctl; nil where none answers.
    public static let l2Bytes: Int? = detectL2()

    /// Columns of B per packed block: a quarter of L2 at `SGEMM.kc` rows, a multiple of
    /// `SGEMM.nr` in 128…512 (512 when L2 is unknown). `FOCAL_GEMM_NC=N` in the environment
    /// overrides it (A/B runs; N is rounded to a multiple of 32 in 32…4096).
    public static let gemmColumnBlock: Int = {
        if let s = ProcessInfo.processInfo.environment["FOCAL_GEMM_NC"], let v = Int(s) {
            return min(4096, max(32, v / 32 * 32))
        }
        return columnBlock(l2: l2Bytes)
    }()

    /// The `gemmColumnBlock` rule for an L2 of `l2` bytes.
    static func columnBlock(l2: Int?) -> Int {
        guard let l2 else { return 512 }
        return min(512, max(128, l2 / 4 / (4 * SGEMM.kc) / SGEMM.nr * SGEMM.nr))
    }

    /// The GEMM's B block and the L2 it was sized from, for benchmark output.
    public static var blockingName: String {
        "GEMM B blocks \(SGEMM.kc)×\(SGEMM.nc) floats (L2 " + (l2Bytes.map { "\($0 / 1024) KiB" } ?? "unknown") + " per core)"
    }

    static func detectL2() -> Int? {
        #if os(Linux)
        // The cache index directories are not guaranteed to be in level order: take the one whose
        // level is 2 and which holds data (type Unified or Data).
        let dir = "/sys/devices/system/cpu/cpu0/cache"
        func read(_ index: Int, _ file: String) -> String? {
            (try? String(contentsOfFile: "\(dir)/index\(index)/\(file)", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        for index in 0..<8 {
            guard let level = read(index, "level") else { break }
            if level == "2", read(index, "type") != "Instruction", let text = read(index, "size"),
               let bytes = parseSize(text) {
                return bytes
            }
        }
        let v = sysconf(Int32(_SC_LEVEL2_CACHE_SIZE))
        return v > 0 ? v : nil
        #elseif canImport(Darwin)
        for name in ["hw.perflevel0.l2cachesize", "hw.l2cachesize"] {
            var v: Int64 = 0
            var size = MemoryLayout<Int64>.size
            if sysctlbyname(name, &v, &size, nil, 0) == 0 && v > 0 { return Int(v) }
        }
        return nil
        #else
        return nil
        #endif
    }

    /// "512K", "1M", "1048576" → bytes.
    static func parseSize(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        let scale: Int
        var digits = Substring(t)
        switch t.last {
        case "K": scale = 1 << 10; digits = digits.dropLast()
        case "M": scale = 1 << 20; digits = digits.dropLast()
        case "G": scale = 1 << 30; digits = digits.dropLast()
        default: scale = 1
        }
        guard let n = Int(digits), n > 0 else { return nil }
        return n * scale
    }
}
