import Foundation

/// A diagnostic line per training iteration (`ABLATE_GRAD_REPORT=1`): the parameters with the
/// largest gradient L2 norms, beside their weight norms — how a divergence is located (which
/// layer's gradient grows first), and the RMS of C3–C5 and P3–P7 (whether a feature map's scale
/// runs away). Off by default: it reads every gradient once per iteration.
enum GradientReport {
    static let environmentKey = "ABLATE_GRAD_REPORT"

    static var enabled: Bool { ProcessInfo.processInfo.environment[environmentKey] != nil }

    /// "it N cls L box L | name g‖∇‖ w‖w‖ ; …" for the `top` largest gradients.
    static func line(iteration: Int, classification: Double, box: Double, net: RetinaNet, top: Int = 5) -> String {
        let rows = net.namedParameters.filter { !$0.1.isBuffer }.map { name, p in
            (name: name, grad: p.grad.squaredNorm.squareRoot(), weight: p.value.squaredNorm.squareRoot())
        }
        let largest = rows.sorted { $0.grad > $1.grad }.prefix(top)
            .map { String(format: "%@ g%.3g w%.3g", $0.name, $0.grad, $0.weight) }
        let features = net.lastFeatures.map { String(format: "%@ %.3g", $0.name, rms($0.tensor)) }
        return String(format: "it %d cls %.4g box %.4g | ", iteration, classification, box) + largest.joined(separator: " ; ")
            + " | rms " + features.joined(separator: " ")
    }

    /// Root mean square of a tensor's entries (the scale of a feature map).
    static func rms(_ t: Tensor) -> Double { t.count == 0 ? 0 : (t.squaredNorm / Double(t.count)).squareRoot() }
}
