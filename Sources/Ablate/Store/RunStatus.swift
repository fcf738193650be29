/// Life cycle of a run in the `runs` table (the column's CHECK constraint lists the same values).
///
/// queued → running → finished | diverged | failed | killed. `killed` (Ctrl-C, or the worker's
/// sweep vanished) and `failed` runs are queued again by the next `ablate sweep` that plans them;
/// `finished` and `diverged` are results and are never rerun. A `running` run whose heartbeat went
/// stale (its worker died without a word: kill -9, power loss) is queued again as well.
enum RunStatus: String, CaseIterable, Sendable, Codable {
    case queued, running, finished, failed, diverged, killed

    /// A result that a later sweep keeps.
    var isResult: Bool { self == .finished || self == .diverged }
}
