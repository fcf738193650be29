import XCTest
@testable import Engine

/// The loss kernels and SGD split over a context's threads: values, gradients and updated
/// weights must be bitwise the same without a context, with 1 thread and with 2 threads, on
/// inputs spanning several fixed chunks.
final class ThreadedLossSGDTests: XCTestCase {
    func testLossesAreThreadCountIndependent() {
        var rng = SeededRandom(seed: 41)
        let k = 10
        let anchors = 3 * SigmoidLossKernel.chunkAnchors(classes: k) + 17  // four chunks, ragged tail
        let labels: [Int32] = (0..<anchors).map { _ in
            let u = rng.uniform()
            return u < 0.05 ? Int32(rng.int(below: k)) : (u < 0.08 ? ClassLabel.ignore : ClassLabel.background)
        }
        let x: [Float] = (0..<(anchors * k)).map { _ in Float(rng.normal() * 3) }
        let pred: [Float] = (0..<(anchors * 4)).map { _ in Float(rng.normal()) }
        let target: [Float] = (0..<(anchors * 4)).map { _ in Float(rng.normal()) }
        typealias Result = (values: [Double], counts: [Int], grads: [[Float]], per: [[Float]])
        func run(_ ctx: ComputeContext?) -> Result {
            var gf = [Float](repeating: .nan, count: x.count), gs = gf, gb = [Float](repeating: .nan, count: pred.count)
            var pf = [Float](repeating: .nan, count: anchors), ps = pf, pb = pf
            let f = FocalLoss.compute(logits: x, labels: labels, anchors: anchors, classes: k, alpha: 0.25, gamma: 2,
                                      normalizer: 9, grad: &gf, perAnchor: &pf, ctx: ctx)
            let s = FocalLossStar.compute(logits: x, labels: labels, anchors: anchors, classes: k, alpha: 0.25, gamma: 2,
                                          beta: 1, normalizer: 9, grad: &gs, perAnchor: &ps, ctx: ctx)
            let b = SmoothL1Loss.compute(pred: pred, target: target, labels: labels, anchors: anchors, beta: 0.11,
                                         normalizer: 9, grad: &gb, perAnchor: &pb, ctx: ctx)
            return ([f.value, s.value, b.value], [f.count, s.count, b.count], [gf, gs, gb], [pf, ps, pb])
        }
        let ref = run(nil)
        for threads in [1, 2] {
            let r = run(ComputeContext(threads: threads))
            XCTAssertEqual(r.values, ref.values, "threads \(threads)")
            XCTAssertEqual(r.counts, ref.counts)
            for i in 0..<3 {
                XCTAssertTrue(r.grads[i].elementsEqual(ref.grads[i]) { $0.bitPattern == $1.bitPattern }, "grad \(i) threads \(threads)")
                XCTAssertTrue(r.per[i].elementsEqual(ref.per[i]) { $0.bitPattern == $1.bitPattern }, "perAnchor \(i)")
            }
        }
        // The chunked sums still add up to the per-anchor losses.
        XCTAssertEqual(ref.counts[0], labels.filter { $0 != ClassLabel.ignore }.count)
        XCTAssertEqual(ref.counts[2], labels.filter { $0 >= 0 }.count)
        for i in 0..<3 {
            let sum = ref.per[i].reduce(0.0) { $0 + Double($1) } / 9
            XCTAssertEqual(ref.values[i], sum, accuracy: 1e-5 * abs(sum), "loss \(i)")
        }
    }

    func testSGDIsThreadCountIndependent() {
        func model() -> [Parameter] {
            var rng = SeededRandom(seed: 5)
            let ps = [Parameter(name: "a", shape: [20_000]), Parameter(name: "b", shape: [7]),
                      Parameter(name: "frozen", shape: [300]), Parameter(name: "c", shape: [16, 1000])]
            ps[1].lrMultiplier = 2; ps[1].decayMultiplier = 0; ps[2].trainable = false
            for p in ps { p.fillNormal(std: 1, rng: &rng) }
            return ps
        }
        func train(_ ctx: ComputeContext?) -> [[Float]] {
            let ps = model()
            let sgd = SGD(parameters: ps, momentum: 0.9, weightDecay: 1e-2, ctx: ctx)
            var rng = SeededRandom(seed: 6)
            for it in 0..<3 {
                sgd.zeroGrad()
                for p in ps { XCTAssertEqual(p.grad.data[p.count - 1], 0) }
                for p in ps { for i in 0..<p.count { p.grad.data[i] = Float(rng.normal()) } }
                sgd.step(lr: 0.1 / Float(it + 1))
            }
            return ps.map { $0.value.toArray() }
        }
        let ref = train(nil)
        XCTAssertEqual(ref[2], model()[2].value.toArray(), "frozen parameter unchanged")
        for threads in [1, 2] {
            let r = train(ComputeContext(threads: threads))
            for i in 0..<ref.count {
                XCTAssertTrue(r[i].elementsEqual(ref[i]) { $0.bitPattern == $1.bitPattern }, "parameter \(i) threads \(threads)")
            }
        }
    }
}
