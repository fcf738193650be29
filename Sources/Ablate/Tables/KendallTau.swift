/// Kendall's rank correlation τ-b between two paired samples (ties handled as in τ-b).
enum KendallTau {
    /// nil with fewer than 2 pairs or when one side is constant.
    static func tauB(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count, "paired samples")
        let n = x.count
        guard n >= 2 else { return nil }
        var concordant = 0, discordant = 0, tiesX = 0, tiesY = 0
        for i in 0..<n {
            for j in (i + 1)..<n {
                let dx = x[i] - x[j], dy = y[i] - y[j]
                if dx == 0 && dy == 0 { tiesX += 1; tiesY += 1 }
                else if dx == 0 { tiesX += 1 }
                else if dy == 0 { tiesY += 1 }
                else if (dx > 0) == (dy > 0) { concordant += 1 }
                else { discordant += 1 }
            }
        }
        let pairs = n * (n - 1) / 2
        let denominator = (Double(pairs - tiesX) * Double(pairs - tiesY)).squareRoot()
        guard denominator > 0 else { return nil }
        return Double(concordant - discordant) / denominator
    }
}
