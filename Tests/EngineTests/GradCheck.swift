import XCTest
@testable import Engine

/// Finite-difference gradient checking in Float32 with a Double-accumulated scalar loss.
///
/// The checked loss is L = Σ_i out_i · R_i with a fixed random R (so dL/dout = R). For each
/// variable a sample of entries is perturbed by ±eps (central difference) and compared with the
/// analytic gradient. Pass criterion: ‖num − ana‖₂ / ‖num‖₂ ≤ tolerance over the sample
/// (default 1e-2; Float32 rounding of a loss of magnitude ~1 contributes ~1e-7/eps per entry).
/// Entries whose central differences at eps and eps/2 disagree by > 5% straddle a ReLU or
/// max-pool kink and are skipped (at most `maxKinkFraction` of the sample may be).
struct GradCheck {
    struct Variable {
        var name: String
        var values: UnsafeMutablePointer<Float>
        var count: Int
        /// Read after the analytic backward.
        var grad: () -> UnsafePointer<Float>
    }

    static func randomFill(_ t: Tensor, _ rng: inout SeededRandom, scale: Double = 1) {
        for i in 0..<t.count { t.data[i] = Float(rng.normal() * scale) }
    }

    static func projection(_ out: Tensor, _ r: [Float]) -> Double {
        var s = 0.0
        for i in 0..<out.count { s += Double(out.data[i]) * Double(r[i]) }
        return s
    }

    /// Runs the check; `loss` runs forward and returns L; `backward` runs the analytic pass
    /// (gradients must be zeroed inside when they accumulate).
    static func check(_ vars: [Variable], samples: Int = 24, eps: Float = 3e-3, tolerance: Double = 1e-2,
                      seed: UInt64 = 5, maxKinkFraction: Double = 0.25, loss: () throws -> Double, backward: () throws -> Void,
                      file: StaticString = #filePath, line: UInt = #line) rethrows {
        _ = try loss()
        try backward()
        let analytic = vars.map { v in Array(UnsafeBufferPointer(start: v.grad(), count: v.count)) }
        var rng = SeededRandom(seed: seed)
        for (vi, v) in vars.enumerated() {
            var num: [Double] = [], ana: [Double] = []
            let idx = v.count <= samples ? Array(0..<v.count) : (0..<samples).map { _ in rng.int(below: v.count) }
            var skipped = 0
            for i in idx {
                let old = v.values[i]
                func central(_ e: Float) throws -> Double {
                    v.values[i] = old + e
                    let lp = try loss()
                    v.values[i] = old - e
                    let lm = try loss()
                    v.values[i] = old
                    return (lp - lm) / Double(2 * e)
                }
                let n1 = try central(eps), n2 = try central(eps / 2)
                // A ReLU / max-pool kink inside ±eps makes the two differences disagree: skip it.
                if abs(n1 - n2) > 0.05 * max(abs(n1), abs(n2), 0.05) { skipped += 1; continue }
                num.append((4 * n2 - n1) / 3)  // Richardson: cancels the O(eps²) term
                ana.append(Double(analytic[vi][i]))
            }
            if Double(skipped) > maxKinkFraction * Double(idx.count) {
                XCTFail("gradient check \(v.name): \(skipped) of \(idx.count) samples hit a kink", file: file, line: line)
            }
            let diff = zip(num, ana).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
            let norm = max(num.map { $0 * $0 }.reduce(0, +).squareRoot(), 1e-4)
            if diff / norm > tolerance {
                XCTFail("gradient check \(v.name): relative error \(diff / norm) > \(tolerance); num \(num.prefix(4)) ana \(ana.prefix(4))",
                        file: file, line: line)
            }
        }
        _ = try loss()
    }

    static func param(_ p: Parameter) -> Variable {
        Variable(name: p.name, values: p.value.data, count: p.count, grad: { UnsafePointer(p.grad.data) })
    }

    static func input(_ name: String, _ t: Tensor, grad: @escaping () -> Tensor?) -> Variable {
        Variable(name: name, values: t.data, count: t.count, grad: { UnsafePointer(grad()!.data) })
    }
}
