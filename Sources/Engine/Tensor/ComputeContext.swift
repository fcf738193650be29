import Dispatch
import Foundation

/// Wraps a non-Sendable value for a parallel region whose chunks touch disjoint memory.
@usableFromInline struct UncheckedSendable<T>: @unchecked Sendable {
    @usableFromInline let value: T
    @usableFromInline init(_ value: T) { self.value = value }
}

/// Execution resources of one model: thread count and scratch buffers reused across steps.
///
/// One context per concurrently running model (two runs in one process each need their own).
/// Parallel regions split work into `threads` coarse chunks over *output* elements only, so
/// every output value is computed by the same sequence of operations whatever the thread count:
/// results are bitwise identical for 1 and 2 threads.
public final class ComputeContext {
    /// Number of chunks (threads) a parallel region is split into; 1 runs inline.
    public var threads: Int
    /// Per-thread packing buffers for GEMM operand B.
    var packB: [UnsafeMutablePointer<Float>] = []
    /// Packed operand A, shared by all threads of one GEMM.
    var packA = ScratchBuffer()
    /// General scratch (im2col columns, transformed weights…).
    var scratch = ScratchBuffer()
    var scratch2 = ScratchBuffer()
    /// Zero-padded input of a stride-1 convolution (see `ConvKernels+Padded`).
    var padScratch = ScratchBuffer()
    /// Per-thread packed dy blocks of the stride-1 weight gradient.
    var padScratch2 = ScratchBuffer()
    /// Flipped/transposed kernel of a stride-1 input gradient.
    var weightScratch = ScratchBuffer()
    var intScratch = IntScratch()
    /// Explicit im2col matrix of a convolution on a tiny map (`ConvKernels+Im2col`).
    var colScratch = ScratchBuffer()
    /// Winograd convolutions: per-thread transform-domain chunks, weight-gradient accumulators,
    /// tap-major weight copies, transformed weights, blocked outputs (`WinogradConv`).
    var winograd = ScratchBuffer()
    var winogradAccumulator = ScratchBuffer()
    var winogradTaps = ScratchBuffer()
    var winogradWeights = ScratchBuffer()
    var winogradOut = ScratchBuffer()
    /// Attach a `Profiler` to time convolutions by phase (benchmarks only).
    public var profiler: Profiler?
    /// 3×3 stride-1 convolutions use Winograd F(4×4, 3×3) (`WinogradConv`) when their C_in is a
    /// multiple of 16 and they have at least `winogradMinTiles` 4×4 output tiles; false forces the
    /// direct GEMM kernels everywhere (A/B benchmarks, reference runs).
    public var winogradEnabled = true
    /// Below this many tiles (e.g. 4×4 maps × batch 8 = 8 tiles) the transformed weights (4× the
    /// weights) cost more memory traffic than the saved multiplies.
    public var winogradMinTiles = 16
    /// The threshold at inference when the transformed weights are cached
    /// (`cacheWinogradWeightsAtInference`): the transform is paid once, so a few tiles suffice
    /// (stage 4 and P5 at 128²: 8 tiles).
    public var winogradMinTilesWithCachedWeights = 1
    /// Inference forwards fold each backbone BatchNorm (running statistics) into the preceding
    /// conv's output pass, with the block's residual add and ReLU (`Conv2d.forwardFolded`); false
    /// runs the separate BN / add passes (A/B runs, tests). Same values either way.
    public var foldBatchNormAtInference = true
    /// Inference forwards keep each Winograd conv's transformed weights (4× the weights' memory)
    /// and reuse them while the weights are unchanged (checked by comparing with a copy on every
    /// forward); false recomputes them every time. Same values either way, except that with the
    /// cache maps of fewer than `winogradMinTiles` tiles also take Winograd
    /// (`winogradMinTilesWithCachedWeights`), which differs from the direct kernels by float rounding.
    public var cacheWinogradWeightsAtInference = true
    /// RetinaNet head towers keep their activations in the Winograd blocked layout from one conv
    /// to the next (`LevelConv2d+Chain`) instead of unpacking to CNHW and packing again, and so do
    /// a BasicBlock's two convs at inference with folded BN (`BasicBlock+WinogradChain`); false
    /// runs each conv on its own (A/B runs, tests). Same outputs and weight gradients either way.
    public var winogradChain = true
    /// Set by `RetinaNet.forward` for the duration of an inference (`training: false`) forward.
    var inferenceForward = false

    public init(threads: Int = 1) {
        self.threads = max(1, threads)
    }

    deinit { for p in packB { p.deallocate() } }

    /// Per-thread pair of B block buffers, 2 × `SGEMM.kc × SGEMM.nc` floats: `SGEMM.gemm` packs the
    /// next block into one while its kernels read the other.
    func packBBuffer(_ t: Int) -> UnsafeMutablePointer<Float> {
        while packB.count <= t { packB.append(Tensor.allocate(2 * SGEMM.kc * SGEMM.nc)) }
        return packB[t]
    }

    /// False with `FOCAL_THREAD_POOL=dispatch` in the environment (A/B runs): every region then
    /// uses `DispatchQueue.concurrentPerform`. Same results either way.
    @usableFromInline static let spinPoolAllowed = ProcessInfo.processInfo.environment["FOCAL_THREAD_POOL"] != "dispatch"
    @usableFromInline static let cores = ProcessInfo.processInfo.activeProcessorCount

    /// Whether a context with `threads` threads runs its parallel regions on `SpinPool`'s polling
    /// helpers rather than on Dispatch: not with one thread, not when `spinPoolAllowed` is off,
    /// not on macOS before 15, and not with more threads than cores (polling helpers would take
    /// turns with the threads doing the work: 3 threads on 2 cores, 128² step 168–206 ms polling
    /// vs 121–135).
    @inlinable
    public static func usesSpinPool(threads: Int) -> Bool {
        guard #available(macOS 15.0, *) else { return false }
        return threads > 1 && spinPoolAllowed && threads <= cores
    }

    /// Runs `body(chunk)` for chunk in 0..<chunks, in parallel when `threads > 1`.
    @inlinable
    public func parallel(_ chunks: Int, _ body: (Int) -> Void) {
        if chunks <= 1 || threads <= 1 {
            for i in 0..<chunks { body(i) }
            return
        }
        if Self.usesSpinPool(threads: threads), #available(macOS 15.0, *),
           SpinPool.shared.run(chunks: chunks, threads: min(threads, chunks), body) { return }
        withoutActuallyEscaping(body) { esc in
            let box = UncheckedSendable(esc)
            DispatchQueue.concurrentPerform(iterations: chunks) { i in box.value(i) }
        }
    }

    /// Splits 0..<count into `threads` contiguous ranges (multiples of `grain`) and runs them in
    /// parallel; `body(range)` must write only outputs indexed by `range`.
    @inlinable
    public func parallelRanges(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        let t = min(threads, max(1, count / max(grain, 1)))
        if t <= 1 { body(0..<count); return }
        let units = (count + grain - 1) / grain
        parallel(t) { i in
            let lo = min(count, (units * i / t) * grain)
            let hi = min(count, (units * (i + 1) / t) * grain)
            if lo < hi { body(lo..<hi) }
        }
    }
}

/// A grow-only float buffer. With `zeroFilled`, storage is zero wherever it was not written
/// since it was allocated (the borders of a padded layout stay zero because only pixel
/// positions are ever stored); otherwise its contents are unspecified.
final class ScratchBuffer {
    private(set) var data: UnsafeMutablePointer<Float>
    private(set) var capacity: Int
    private let zeroFilled: Bool
    init(zeroFilled: Bool = false) {
        self.zeroFilled = zeroFilled
        capacity = 16; data = Tensor.allocate(16)
        if zeroFilled { data.initialize(repeating: 0, count: 16) }
    }
    deinit { data.deallocate() }
    /// A pointer to at least `count` floats.
    func get(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            data.deallocate()
            capacity = count
            data = Tensor.allocate(count)
            if zeroFilled { data.initialize(repeating: 0, count: count) }
        }
        return data
    }
}

/// A grow-only Int buffer (row-offset tables).
final class IntScratch {
    private(set) var data: UnsafeMutablePointer<Int>
    private(set) var capacity: Int
    init() { capacity = 16; data = .allocate(capacity: 16) }
    deinit { data.deallocate() }
    func get(_ count: Int) -> UnsafeMutablePointer<Int> {
        if count > capacity { data.deallocate(); capacity = count; data = .allocate(capacity: count) }
        return data
    }
}
