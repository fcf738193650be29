/// Winograd F(4×4, 3×3) (Lavin & Gray 2016, interpolation points 0, ±1, ±2, ∞): a 4×4 output
/// tile of a 3×3 stride-1 convolution from a 6×6 input tile with 36 multiplies per (input,
/// output) channel pair instead of 144:
///
///     Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
///
/// The 2-D transforms apply the 1-D ones below along rows then columns, on `SIMD16<Float>`
/// vectors that hold 16 channels of the same tile element (channel-blocked layout). Transform
/// index ξ = 6·a + b (a: row, b: column of the 6×6 tile).
enum Winograd {
    typealias V = SIMD16<Float>
    /// Output tile size m and input tile size m + 2.
    static let m = 4, alpha = 6

    /// Bᵀ z (input transform, 6 → 6).
    @inline(__always)
    static func bt(_ z0: V, _ z1: V, _ z2: V, _ z3: V, _ z4: V, _ z5: V) -> (V, V, V, V, V, V) {
        let p = z3 + z4, q = z1 + z2, r = z4 - z3, s = z1 - z2, u = z4 - z2, v = z3 - z1
        return (z4.addingProduct(z2, -5).addingProduct(z0, 4),
                p.addingProduct(q, -4),
                r.addingProduct(s, 4),
                u.addingProduct(v, 2),
                u.addingProduct(v, -2),
                z5.addingProduct(z3, -5).addingProduct(z1, 4))
    }

    /// Aᵀ m (output transform, 6 → 4).
    @inline(__always)
    static func at(_ m0: V, _ m1: V, _ m2: V, _ m3: V, _ m4: V, _ m5: V) -> (V, V, V, V) {
        let s1 = m1 + m2, d1 = m1 - m2, s2 = m3 + m4, d2 = m3 - m4
        return (m0 + s1 + s2, d1.addingProduct(d2, 2), s1.addingProduct(s2, 4), (d1 + m5).addingProduct(d2, 8))
    }

    /// A y (adjoint of the output transform, 4 → 6): the transform of an output gradient.
    @inline(__always)
    static func a(_ y0: V, _ y1: V, _ y2: V, _ y3: V) -> (V, V, V, V, V, V) {
        let e = y0 + y2, o = y1 + y3
        let e2 = y0.addingProduct(y2, 4), o2 = (y1 + y1).addingProduct(y3, 8)
        return (y0, e + o, e - o, e2 + o2, e2 - o2, y3)
    }

    /// G g (weight transform, 3 → 6).
    @inline(__always)
    static func g(_ g0: V, _ g1: V, _ g2: V) -> (V, V, V, V, V, V) {
        let t = (g0 + g2) * (-1 / 6 as Float)
        let q = g1 * (1 / 6 as Float), h = g0.addingProduct(g2, 4) * (1 / 24 as Float), k = g1 * (1 / 12 as Float)
        return (g0 * 0.25, t - q, t + q, h + k, h - k, g2)
    }

    /// Gᵀ u (adjoint of the weight transform, 6 → 3): the weight gradient from the transform domain.
    @inline(__always)
    static func gt(_ u0: V, _ u1: V, _ u2: V, _ u3: V, _ u4: V, _ u5: V) -> (V, V, V) {
        let s12 = u1 + u2, d12 = u2 - u1, s34 = u3 + u4, d34 = u3 - u4
        return ((u0 * 0.25).addingProduct(s12, -1 / 6 as Float).addingProduct(s34, 1 / 24 as Float),
                (d12 * (1 / 6 as Float)).addingProduct(d34, 1 / 12 as Float),
                u5.addingProduct(s12, -1 / 6 as Float).addingProduct(s34, 1 / 6 as Float))
    }

    /// Input transform of one tile: d(i, j) = `src[(i·rowStride + j)·16 …]` (16 channels),
    /// V(ξ) stored at `dst + ξ·dstStride`.
    @inline(__always)
    static func inputTile(_ src: UnsafePointer<Float>, rowStride: Int, _ dst: UnsafeMutablePointer<Float>,
                          dstStride: Int, scratch t: UnsafeMutablePointer<V>) {
        // Rows: t[6i + b] = (d(i, ·) B)(b)
        for i in 0..<6 {
            let r = src + i * rowStride * 16
            let (o0, o1, o2, o3, o4, o5) = bt(Transpose16.load(r), Transpose16.load(r + 16), Transpose16.load(r + 32),
                                              Transpose16.load(r + 48), Transpose16.load(r + 64), Transpose16.load(r + 80))
            t[6 * i] = o0; t[6 * i + 1] = o1; t[6 * i + 2] = o2; t[6 * i + 3] = o3; t[6 * i + 4] = o4; t[6 * i + 5] = o5
        }
        for b in 0..<6 {
            let (o0, o1, o2, o3, o4, o5) = bt(t[b], t[6 + b], t[12 + b], t[18 + b], t[24 + b], t[30 + b])
            Transpose16.store(o0, dst + b * dstStride)
            Transpose16.store(o1, dst + (6 + b) * dstStride)
            Transpose16.store(o2, dst + (12 + b) * dstStride)
            Transpose16.store(o3, dst + (18 + b) * dstStride)
            Transpose16.store(o4, dst + (24 + b) * dstStride)
            Transpose16.store(o5, dst + (30 + b) * dstStride)
        }
    }

    /// Output transform of one tile: M(ξ) at `src + ξ·srcStride` (16 channels) → the 4×4 outputs
    /// at `dst + (i·rowStride + j)·16`.
    @inline(__always)
    static func outputTile(_ src: UnsafePointer<Float>, srcStride: Int, _ dst: UnsafeMutablePointer<Float>,
                           rowStride: Int, scratch t: UnsafeMutablePointer<V>) {
        // Rows: t[4a + j] = (M(a, ·) A)(j)
        for a in 0..<6 {
            let r = src + 6 * a * srcStride
            let (o0, o1, o2, o3) = at(Transpose16.load(r), Transpose16.load(r + srcStride),
                                      Transpose16.load(r + 2 * srcStride), Transpose16.load(r + 3 * srcStride),
                                      Transpose16.load(r + 4 * srcStride), Transpose16.load(r + 5 * srcStride))
            t[4 * a] = o0; t[4 * a + 1] = o1; t[4 * a + 2] = o2; t[4 * a + 3] = o3
        }
        for j in 0..<4 {
            let (o0, o1, o2, o3) = at(t[j], t[4 + j], t[8 + j], t[12 + j], t[16 + j], t[20 + j])
            Transpose16.store(o0, dst + j * 16)
            Transpose16.store(o1, dst + (rowStride + j) * 16)
            Transpose16.store(o2, dst + (2 * rowStride + j) * 16)
            Transpose16.store(o3, dst + (3 * rowStride + j) * 16)
        }
    }

    /// Adjoint output transform of one 4×4 output-gradient tile at `src + (i·rowStride + j)·16`
    /// → dM(ξ) at `dst + ξ·dstStride`.
    @inline(__always)
    static func gradTile(_ src: UnsafePointer<Float>, rowStride: Int, _ dst: UnsafeMutablePointer<Float>,
                         dstStride: Int, scratch t: UnsafeMutablePointer<V>) {
        // Rows: t[6i + b] = (A dy(i, ·))(b)
        for i in 0..<4 {
            let r = src + i * rowStride * 16
            let (o0, o1, o2, o3, o4, o5) = a(Transpose16.load(r), Transpose16.load(r + 16), Transpose16.load(r + 32),
                                             Transpose16.load(r + 48))
            t[6 * i] = o0; t[6 * i + 1] = o1; t[6 * i + 2] = o2; t[6 * i + 3] = o3; t[6 * i + 4] = o4; t[6 * i + 5] = o5
        }
        for b in 0..<6 {
            let (o0, o1, o2, o3, o4, o5) = a(t[b], t[6 + b], t[12 + b], t[18 + b])
            Transpose16.store(o0, dst + b * dstStride)
            Transpose16.store(o1, dst + (6 + b) * dstStride)
            Transpose16.store(o2, dst + (12 + b) * dstStride)
            Transpose16.store(o3, dst + (18 + b) * dstStride)
            Transpose16.store(o4, dst + (24 + b) * dstStride)
            Transpose16.store(o5, dst + (30 + b) * dstStride)
        }
    }

    /// Weight transform of 16 kernels: tap (ky, kx) at `src + (3·ky + kx)·srcStride`
    /// (`flip`: tap (2 − ky, 2 − kx), the input-gradient kernel) → U(ξ) at `dst + ξ·dstStride`.
    @inline(__always)
    static func weightTile(_ src: UnsafePointer<Float>, srcStride: Int, flip: Bool, _ dst: UnsafeMutablePointer<Float>,
                           dstStride: Int, scratch t: UnsafeMutablePointer<V>) {
        @inline(__always) func tap(_ k: Int) -> V { Transpose16.load(src + (flip ? 8 - k : k) * srcStride) }
        // Rows: t[6ky + b] = (g(ky, ·) Gᵀ)(b)
        for ky in 0..<3 {
            let (o0, o1, o2, o3, o4, o5) = g(tap(3 * ky), tap(3 * ky + 1), tap(3 * ky + 2))
            t[6 * ky] = o0; t[6 * ky + 1] = o1; t[6 * ky + 2] = o2; t[6 * ky + 3] = o3; t[6 * ky + 4] = o4; t[6 * ky + 5] = o5
        }
        for b in 0..<6 {
            let (o0, o1, o2, o3, o4, o5) = g(t[b], t[6 + b], t[12 + b])
            Transpose16.store(o0, dst + b * dstStride)
            Transpose16.store(o1, dst + (6 + b) * dstStride)
            Transpose16.store(o2, dst + (12 + b) * dstStride)
            Transpose16.store(o3, dst + (18 + b) * dstStride)
            Transpose16.store(o4, dst + (24 + b) * dstStride)
            Transpose16.store(o5, dst + (30 + b) * dstStride)
        }
    }

    /// Adjoint weight transform of 16 kernels: dU(ξ) at `src + ξ·srcStride` → tap k of the
    /// weight gradient stored at `dst + k·dstStride`.
    @inline(__always)
    static func weightGradTile(_ src: UnsafePointer<Float>, srcStride: Int, _ dst: UnsafeMutablePointer<Float>,
                               dstStride: Int, scratch t: UnsafeMutablePointer<V>) {
        // Rows: t[3a + kx] = (dU(a, ·) G)(kx)
        for a in 0..<6 {
            let r = src + 6 * a * srcStride
            let (o0, o1, o2) = gt(Transpose16.load(r), Transpose16.load(r + srcStride), Transpose16.load(r + 2 * srcStride),
                                  Transpose16.load(r + 3 * srcStride), Transpose16.load(r + 4 * srcStride),
                                  Transpose16.load(r + 5 * srcStride))
            t[3 * a] = o0; t[3 * a + 1] = o1; t[3 * a + 2] = o2
        }
        for kx in 0..<3 {
            let (o0, o1, o2) = gt(t[kx], t[3 + kx], t[6 + kx], t[9 + kx], t[12 + kx], t[15 + kx])
            Transpose16.store(o0, dst + kx * dstStride)
            Transpose16.store(o1, dst + (3 + kx) * dstStride)
            Transpose16.store(o2, dst + (6 + kx) * dstStride)
        }
    }
}
