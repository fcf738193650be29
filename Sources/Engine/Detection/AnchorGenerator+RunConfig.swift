extension AnchorGenerator {
    /// The anchors of a run (Table 1c's axes): `anchorScale`, `scalesPerOctave`, `aspectRatios`
    /// on P3–P7; throws with a message naming the bad value.
    public init(runConfig c: RunConfig) throws {
        try self.init(levels: 3...7, anchorScale: c.anchorScale, scalesPerOctave: c.scalesPerOctave, aspectRatios: c.aspectRatios)
    }
}
