import XCTest
@testable import Engine

/// Head towers run as a blocked Winograd chain (`LevelConv2d+Chain`): the same outputs, input and
/// weight gradients bit for bit as conv by conv, bias gradients to float rounding; thread-count
/// independent; finite-difference gradients of a chained branch.
final class WinogradChainTests: XCTestCase {
    struct Result { var outputs: [[Float]]; var gradInputs: [[Float]]; var grads: [String: [Float]]; var phases: Set<String> }

    static let sizes = [(9, 11), (5, 6), (3, 3), (2, 2)]

    /// One forward + backward of a 3-conv branch (16 → 32 → 32 → 32, final 32 → 20) over four levels.
    func run(chain: Bool, threads: Int) throws -> Result {
        let ctx = ComputeContext(threads: threads)
        ctx.winogradMinTiles = 1
        ctx.winogradChain = chain
        let prof = Profiler()
        ctx.profiler = prof
        let branch = HeadBranch(name: "h", finalName: "logits", inChannels: 16, channels: 32, convs: 3, outChannels: 20,
                                groupNormGroups: nil, levels: Self.sizes.count, ctx: ctx)
        var rng = SeededRandom(seed: 5)
        branch.initialize(std: 0.15, finalBias: -0.5, &rng)
        for p in branch.parameters where p.name.hasSuffix(".bias") { p.fillNormal(std: 0.1, rng: &rng) }
        let xs = Self.sizes.map { s -> Tensor in let t = Tensor(n: 2, c: 16, h: s.0, w: s.1); GradCheck.randomFill(t, &rng); return t }
        let ys = try branch.forward(xs)
        let dys = ys.map { y -> Tensor in
            Tensor(n: y.n, c: y.c, h: y.h, w: y.w, values: (0..<y.count).map { _ in Float(rng.normal()) })
        }
        for p in branch.parameters { p.zeroGrad() }
        let dxs = branch.backward(dys)
        return Result(outputs: ys.map { $0.toArray() }, gradInputs: dxs.map { $0.toArray() },
                      grads: Dictionary(uniqueKeysWithValues: branch.parameters.map { ($0.name, $0.grad.toArray()) }),
                      phases: Set(prof.entries.keys))
    }

    func testChainMatchesConvByConv() throws {
        for threads in [1, 2] {
            let plain = try run(chain: false, threads: threads), chained = try run(chain: true, threads: threads)
            XCTAssertTrue(chained.phases.contains("  winograd chain: bias+ReLU"), "the chained path was not taken")
            XCTAssertTrue(chained.phases.contains("  winograd chain: ReLU mask"))
            XCTAssertFalse(plain.phases.contains("  winograd chain: bias+ReLU"))
            XCTAssertEqual(chained.outputs, plain.outputs)
            XCTAssertEqual(chained.gradInputs, plain.gradInputs)
            XCTAssertEqual(Set(chained.grads.keys), Set(plain.grads.keys))
            for (name, g) in plain.grads {
                let c = chained.grads[name]!
                if name.hasSuffix(".weight") || name == "h.logits.bias" {
                    XCTAssertEqual(c, g, name)  // the final conv's bias gradient is summed as before
                } else {
                    XCTAssertTrue(g.contains { $0 != 0 }, name)
                    // Σ over 284 positions of O(1) terms in float: rounding ~1e-5; a wrong mask is O(1).
                    for (a, b) in zip(c, g) { XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(b)), name) }
                }
            }
        }
        let one = try run(chain: true, threads: 1), two = try run(chain: true, threads: 2)
        XCTAssertEqual(one.outputs, two.outputs)
        XCTAssertEqual(one.gradInputs, two.gradInputs)
        XCTAssertEqual(one.grads, two.grads)
    }

    /// Finite differences through a chained branch (inputs, a tower weight, tower and final biases).
    func testChainedBranchGradients() throws {
        let ctx = ComputeContext(threads: 2)
        ctx.winogradMinTiles = 1
        let branch = HeadBranch(name: "g", finalName: "out", inChannels: 16, channels: 16, convs: 2, outChannels: 5,
                                groupNormGroups: nil, levels: 2, ctx: ctx)
        var rng = SeededRandom(seed: 9)
        branch.initialize(std: 0.2, finalBias: 0.1, &rng)
        // Positive tower biases keep most ReLUs away from their kink (fewer skipped samples).
        for p in branch.parameters where p.name.hasSuffix(".bias") {
            p.fillNormal(std: 0.1, rng: &rng)
            for i in 0..<p.count { p.value.data[i] += 0.5 }
        }
        let xs = [(5, 6), (2, 3)].map { s -> Tensor in let t = Tensor(n: 2, c: 16, h: s.0, w: s.1); GradCheck.randomFill(t, &rng, scale: 0.5); return t }
        let ys = try branch.forward(xs)
        XCTAssertTrue(branch.convs[0].levels[0].geometry.n == 2 && branch.convs[1].usedWinograd)
        let rs = ys.map { y in (0..<y.count).map { _ in Float(rng.normal()) } }
        let params = Dictionary(uniqueKeysWithValues: branch.parameters.map { ($0.name, $0) })
        var grads: [Tensor] = []
        try GradCheck.check([GradCheck.input("x0", xs[0]) { grads[0] }, GradCheck.input("x1", xs[1]) { grads[1] },
                             GradCheck.param(params["g.conv.1.weight"]!), GradCheck.param(params["g.conv.0.bias"]!),
                             GradCheck.param(params["g.conv.1.bias"]!), GradCheck.param(params["g.out.bias"]!)],
                            loss: { zip(try branch.forward(xs), rs).reduce(0) { $0 + GradCheck.projection($1.0, $1.1) } },
                            backward: {
                                for p in branch.parameters { p.zeroGrad() }
                                let ys = try branch.forward(xs)
                                grads = branch.backward(zip(ys, rs).map { Tensor(n: $0.n, c: $0.c, h: $0.h, w: $0.w, values: $1) })
                            })
    }
}
