import Foundation

/// Softmax cross entropy for backbone pretraining: logits [N × K] row-major, labels in 0..<K.
/// Returns the mean loss over the N images; `grad` receives (softmax − onehot)/N.
public enum SoftmaxCrossEntropy {
    public static func compute(logits: UnsafePointer<Float>, labels: [Int], classes k: Int,
                               grad: UnsafeMutablePointer<Float>?) -> Double {
        let n = labels.count
        var total = 0.0
        for i in 0..<n {
            let row = logits + i * k
            var mx = -Float.infinity
            for j in 0..<k { mx = max(mx, row[j]) }
            var s = 0.0
            for j in 0..<k { s += Foundation.exp(Double(row[j] - mx)) }
            let lse = Double(mx) + Foundation.log(s)
            total += lse - Double(row[labels[i]])
            if let g = grad {
                for j in 0..<k {
                    let p = Foundation.exp(Double(row[j]) - lse)
                    g[i * k + j] = Float((p - (j == labels[i] ? 1 : 0)) / Double(n))
                }
            }
        }
        return total / Double(n)
    }
}
