import Foundation

/// R-CNN box deltas (dx, dy, dw, dh) between anchors and boxes, as in RetinaNet's box subnet.
///
/// For an anchor with centre (ax, ay) and size (aw, ah) and a box (gx, gy, gw, gh), all in
/// continuous input pixels with width = x2 − x1 (no "+1"):
/// dx = wx·(gx − ax)/aw, dy = wy·(gy − ay)/ah, dw = ww·log(gw/aw), dh = wh·log(gh/ah).
/// Decoding divides by the weights and clamps dw, dh at log(1000/16) before exp (Detectron's
/// BBOX_XFORM_CLIP), so a wild prediction cannot overflow. Paper weights: (1, 1, 1, 1).
public struct BoxCoder: Hashable, Sendable {
    public var wx: Float, wy: Float, ww: Float, wh: Float
    /// Upper clamp of dw/ww and dh/wh when decoding.
    public var scaleClamp: Float

    /// log(1000/16): Detectron's and detectron2's clip for decoded log-sizes.
    public static let defaultScaleClamp = Float(Foundation.log(1000.0 / 16.0))

    public init(weights: (Float, Float, Float, Float) = (1, 1, 1, 1), scaleClamp: Float = BoxCoder.defaultScaleClamp) {
        (wx, wy, ww, wh) = weights
        self.scaleClamp = scaleClamp
    }

    /// Deltas that move `anchor` onto `box` (both (x1, y1, x2, y2)); box sides must be positive.
    @inlinable
    public func encode(anchor a: (Float, Float, Float, Float), box g: (Float, Float, Float, Float)) -> (Float, Float, Float, Float) {
        let aw = a.2 - a.0, ah = a.3 - a.1
        let ax = a.0 + 0.5 * aw, ay = a.1 + 0.5 * ah
        let gw = g.2 - g.0, gh = g.3 - g.1
        let gx = g.0 + 0.5 * gw, gy = g.1 + 0.5 * gh
        return (wx * (gx - ax) / aw, wy * (gy - ay) / ah, ww * Foundation.log(gw / aw), wh * Foundation.log(gh / ah))
    }

    /// The box obtained by applying `deltas` to `anchor`.
    @inlinable
    public func decode(anchor a: (Float, Float, Float, Float), deltas d: (Float, Float, Float, Float)) -> (Float, Float, Float, Float) {
        let aw = a.2 - a.0, ah = a.3 - a.1
        let ax = a.0 + 0.5 * aw, ay = a.1 + 0.5 * ah
        let dw = min(d.2 / ww, scaleClamp), dh = min(d.3 / wh, scaleClamp)
        let cx = d.0 / wx * aw + ax, cy = d.1 / wy * ah + ay
        let w = Foundation.exp(dw) * aw, h = Foundation.exp(dh) * ah
        return (cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h)
    }

    /// Regression targets of every foreground anchor of one image.
    ///
    /// Writes [N × 4] deltas into `targets` (resized to 4·N; zero for anchors that are not
    /// foreground) and returns the foreground anchor indices in increasing order.
    @discardableResult
    public func encodeTargets(anchors: AnchorSet, assignment: AnchorAssignment, groundTruth gt: GroundTruthBoxes,
                              into targets: inout [Float]) -> [Int] {
        let n = anchors.count
        if targets.count != 4 * n { targets = [Float](repeating: 0, count: 4 * n) } else {
            for i in 0..<targets.count { targets[i] = 0 }
        }
        var fg: [Int] = []
        fg.reserveCapacity(assignment.positiveCount)
        for i in 0..<n {
            let m = Int(assignment.matches[i])
            guard m >= 0 else { continue }
            let d = encode(anchor: anchors.box(i),
                           box: (gt.boxes[4 * m], gt.boxes[4 * m + 1], gt.boxes[4 * m + 2], gt.boxes[4 * m + 3]))
            targets[4 * i] = d.0; targets[4 * i + 1] = d.1; targets[4 * i + 2] = d.2; targets[4 * i + 3] = d.3
            fg.append(i)
        }
        return fg
    }
}
