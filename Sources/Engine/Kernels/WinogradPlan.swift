/// Geometry tables of Winograd F(4×4, 3×3) convolutions (stride 1, padding 1) over one or more
/// CNHW maps of one batch — several maps when the RetinaNet heads run all pyramid levels as one
/// convolution — and the zero-bordered, 16-channel-blocked buffers the transforms read.
///
/// Padded layout (per channel block of 16, one `SIMD16` per position): level l, image n, padded
/// row y' ∈ 0..<Hp, column x' ∈ 0..<Wp at vector `levelBase[l] + (n·Hp + y')·Wp + x'`, with
/// Hp = 4·⌈H/4⌉ + 2, Wp = 4·⌈W/4⌉ + 2; pixel (y, x) sits at (y + 1, x + 1) and everything else is
/// zero. Tile (n, ty, tx) reads the 6×6 window whose corner is (4·ty, 4·tx) and writes its 4×4
/// outputs at (4·ty + 1, 4·tx + 1) of an output buffer with the same layout.
final class WinogradPlan {
    struct Level: Equatable {
        let h: Int, w: Int
        var tilesY: Int { (h + 3) / 4 }
        var tilesX: Int { (w + 3) / 4 }
        var hp: Int { 4 * tilesY + 2 }
        var wp: Int { 4 * tilesX + 2 }
    }

    let batch: Int
    let levels: [Level]
    /// Σ N·H·W over levels (positions, level-major then CNHW order within the level).
    let positions: Int
    /// Σ N·⌈H/4⌉·⌈W/4⌉.
    let tiles: Int
    /// Vectors per channel block of a padded buffer.
    let padVectors: Int
    /// Tile t → vector offset of its window corner; padded row width of its level.
    let tileOffset: UnsafeMutablePointer<Int32>
    let tileRow: UnsafeMutablePointer<Int32>
    /// Position p → vector offset of its pixel in a padded buffer.
    let posOffset: UnsafeMutablePointer<Int32>
    /// Position blocks of ≤ 16 positions that stay inside one level: (level, first local position, count).
    let blocks: [(level: Int, p0: Int, count: Int)]
    /// First global position of each level.
    let levelPositionBase: [Int]
    /// Zero-bordered blocked copies of the input (forward) and of the output gradient (backward).
    let input = ScratchBuffer(zeroFilled: true), grad = ScratchBuffer(zeroFilled: true)

    init(batch n: Int, sizes: [(h: Int, w: Int)]) {
        batch = n
        levels = sizes.map { Level(h: $0.h, w: $0.w) }
        var pos = 0, tl = 0, pv = 0
        var bases: [Int] = []
        var blk: [(level: Int, p0: Int, count: Int)] = []
        for (l, lv) in levels.enumerated() {
            bases.append(pos)
            let count = n * lv.h * lv.w
            var p0 = 0
            while p0 < count { blk.append((l, p0, min(16, count - p0))); p0 += 16 }
            pos += count
            tl += n * lv.tilesY * lv.tilesX
            pv += n * lv.hp * lv.wp
        }
        positions = pos; tiles = tl; padVectors = pv; blocks = blk; levelPositionBase = bases
        tileOffset = .allocate(capacity: max(tl, 1)); tileRow = .allocate(capacity: max(tl, 1))
        posOffset = .allocate(capacity: max(pos, 1))
        var t = 0, p = 0, base = 0
        for lv in levels {
            for i in 0..<n {
                for ty in 0..<lv.tilesY {
                    for tx in 0..<lv.tilesX {
                        tileOffset[t] = Int32(base + (i * lv.hp + 4 * ty) * lv.wp + 4 * tx)
                        tileRow[t] = Int32(lv.wp)
                        t += 1
                    }
                }
                for y in 0..<lv.h {
                    for x in 0..<lv.w { posOffset[p] = Int32(base + (i * lv.hp + y + 1) * lv.wp + x + 1); p += 1 }
                }
            }
            base += n * lv.hp * lv.wp
        }
    }

    deinit { tileOffset.deallocate(); tileRow.deallocate(); posOffset.deallocate() }

    /// Whether this plan serves a batch of `n` images with these level sizes.
    func matches(batch n: Int, sizes: [(h: Int, w: Int)]) -> Bool {
        n == batch && sizes.count == levels.count && zip(sizes, levels).allSatisfy { $0.h == $1.h && $0.w == $1.w }
    }

    /// Floats of a padded buffer with `channels` channels (rounded up to blocks of 16).
    func paddedCount(channels c: Int) -> Int { (c + 15) / 16 * padVectors * 16 }
}
