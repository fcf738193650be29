import Foundation
typealias V = SIMD16<Float>

@inline(__always)
func kernel8x32(_ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                _ c: UnsafeMutablePointer<Float>, _ ldc: Int, beta: Bool, aStride: Int) {
    var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
    var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = pb.load(as: V.self)
        let b1 = pb.load(fromByteOffset: 64, as: V.self)
        var av = V(repeating: pa[0]); c00 = c00.addingProduct(av, b0); c01 = c01.addingProduct(av, b1)
        av = V(repeating: pa[1]); c10 = c10.addingProduct(av, b0); c11 = c11.addingProduct(av, b1)
        av = V(repeating: pa[2]); c20 = c20.addingProduct(av, b0); c21 = c21.addingProduct(av, b1)
        av = V(repeating: pa[3]); c30 = c30.addingProduct(av, b0); c31 = c31.addingProduct(av, b1)
        av = V(repeating: pa[4]); c40 = c40.addingProduct(av, b0); c41 = c41.addingProduct(av, b1)
        av = V(repeating: pa[5]); c50 = c50.addingProduct(av, b0); c51 = c51.addingProduct(av, b1)
        av = V(repeating: pa[6]); c60 = c60.addingProduct(av, b0); c61 = c61.addingProduct(av, b1)
        av = V(repeating: pa[7]); c70 = c70.addingProduct(av, b0); c71 = c71.addingProduct(av, b1)
        pa += aStride
        pb += 128
    }
    @inline(__always) func st(_ r: Int, _ x0: V, _ x1: V) {
        let d = UnsafeMutableRawPointer(c + r * ldc)
        if beta {
            d.storeBytes(of: x0 + d.loadUnaligned(as: V.self), as: V.self)
            d.storeBytes(of: x1 + d.loadUnaligned(fromByteOffset: 64, as: V.self), toByteOffset: 64, as: V.self)
        } else {
            d.storeBytes(of: x0, as: V.self)
            d.storeBytes(of: x1, toByteOffset: 64, as: V.self)
        }
    }
    st(0, c00, c01); st(1, c10, c11); st(2, c20, c21); st(3, c30, c31)
    st(4, c40, c41); st(5, c50, c51); st(6, c60, c61); st(7, c70, c71)
}

@inline(__always)
func kernel12x32(_ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                _ c: UnsafeMutablePointer<Float>, _ ldc: Int, beta: Bool, aStride: Int) {
    var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
    var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
    var c80 = V(), c81 = V(), c90 = V(), c91 = V(), ca0 = V(), ca1 = V(), cb0 = V(), cb1 = V()
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = pb.load(as: V.self)
        let b1 = pb.load(fromByteOffset: 64, as: V.self)
        var av = V(repeating: pa[0]); c00 = c00.addingProduct(av, b0); c01 = c01.addingProduct(av, b1)
        av = V(repeating: pa[1]); c10 = c10.addingProduct(av, b0); c11 = c11.addingProduct(av, b1)
        av = V(repeating: pa[2]); c20 = c20.addingProduct(av, b0); c21 = c21.addingProduct(av, b1)
        av = V(repeating: pa[3]); c30 = c30.addingProduct(av, b0); c31 = c31.addingProduct(av, b1)
        av = V(repeating: pa[4]); c40 = c40.addingProduct(av, b0); c41 = c41.addingProduct(av, b1)
        av = V(repeating: pa[5]); c50 = c50.addingProduct(av, b0); c51 = c51.addingProduct(av, b1)
        av = V(repeating: pa[6]); c60 = c60.addingProduct(av, b0); c61 = c61.addingProduct(av, b1)
        av = V(repeating: pa[7]); c70 = c70.addingProduct(av, b0); c71 = c71.addingProduct(av, b1)
        av = V(repeating: pa[8]); c80 = c80.addingProduct(av, b0); c81 = c81.addingProduct(av, b1)
        av = V(repeating: pa[9]); c90 = c90.addingProduct(av, b0); c91 = c91.addingProduct(av, b1)
        av = V(repeating: pa[10]); ca0 = ca0.addingProduct(av, b0); ca1 = ca1.addingProduct(av, b1)
        av = V(repeating: pa[11]); cb0 = cb0.addingProduct(av, b0); cb1 = cb1.addingProduct(av, b1)
        pa += aStride
        pb += 128
    }
    @inline(__always) func st(_ r: Int, _ x0: V, _ x1: V) {
        let d = UnsafeMutableRawPointer(c + r * ldc)
        if beta {
            d.storeBytes(of: x0 + d.loadUnaligned(as: V.self), as: V.self)
            d.storeBytes(of: x1 + d.loadUnaligned(fromByteOffset: 64, as: V.self), toByteOffset: 64, as: V.self)
        } else {
            d.storeBytes(of: x0, as: V.self)
            d.storeBytes(of: x1, toByteOffset: 64, as: V.self)
        }
    }
    st(0, c00, c01); st(1, c10, c11); st(2, c20, c21); st(3, c30, c31)
    st(4, c40, c41); st(5, c50, c51); st(6, c60, c61); st(7, c70, c71)
    st(8, c80, c81); st(9, c90, c91); st(10, ca0, ca1); st(11, cb0, cb1)
}

