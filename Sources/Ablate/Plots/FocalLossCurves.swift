import Foundation

/// Figure 1 of the paper: FL(p_t) = −(1 − p_t)^γ log(p_t) against p_t for several γ (γ = 0 is CE).
enum FocalLossCurves {
    static let gammas: [Double] = [0, 0.5, 1, 2, 5]

    /// FL at probability `pt` of the ground-truth class (natural log; α omitted as in Figure 1).
    static func loss(pt: Double, gamma: Double) -> Double {
        -pow(1 - pt, gamma) * log(pt)
    }

    static func plot(gammas: [Double] = gammas, samples: Int = 200) -> SVGLinePlot {
        let series = gammas.map { g in
            SVGLinePlot.Series(name: "γ = \(SVGLinePlot.label(g))", points: (1...samples).map { i in
                let pt = Double(i) / Double(samples)
                return (pt, loss(pt: pt, gamma: g))
            })
        }
        return SVGLinePlot(title: "Figure 1: focal loss vs. probability of the ground-truth class",
                           xLabel: "probability of ground truth class (p_t)", yLabel: "loss",
                           series: series, xRange: 0...1, yRange: 0...5)
    }
}
