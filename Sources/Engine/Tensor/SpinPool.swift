import Foundation
import Synchronization

/// Persistent helper threads behind `ComputeContext.parallel`. After each parallel region a helper
/// keeps polling for the next one for `spinSeconds` before it parks, so back-to-back regions start
/// without a wake-up (`SpinPoolTests`: ~5 µs per short region, its checks included). Why: on the 2-vCPU VMs here a parked libdispatch worker took 20–50 µs
/// to wake, and `DispatchQueue.concurrentPerform` meanwhile runs every chunk of a short region on
/// the calling thread, so most of a training step's regions ran on one core (docs/BENCHMARKS.md).
///
/// Chunks are claimed one at a time from `ticket` (region generation in the high bits, next chunk
/// index in the low bits). A new region first publishes its generation closed (index = all ones,
/// nothing to claim), then fills the region's slots (body, chunk count), then opens it: a helper
/// that saw an older region late fails its claim on the generation, and one that saw the new
/// generation reads the slots only once the region is open, so it can never run a chunk of
/// another region or with another region's chunk count. Which thread runs a chunk never changes
/// a result: every region writes disjoint outputs per chunk. One region at a time: a second caller (another context on another thread, or a region
/// started inside a chunk) gets `false` and uses Dispatch instead.
@available(macOS 15.0, *)
@usableFromInline
final class SpinPool: @unchecked Sendable {
    @usableFromInline static let shared = SpinPool()
    /// How long an idle helper polls before parking on a condition variable.
    static let spinSeconds = 5e-4
    private static let indexBits = 24
    private static let indexMask = (1 << indexBits) - 1

    private let ticket = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let job = Atomic<UInt>(0)
    private let chunkCount = Atomic<Int>(0)
    private let helpersWanted = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let wake = NSCondition()
    /// Written only by the caller that holds `busy`.
    private var generation = 0
    private var helpers = 0

    /// Runs `body(i)` for i in 0..<chunks on the calling thread and up to `threads − 1` helpers;
    /// false (nothing run) when another region holds the pool.
    @usableFromInline
    func run(chunks: Int, threads: Int, _ body: (Int) -> Void) -> Bool {
        guard chunks < Self.indexMask,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { busy.store(false, ordering: .releasing) }
        addHelpers(upTo: threads - 1)
        withoutActuallyEscaping(body) { escaping in
            var fn = escaping
            withUnsafeMutablePointer(to: &fn) { p in
                generation += 1
                ticket.store(generation << Self.indexBits | Self.indexMask, ordering: .sequentiallyConsistent)  // closed
                job.store(UInt(bitPattern: p), ordering: .relaxed)
                chunkCount.store(chunks, ordering: .relaxed)
                helpersWanted.store(threads - 1, ordering: .relaxed)
                finished.store(0, ordering: .relaxed)
                ticket.store(generation << Self.indexBits, ordering: .sequentiallyConsistent)  // open
                if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                    wake.lock(); wake.broadcast(); wake.unlock()
                }
                work(generation: generation, chunks: chunks, p.pointee)
                while finished.load(ordering: .acquiring) < chunks {}
            }
        }
        return true
    }

    /// Claims and runs chunks of region `generation` until none is left.
    private func work(generation g: Int, chunks: Int, _ fn: (Int) -> Void) {
        while true {
            let cur = ticket.load(ordering: .acquiring)
            let i = cur & Self.indexMask
            guard cur >> Self.indexBits == g, i < chunks else { return }
            if ticket.compareExchange(expected: cur, desired: cur + 1, ordering: .acquiringAndReleasing).exchanged {
                fn(i)
                finished.add(1, ordering: .releasing)
            }
        }
    }

    private func addHelpers(upTo n: Int) {
        while helpers < n {
            let id = helpers, seen = generation
            let thread = Thread { [unowned self] in self.helperLoop(id: id, seen: seen) }
            thread.name = "engine-helper-\(id)"
            thread.start()
            helpers += 1
        }
    }

    private func helperLoop(id: Int, seen start: Int) {
        var seen = start
        while true {
            seen = nextGeneration(after: seen)
            var cur = ticket.load(ordering: .acquiring)
            while cur >> Self.indexBits == seen && cur & Self.indexMask == Self.indexMask {  // wait until open
                cur = ticket.load(ordering: .acquiring)
            }
            // The slots are this region's unless it is already over, in which case the ticket's
            // generation has moved on and `work` claims nothing.
            guard cur >> Self.indexBits == seen, id < helpersWanted.load(ordering: .relaxed) else { continue }
            let n = chunkCount.load(ordering: .relaxed)
            guard let p = UnsafePointer<(Int) -> Void>(bitPattern: job.load(ordering: .relaxed)) else { continue }
            work(generation: seen, chunks: n) { i in p.pointee(i) }
        }
    }

    /// Polls for a region newer than `seen` for `spinSeconds`, then parks until one is published.
    private func nextGeneration(after seen: Int) -> Int {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(Self.spinSeconds * 1e9)
        var polls = 0
        while true {
            let g = ticket.load(ordering: .acquiring) >> Self.indexBits
            if g != seen { return g }
            polls &+= 1
            if polls & 1023 == 0 && DispatchTime.now().uptimeNanoseconds > deadline { break }
        }
        wake.lock()
        sleepers.add(1, ordering: .sequentiallyConsistent)
        while ticket.load(ordering: .sequentiallyConsistent) >> Self.indexBits == seen { wake.wait() }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        wake.unlock()
        return ticket.load(ordering: .acquiring) >> Self.indexBits
    }
}
