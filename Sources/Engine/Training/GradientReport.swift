import Foundation

/// A diagnostic line per training iteration (`ABLATE_GRAD_REPORT=1`): the parameters with the
/// largest gradient L2 norms, beside their weight norms — how a divergence is located (which
/// layer's gradient grows first). Off by default: it reads every gradient once per iteration.
enum GradientReport {
    static let environmentKey = "ABLATE_GRAD_REPORT"

    static var enabled: Bool { ProcessInfo.processInfo.environment[environmentKey] != nil }

    /// "it N cls L box L | name g‖∇‖ w‖w‖ ; …" for the `top` largest gradients.
    static func line(iteration: Int, classification: Double, box: Double, net: RetinaNet, top: Int = 5) -> String {
        var rows: [(name: String, grad: Double, weight: Double)] = []
        for (name, p) in net.namedParameters where !p.isBuffer {
            var g2 = 0.0, w2 = 0.0
            for i in 0..<p.grad.count {
                g2 += Double(p.grad.data[i]) * Double(p.grad.data[i])
                w2 += Double(p.value.data[i]) * Double(p.value.data[i])
            }
            rows.append((name, g2.squareRoot(), w2.squareRoot()))
        }
        let largest = rows.sorted { $0.grad > $1.grad }.prefix(top)
            .map { String(format: "%@ g%.3g w%.3g", $0.name, $0.grad, $0.weight) }
        return String(format: "it %d cls %.4g box %.4g | ", iteration, classification, box) + largest.joined(separator: " ; ")
    }
}
