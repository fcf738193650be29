import Foundation

/// Figure 4 of the paper: for fixed model probabilities of positives and negatives, the
/// cumulative distribution of normalised focal loss for several γ. For each γ the losses of a set
/// are computed, normalised to sum 1, sorted ascending and accumulated; the curve is cumulative
/// normalised loss against the fraction of examples.
enum LossCDF {
    static let gammas: [Double] = [0, 0.5, 1, 2]

    struct Curve: Equatable {
        var gamma: Double
        /// (fraction of examples, cumulative normalised loss), `points` + 1 samples from 0 to 1.
        var points: [Point]
        struct Point: Equatable { var fraction: Double; var cumulative: Double }
    }

    /// `probabilities` are the model's foreground probabilities p of one class; `positive` says
    /// whether they belong to positive anchors (p_t = p) or negatives (p_t = 1 − p).
    static func curves(probabilities: [Double], positive: Bool, gammas: [Double] = gammas, points: Int = 200) -> [Curve] {
        let n = probabilities.count
        guard n > 0 else { return [] }
        return gammas.map { gamma in
            var losses = probabilities.map { p -> Double in
                let pt = min(max(positive ? p : 1 - p, 1e-12), 1)
                return FocalLossCurves.loss(pt: pt, gamma: gamma)
            }
            losses.sort()
            let total = losses.reduce(0, +)
            var cumulative = [Double](repeating: 0, count: n + 1)
            for i in 0..<n { cumulative[i + 1] = cumulative[i] + losses[i] }
            let samples = (0...points).map { k -> Curve.Point in
                let fraction = Double(k) / Double(points)
                let index = Int((fraction * Double(n)).rounded(.down))
                let value = total > 0 ? cumulative[min(index, n)] / total : fraction
                return Curve.Point(fraction: fraction, cumulative: value)
            }
            return Curve(gamma: gamma, points: samples)
        }
    }

    static func plot(_ curves: [Curve], title: String) -> SVGLinePlot {
        SVGLinePlot(title: title, xLabel: "fraction of examples", yLabel: "cumulative normalized loss",
                    series: curves.map { c in
                        SVGLinePlot.Series(name: "γ = \(SVGLinePlot.label(c.gamma))",
                                           points: c.points.map { ($0.fraction, $0.cumulative) })
                    }, xRange: 0...1, yRange: 0...1)
    }
}
