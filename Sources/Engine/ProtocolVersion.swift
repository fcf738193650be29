/// Version of the training + evaluation protocol. Bump it whenever a change to the engine, the
/// dataset or the evaluator makes new results incomparable with old ones: every run records it,
/// and `ablate` tables only show runs of the current version.
public enum EngineProtocol {
    public static let version = 1
}
