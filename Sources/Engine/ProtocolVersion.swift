/// Version of the training + evaluation protocol. Bump it whenever a change to the engine, the
/// dataset or the evaluator makes new results incomparable with old ones: every run records it,
/// and `ablate` tables only show runs of the current version.
public enum EngineProtocol {
    /// 1: first recorded runs (direct convolutions). 2: Winograd 3×3 convolutions (results differ
    /// in the last bits) and the profiles' gradient clipping at norm 35.
    public static let version = 2
}
