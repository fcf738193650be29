import XCTest
import Foundation
@testable import Engine

/// Loss kernels against Double reference formulas (value) and their central differences (gradient).
/// Tolerances: value relative 1e-5 (SIMD exp/log ~2 ulp); gradient abs 2e-5 + rel 1e-3.
final class LossTests: XCTestCase {
    func refFocal(_ x: [Double], _ labels: [Int32], _ k: Int, alpha: Double, gamma: Double) -> Double {
        var s = 0.0
        for (i, xi) in x.enumerated() {
            let lab = labels[i / k]
            if lab == ClassLabel.ignore { continue }
            let y = Int32(i % k) == lab
            let p = 1 / (1 + Foundation.exp(-xi))
            let pt = y ? p : 1 - p, at = y ? alpha : 1 - alpha
            s += -at * Foundation.pow(1 - pt, gamma) * Foundation.log(pt)
        }
        return s
    }

    func refFLStar(_ x: [Double], _ labels: [Int32], _ k: Int, alpha: Double, gamma: Double, beta: Double) -> Double {
        var s = 0.0
        for (i, xi) in x.enumerated() {
            let lab = labels[i / k]
            if lab == ClassLabel.ignore { continue }
            let y = Int32(i % k) == lab
            let xt = (y ? 1.0 : -1.0) * xi
            let p = 1 / (1 + Foundation.exp(-(gamma * xt + beta)))
            s += (y ? alpha : 1 - alpha) * -Foundation.log(p) / gamma
        }
        return s
    }

    func checkGrad(_ x: [Float], _ grad: [Float], _ f: ([Double]) -> Double, file: StaticString = #filePath, line: UInt = #line) {
        let xd = x.map(Double.init)
        for i in 0..<x.count {
            var a = xd, b = xd
            a[i] += 1e-5; b[i] -= 1e-5
            let num = (f(a) - f(b)) / 2e-5
            XCTAssertEqual(Double(grad[i]), num, accuracy: 2e-5 + 1e-3 * abs(num), "element \(i)", file: file, line: line)
        }
    }

    func testFocalLossValueAndGradient() {
        var rng = SeededRandom(seed: 21)
        let anchors = 37, k = 3
        let labels: [Int32] = (0..<anchors).map { _ in Int32(rng.int(below: 5)) - 2 }  // −2…2
        let x: [Float] = (0..<(anchors * k)).map { _ in Float(rng.normal() * 4) }
        for (alpha, gamma) in [(0.25, 2.0), (0.75, 0.0), (0.5, 0.5), (0.25, 5.0), (0.75, 1.0)] {  // γ 0, 1, 2: no second exp
            let norm: Float = 7
            var grad = [Float](repeating: 0, count: x.count)
            var per = [Float](repeating: 0, count: anchors)
            let v = FocalLoss.compute(logits: x, labels: labels, anchors: anchors, classes: k, alpha: Float(alpha),
                                      gamma: Float(gamma), normalizer: norm, grad: &grad, perAnchor: &per)
            let ref = refFocal(x.map(Double.init), labels, k, alpha: alpha, gamma: gamma) / Double(norm)
            XCTAssertEqual(v.value, ref, accuracy: 1e-5 * abs(ref), "alpha \(alpha) gamma \(gamma)")
            XCTAssertEqual(v.count, labels.filter { $0 != ClassLabel.ignore }.count)
            XCTAssertEqual(per.reduce(0, +) / norm, Float(ref), accuracy: 1e-4 * Float(abs(ref)))
            checkGrad(x, grad) { self.refFocal($0, labels, k, alpha: alpha, gamma: gamma) / Double(norm) }
            for a in 0..<anchors where labels[a] == ClassLabel.ignore {
                XCTAssertEqual(grad[(a * k)..<(a * k + k)].map { abs($0) }.max(), 0)
            }
        }
    }

    func testFocalLossExtremeLogitsStayFinite() {
        let x: [Float] = [80, -80, 30, -30, 0, 100]
        let labels: [Int32] = [0, 1, -1]
        var grad = [Float](repeating: 0, count: 6)
        let v = FocalLoss.compute(logits: x, labels: labels, anchors: 3, classes: 2, alpha: 0.25, gamma: 2, normalizer: 1, grad: &grad)
        XCTAssertTrue(v.value.isFinite)
        XCTAssertTrue(grad.allSatisfy { $0.isFinite })
    }

    func testFLStarValueAndGradient() {
        var rng = SeededRandom(seed: 22)
        let anchors = 29, k = 4
        let labels: [Int32] = (0..<anchors).map { _ in Int32(rng.int(below: 6)) - 2 }
        let x: [Float] = (0..<(anchors * k)).map { _ in Float(rng.normal() * 3) }
        for (gamma, beta) in [(2.0, 1.0), (4.0, 0.0)] {
            var grad = [Float](repeating: 0, count: x.count)
            let v = FocalLossStar.compute(logits: x, labels: labels, anchors: anchors, classes: k, alpha: 0.25,
                                          gamma: Float(gamma), beta: Float(beta), normalizer: 3, grad: &grad)
            let ref = refFLStar(x.map(Double.init), labels, k, alpha: 0.25, gamma: gamma, beta: beta) / 3
            XCTAssertEqual(v.value, ref, accuracy: 1e-5 * abs(ref))
            checkGrad(x, grad) { self.refFLStar($0, labels, k, alpha: 0.25, gamma: gamma, beta: beta) / 3 }
        }
    }

    func testSmoothL1ValueAndGradient() {
        var rng = SeededRandom(seed: 23)
        let anchors = 20
        let labels: [Int32] = (0..<anchors).map { _ in Int32(rng.int(below: 4)) - 2 }
        let pred: [Float] = (0..<80).map { _ in Float(rng.normal()) }
        let target: [Float] = (0..<80).map { _ in Float(rng.normal()) }
        for beta in [0.11, 0.0, 1.0] {
            func ref(_ p: [Double]) -> Double {
                var s = 0.0
                for a in 0..<anchors where labels[a] >= 0 {
                    for j in 0..<4 {
                        let d = abs(p[a * 4 + j] - Double(target[a * 4 + j]))
                        s += d < beta ? 0.5 * d * d / beta : d - 0.5 * beta
                    }
                }
                return s / 5
            }
            var grad = [Float](repeating: 0, count: 80)
            let v = SmoothL1Loss.compute(pred: pred, target: target, labels: labels, anchors: anchors, beta: Float(beta),
                                         normalizer: 5, grad: &grad)
            XCTAssertEqual(v.value, ref(pred.map(Double.init)), accuracy: 1e-5)
            XCTAssertEqual(v.count, labels.filter { $0 >= 0 }.count)
            checkGrad(pred, grad, ref)
        }
    }

    func testSoftmaxCrossEntropy() {
        var rng = SeededRandom(seed: 24)
        let x: [Float] = (0..<15).map { _ in Float(rng.normal() * 2) }
        let labels = [0, 4, 2]
        var grad = [Float](repeating: 0, count: 15)
        let v = x.withUnsafeBufferPointer { SoftmaxCrossEntropy.compute(logits: $0.baseAddress!, labels: labels, classes: 5, grad: &grad) }
        func ref(_ z: [Double]) -> Double {
            var s = 0.0
            for i in 0..<3 {
                let row = Array(z[(i * 5)..<(i * 5 + 5)])
                s += Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +)) - row[labels[i]]
            }
            return s / 3
        }
        XCTAssertEqual(v, ref(x.map(Double.init)), accuracy: 1e-6)
        checkGrad(x, grad, ref)
    }

    func testVectorMathAccuracy() {
        var x = SIMD16<Float>()
        for (lo, hi) in [(-80.0, 80.0), (-1.0, 1.0)] {
            for t in 0..<16 { x[t] = Float(lo + (hi - lo) * Double(t) / 15) }
            let e = VectorMath.exp(x)
            for t in 0..<16 { XCTAssertEqual(e[t], Foundation.exp(x[t]), accuracy: 3e-7 * Foundation.exp(x[t])) }
        }
        for t in 0..<16 { x[t] = Foundation.pow(10, Float(t) - 8) * 1.37 }
        let l = VectorMath.log(x)
        for t in 0..<16 { XCTAssertEqual(l[t], Foundation.log(x[t]), accuracy: 3e-7 * max(1, abs(Foundation.log(x[t])))) }
    }

    func testLRSchedule() {
        let s = LRSchedule(baseLR: 0.01, warmupIterations: 100, warmupFactor: 1.0 / 3, milestones: [600, 800])
        XCTAssertEqual(s.lr(at: 0), 0.01 / 3, accuracy: 1e-12)
        XCTAssertEqual(s.lr(at: 50), 0.01 * (1.0 / 3 * 0.5 + 0.5), accuracy: 1e-12)
        XCTAssertEqual(s.lr(at: 100), 0.01, accuracy: 1e-12)
        XCTAssertEqual(s.lr(at: 600), 0.001, accuracy: 1e-12)
        XCTAssertEqual(s.lr(at: 899), 0.0001, accuracy: 1e-12)
    }

    func testSGDMomentumDecayAndMultipliers() {
        let w = Parameter(name: "w", shape: [2]), b = Parameter(name: "b", shape: [1])
        b.lrMultiplier = 2; b.decayMultiplier = 0
        w.value.copy(from: [1, -2]); b.value.copy(from: [0.5])
        let frozen = Parameter(name: "f", shape: [1]); frozen.trainable = false; frozen.value.copy(from: [3])
        let sgd = SGD(parameters: [w, b, frozen, w], momentum: 0.9, weightDecay: 0.1)
        XCTAssertEqual(sgd.parameters.count, 3)
        for _ in 0..<2 {
            w.grad.copy(from: [0.5, 1]); b.grad.copy(from: [1]); frozen.grad.copy(from: [1])
            sgd.step(lr: 0.1)
        }
        // Step 1: v_w = g + 0.1 w = [0.6, 0.8]; w = [0.94, -2.08]; v_b = 1; b = 0.3.
        // Step 2: v_w = 0.9·[0.6, 0.8] + [0.5 + 0.094, 1 − 0.208] = [1.134, 1.512]; w = [0.8266, −2.2312].
        XCTAssertEqual(w.value.data[0], 0.8266, accuracy: 1e-6)
        XCTAssertEqual(w.value.data[1], -2.2312, accuracy: 1e-6)
        XCTAssertEqual(b.value.data[0], 0.3 - 0.2 * 1.9, accuracy: 1e-6)
        XCTAssertEqual(frozen.value.data[0], 3)
    }

    func testGradientNormClippingScalesTrainableGradientsOnly() {
        let w = Parameter(name: "w", shape: [2]), b = Parameter(name: "b", shape: [1])
        let frozen = Parameter(name: "f", shape: [1]); frozen.trainable = false
        let sgd = SGD(parameters: [w, b, frozen])
        w.grad.copy(from: [3, 0]); b.grad.copy(from: [4]); frozen.grad.copy(from: [100])
        XCTAssertEqual(sgd.clipGradientNorm(10), 5, accuracy: 1e-12, "under the limit: unchanged")
        XCTAssertEqual(w.grad.data[0], 3)
        XCTAssertEqual(sgd.clipGradientNorm(1), 5, accuracy: 1e-12, "returns the norm before clipping")
        XCTAssertEqual(w.grad.data[0], 0.6, accuracy: 1e-6)
        XCTAssertEqual(b.grad.data[0], 0.8, accuracy: 1e-6)
        XCTAssertEqual(frozen.grad.data[0], 100, "frozen parameters are not part of the norm")
    }
}
