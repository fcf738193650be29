extension RunConfig {
    /// Checks ranges and combinations before any work starts; the message names the key.
    public func validate() throws {
        func fail(_ m: String) -> TrainingError { .invalidConfig(m) }
        let finite: [(String, Double)] = [("anchorScale", anchorScale), ("alpha", alpha), ("gamma", gamma), ("beta", beta),
                                          ("priorProb", priorProb), ("ohemNMS", ohemNMS), ("ohemPositiveFraction", ohemPositiveFraction),
                                          ("boxLossBeta", boxLossBeta), ("baseLR", baseLR), ("momentum", momentum),
                                          ("weightDecay", weightDecay), ("warmupFactor", warmupFactor), ("gradClipNorm", gradClipNorm)]
        for (k, v) in finite where !v.isFinite { throw fail("\(k) must be a finite number, got \(v)") }
        if trainImages < 1 { throw fail("trainImages must be ≥ 1, got \(trainImages)") }
        if valImages < 1 { throw fail("valImages must be ≥ 1, got \(valImages)") }
        if scale < 32 || scale > 2048 { throw fail("scale must be in 32…2048 pixels, got \(scale)") }
        if ![10, 18, 34, 50, 101].contains(depth) { throw fail("depth must be one of 10, 18, 34, 50, 101, got \(depth)") }
        if width < 1 || fpnChannels < 1 || headChannels < 1 { throw fail("width, fpnChannels and headChannels must be ≥ 1") }
        if pretrainIterations < 1 { throw fail("pretrainIterations must be ≥ 1, got \(pretrainIterations)") }
        if headConvs < 0 || headConvs > 8 { throw fail("headConvs must be in 0…8, got \(headConvs)") }
        if !["frozen", "train"].contains(backboneBN) { throw fail("backboneBN must be \"frozen\" or \"train\", got \"\(backboneBN)\"") }
        if !["pretrained", "scratch"].contains(backboneInit) { throw fail("backboneInit must be \"pretrained\" or \"scratch\", got \"\(backboneInit)\"") }
        if freezeAt < 0 || freezeAt > 5 { throw fail("freezeAt must be in 0…5 (0 = train all, 2 = stem + stage 1 as Detectron), got \(freezeAt)") }
        if freezeAt > 0 && backboneInit != "pretrained" { throw fail("freezeAt \(freezeAt) freezes untrained layers: it needs backboneInit \"pretrained\" (or freezeAt 0)") }
        if !(alpha >= 0 && alpha <= 1) { throw fail("alpha must be in [0, 1], got \(alpha)") }
        if gamma < 0 { throw fail("gamma must be ≥ 0, got \(gamma)") }
        if loss == .flStar && gamma <= 0 { throw fail("FL* needs gamma > 0 (it divides by γ), got \(gamma)") }
        if !(priorProb > 0 && priorProb < 1) { throw fail("priorProb must be in (0, 1), got \(priorProb)") }
        if ohemBatch < 1 { throw fail("ohemBatch must be ≥ 1, got \(ohemBatch)") }
        if !(ohemNMS > 0 && ohemNMS <= 1) { throw fail("ohemNMS must be in (0, 1], got \(ohemNMS)") }
        if !(ohemPositiveFraction >= 0 && ohemPositiveFraction <= 1) { throw fail("ohemPositiveFraction must be in [0, 1], got \(ohemPositiveFraction)") }
        if boxLossBeta < 0 { throw fail("boxLossBeta must be ≥ 0, got \(boxLossBeta)") }
        if !(headInitStd > 0 && headInitStd.isFinite) { throw fail("headInitStd must be a positive number (the paper: 0.01), got \(headInitStd)") }
        if !(gradClipNorm >= 0) { throw fail("gradClipNorm must be ≥ 0 (0 = off), got \(gradClipNorm)") }
        if iterations < 1 { throw fail("iterations must be ≥ 1, got \(iterations)") }
        if batchSize < 1 { throw fail("batchSize must be ≥ 1, got \(batchSize)") }
        if baseLR <= 0 { throw fail("baseLR must be > 0, got \(baseLR)") }
        if warmupIterations < 0 { throw fail("warmupIterations must be ≥ 0, got \(warmupIterations)") }
        if lrDecayAt.contains(where: { !($0 > 0 && $0 <= 1) }) { throw fail("lrDecayAt entries must be fractions in (0, 1], got \(lrDecayAt)") }
    }
}
