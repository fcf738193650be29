// Variant: A packed fully (panels of mr rows, all K), per 32-column panel: pack B panel (all K or kc block), run all ir.
func gemmJIT(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
             kcB: Int, pa: UnsafeMutablePointer<Float>, pb: UnsafeMutablePointer<Float>, panelsPerPack: Int) {
    let mr = 8
    // pack A per kc block: layout [pcBlock][ir][p][8]
    var pc = 0
    var blockOffsets: [Int] = []
    var off = 0
    while pc < k { let kcur = min(kcB, k - pc); blockOffsets.append(off); packA(a, m: m, k: k, mr: mr, pc: pc, kc: kcur, into: pa + off); off += m * kcur; pc += kcur }
    let jPanels = n / 32
    var jr = 0
    while jr < jPanels {
        let np = min(panelsPerPack, jPanels - jr)
        pc = 0
        var bi = 0
        while pc < k {
            let kcur = min(kcB, k - pc)
            packB(b, ldb: n, pc: pc, kc: kcur, jc: jr * 32, nc: np * 32, into: pb, rowsOuter: true)
            for j in 0..<np {
                for ir in 0..<(m / mr) {
                    kernel8x32(kcur, pa + blockOffsets[bi] + ir * mr * kcur, pb + j * 32 * kcur, c + ir * mr * n + (jr + j) * 32, n, beta: pc > 0, aStride: 8)
                }
            }
            pc += kcur; bi += 1
        }
        jr += np
    }
}
