import Dispatch

/// GFLOP/s of the three convolution GEMMs (forward, weight gradient, input gradient) on
/// conv shapes of the benchmark network, and of a plain SGEMM of the same M×N×K.
public enum ConvBenchmark {
    public struct Row: Sendable {
        public var label: String
        public var m: Int, n: Int, k: Int
        public var forward: Double, weightGrad: Double, inputGrad: Double, plainGemm: Double
        /// GFLOP/s with one decimal: whole numbers moved a 75%-of-peak check by up to a point.
        public var json: String {
            "{\"shape\":\"\(label)\",\"m\":\(m),\"n\":\(n),\"k\":\(k),\"forward\":\(ConvBenchmark.oneDecimal(forward)),"
                + "\"weight_grad\":\(ConvBenchmark.oneDecimal(weightGrad)),\"input_grad\":\(ConvBenchmark.oneDecimal(inputGrad)),"
                + "\"gemm\":\(ConvBenchmark.oneDecimal(plainGemm))}"
        }
    }

    /// `x` rounded to one decimal, as a JSON number.
    public static func oneDecimal(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        return "\((x * 10).rounded() / 10)"
    }

    /// Conv shapes (batch 8): C = 64…256 on 64²…8² maps, 3×3 stride 1 pad 1.
    public static let defaultShapes: [(c: Int, o: Int, hw: Int)] = [(32, 32, 32), (64, 64, 16), (64, 64, 32), (128, 128, 16), (256, 256, 8), (64, 64, 64)]

    /// The SGEMM goal range: C = 64…256 on 16²…64² maps (batch 8, 3×3 stride 1 pad 1).
    public static let goalShapes: [(c: Int, o: Int, hw: Int)] = [(64, 64, 16), (64, 64, 32), (64, 64, 64), (128, 128, 16),
                                                                 (128, 128, 32), (256, 256, 16)]

    /// One convolution shape: channels in/out, square input size, kernel, stride, padding.
    public struct Shape: Sendable {
        public var c: Int, o: Int, hw: Int, k: Int, stride: Int, pad: Int
        public init(c: Int, o: Int, hw: Int, k: Int = 3, stride: Int = 1, pad: Int = 1) {
            self.c = c; self.o = o; self.hw = hw; self.k = k; self.stride = stride; self.pad = pad
        }
    }

    /// The benchmark network's strided convolutions (batch 8): the stem 7×7/2 on 3 channels at
    /// 128² and 256², 3×3/2 stage transitions, a 1×1/2 downsample; and stage 4's 3×3/1 on 4×4
    /// maps (128²: too few tiles for Winograd).
    public static let stridedShapes: [Shape] = [
        Shape(c: 256, o: 256, hw: 4),
        Shape(c: 3, o: 32, hw: 128, k: 7, stride: 2, pad: 3), Shape(c: 3, o: 32, hw: 256, k: 7, stride: 2, pad: 3),
        Shape(c: 32, o: 64, hw: 32, k: 3, stride: 2, pad: 1), Shape(c: 32, o: 64, hw: 64, k: 3, stride: 2, pad: 1),
        Shape(c: 128, o: 256, hw: 8, k: 3, stride: 2, pad: 1), Shape(c: 32, o: 64, hw: 32, k: 1, stride: 2, pad: 0),
    ]

    /// The benchmark network's convolutions on tiny maps at 128² (batch 8), below the Winograd
    /// threshold: stage 4's 3×3/1 (C256, 4×4), the P5 output conv (C64, 4×4), stage 4's 3×3/2
    /// transition (8² → 4²), P6 (4² → 2²) and P7 (2² → 1²).
    public static let tinyShapes: [Shape] = [
        Shape(c: 256, o: 256, hw: 4), Shape(c: 64, o: 64, hw: 4), Shape(c: 128, o: 256, hw: 8, k: 3, stride: 2, pad: 1),
        Shape(c: 256, o: 64, hw: 4, k: 3, stride: 2, pad: 1), Shape(c: 64, o: 64, hw: 2, k: 3, stride: 2, pad: 1),
    ]

    /// Best-of-`reps` GFLOP/s for each shape (thread CPU time when single-threaded).
    public static func run(threads: Int, batch: Int = 8, reps: Int = 5,
                           shapes: [(c: Int, o: Int, hw: Int)] = defaultShapes) -> [Row] {
        run(threads: threads, batch: batch, reps: reps, geometries: shapes.map { Shape(c: $0.c, o: $0.o, hw: $0.hw) })
    }

    /// Best-of-`reps` GFLOP/s for each shape of any kernel size and stride.
    public static func run(threads: Int, batch: Int = 8, reps: Int = 5, geometries: [Shape]) -> [Row] {
        let ctx = ComputeContext(threads: threads)
        var rng = SeededRandom(seed: 3)
        var rows: [Row] = []
        for s in geometries {
            let g = ConvGeometry(n: batch, c: s.c, h: s.hw, w: s.hw, kh: s.k, kw: s.k, stride: s.stride, pad: s.pad)
            let x = Tensor(n: batch, c: s.c, h: s.hw, w: s.hw), y = Tensor(n: batch, c: s.o, h: g.oh, w: g.ow)
            let w = Tensor(n: s.o, c: s.c, h: s.k, w: s.k), dw = Tensor(n: s.o, c: s.c, h: s.k, w: s.k)
            let dx = Tensor(n: batch, c: s.c, h: s.hw, w: s.hw)
            for t in [x, y, w] { for i in 0..<t.count { t.data[i] = Float(rng.normal()) } }
            let flops = 2.0 * Double(s.o) * Double(g.macsPerOutputChannel)
            func best(_ body: () -> Void) -> Double {
                var b = Double.infinity
                for _ in 0..<reps {
                    let t0 = Clock.now(threads: threads)
                    body()
                    b = min(b, Double(Clock.now(threads: threads) - t0))
                }
                return flops / b
            }
            let f = best { ConvKernels.forward(x: x.data, g, w: w.data, outChannels: s.o, out: y.data, accumulate: false, ctx: ctx) }
            let wg = best { ConvKernels.weightGrad(x: x.data, g, dy: y.data, outChannels: s.o, dw: dw.data, ctx: ctx) }
            let ig = best { ConvKernels.inputGrad(dy: y.data, g, w: w.data, outChannels: s.o, dx: dx.data, ctx: ctx) }
            // Plain SGEMM with the forward's M×N×K on dense row-major operands.
            let k = g.patch, n = g.columns
            let b = Tensor(n: k, c: n), c = Tensor(n: s.o, c: n)
            let gm = best {
                SGEMM.gemm(m: s.o, n: n, k: k, a: MatrixRef(w.data, rowStride: k, colStride: 1),
                           b: .matrix(MatrixRef(b.data, rowStride: n, colStride: 1)), c: c.data, ldc: n, accumulate: false, ctx: ctx)
            }
            let kind = s.k == 3 && s.stride == 1 && s.pad == 1 ? "" : " \(s.k)x\(s.k)/\(s.stride)"
            rows.append(Row(label: "C\(s.c)->\(s.o) \(s.hw)x\(s.hw) n\(batch)" + kind, m: s.o, n: n, k: k,
                            forward: f, weightGrad: wg, inputGrad: ig, plainGemm: gm))
        }
        return rows
    }
}
