import Foundation
func now() -> Double { var t = timespec(); clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9 }

// A packed as panels of `mr` rows: panel i holds k groups of mr floats.
func packA(_ a: UnsafePointer<Float>, m: Int, k: Int, mr: Int, pc: Int, kc: Int, into d: UnsafeMutablePointer<Float>) {
    let panels = (m + mr - 1) / mr
    for ip in 0..<panels {
        for p in 0..<kc { for r in 0..<mr { let row = ip * mr + r; d[ip * mr * kc + p * mr + r] = row < m ? a[row * k + pc + p] : 0 } }
    }
}
// B[pc..<pc+kc, jc..<jc+nc] (row-major ldb) into panels of 32; rowsOuter: loop p outer.
func packB(_ b: UnsafePointer<Float>, ldb: Int, pc: Int, kc: Int, jc: Int, nc: Int, into d: UnsafeMutablePointer<Float>, rowsOuter: Bool) {
    let panels = nc / 32
    if rowsOuter {
        for p in 0..<kc {
            let src = UnsafeRawPointer(b + (pc + p) * ldb + jc)
            for jp in 0..<panels {
                let dd = UnsafeMutableRawPointer(d + jp * 32 * kc + p * 32)
                dd.storeBytes(of: src.loadUnaligned(fromByteOffset: jp * 128, as: V.self), as: V.self)
                dd.storeBytes(of: src.loadUnaligned(fromByteOffset: jp * 128 + 64, as: V.self), toByteOffset: 64, as: V.self)
            }
        }
    } else {
        for jp in 0..<panels {
            for p in 0..<kc {
                let src = UnsafeRawPointer(b + (pc + p) * ldb + jc + jp * 32)
                let dd = UnsafeMutableRawPointer(d + jp * 32 * kc + p * 32)
                dd.storeBytes(of: src.loadUnaligned(as: V.self), as: V.self)
                dd.storeBytes(of: src.loadUnaligned(fromByteOffset: 64, as: V.self), toByteOffset: 64, as: V.self)
            }
        }
    }
}

// Variant: full A packed per kc block; loops jc(nc) > pc(kc) > jr > ir.
func gemm(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
          kcB: Int, ncB: Int, mr: Int, rowsOuter: Bool, irOuter: Bool,
          pa: UnsafeMutablePointer<Float>, pb: UnsafeMutablePointer<Float>) {
    var jc = 0
    while jc < n {
        let ncur = min(ncB, n - jc)
        var pc = 0
        while pc < k {
            let kcur = min(kcB, k - pc)
            packA(a, m: m, k: k, mr: mr, pc: pc, kc: kcur, into: pa)   // (cost counted; small)
            packB(b, ldb: n, pc: pc, kc: kcur, jc: jc, nc: ncur, into: pb, rowsOuter: rowsOuter)
            let beta = pc > 0
            let jPanels = ncur / 32, iPanels = m / mr
            if irOuter {
                for ir in 0..<iPanels { for jr in 0..<jPanels {
                    let ap = UnsafePointer(pa + ir * mr * kcur), bp = UnsafePointer(pb + jr * 32 * kcur)
                    let cp = c + ir * mr * n + jc + jr * 32
                    if mr == 8 { kernel8x32(kcur, ap, bp, cp, n, beta: beta, aStride: 8) } else { kernel12x32(kcur, ap, bp, cp, n, beta: beta, aStride: 12) }
                } }
            } else {
                for jr in 0..<jPanels { for ir in 0..<iPanels {
                    let ap = UnsafePointer(pa + ir * mr * kcur), bp = UnsafePointer(pb + jr * 32 * kcur)
                    let cp = c + ir * mr * n + jc + jr * 32
                    if mr == 8 { kernel8x32(kcur, ap, bp, cp, n, beta: beta, aStride: 8) } else { kernel12x32(kcur, ap, bp, cp, n, beta: beta, aStride: 12) }
                } }
            }
            pc += kcur
        }
        jc += ncur
    }
}

