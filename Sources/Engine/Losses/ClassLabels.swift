/// Per-anchor classification labels shared by the loss kernels (`Int32`, one per anchor):
/// `k ≥ 0` foreground of class k (one-hot target), `background` (−1, all-zero target),
/// `ignore` (−2, no loss and zero gradient for all K classes).
public enum ClassLabel {
    public static let background: Int32 = -1
    public static let ignore: Int32 = -2
}

/// Loss value and bookkeeping returned by the loss kernels (gradients go to caller buffers).
public struct LossValue: Sendable {
    /// Σ loss / normalizer (Double accumulation).
    public var value: Double
    /// Number of anchors that contributed (labels ≠ ignore, or positives for box losses).
    public var count: Int
}
