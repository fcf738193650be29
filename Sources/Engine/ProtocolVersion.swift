/// Version of the training + evaluation protocol. Bump it whenever a change to the engine, the
/// dataset or the evaluator makes new results incomparable with old ones: every run records it,
/// and `ablate` tables only show runs of the current version.
public enum EngineProtocol {
    /// 1: first recorded runs (direct convolutions). 2: Winograd 3×3 convolutions (results differ
    /// in the last bits) and the profiles' gradient clipping at norm 35. 3: stride-2 convolutions
    /// on the phase-decomposed grid and blocked weight-gradient GEMMs (results differ in the last
    /// bits again); from then on the profiles also freeze the stem and stage 1 (`freezeAt` 2) and
    /// the quick profile sizes anchors to its small inputs (`anchorScale` 2).
    public static let version = 3
}
