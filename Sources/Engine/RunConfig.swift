import Foundation

/// Everything that defines one training + evaluation run: data, model, anchors, loss, schedule,
/// seed. Two runs with equal `RunConfig`s are the same experiment (see `canonicalJSON`).
///
/// Decoding fills every missing key with its default and rejects unknown keys, so an experiment
/// spec can state only what differs from the defaults and a typo ("gama") is an error, not a
/// silently ignored setting. Execution knobs that do not change the result's meaning (thread
/// count, output directory) are deliberately not part of the config.
public struct RunConfig: Hashable, Sendable {
    /// Which classification loss the run trains with (Tables 1a, 1b, 1d, 3).
    public enum Loss: String, Codable, Hashable, Sendable, CaseIterable {
        /// Sigmoid focal loss FL(α, γ); γ = 0 is α-balanced cross entropy.
        case focal
        /// FL*(γ, β) of the paper's appendix A.
        case flStar = "flstar"
        /// α-balanced CE on anchors selected by online hard example mining.
        case ohem
    }

    // MARK: Data
    /// "shapes" for the built-in procedural dataset, else a path to a COCO folder.
    public var dataset: String = "shapes"
    /// Seed of the built-in dataset's generator (independent of the training seed).
    public var dataSeed: UInt64 = 1
    public var trainImages: Int = 2000
    public var valImages: Int = 250
    /// Shorter side of the network input in pixels (the paper's "scale", Table 1e).
    public var scale: Int = 256

    // MARK: Model
    /// Backbone depth: 18 or 34 (BasicBlock ResNet layouts; Table 1e's depth axis).
    public var depth: Int = 18
    /// Stem width; stages are width × (1, 2, 4, 8).
    public var width: Int = 32
    public var fpnChannels: Int = 64
    public var headConvs: Int = 4
    public var headChannels: Int = 64
    /// Std of the Gaussian init of every head conv (the paper: 0.01, for 256-channel heads).
    /// Narrow heads need more to keep the paper's per-layer gain, 0.01·√(256 / headChannels).
    /// Encoded only when not 0.01, so older runs keep their identity.
    public var headInitStd: Double = 0.01
    /// "pretrained" starts from the shared backbone pretrained on the built-in classification
    /// task (the paper starts from ImageNet weights); "scratch" starts from random weights.
    public var backboneInit: String = "pretrained"
    /// Iterations of the shared classification pretraining (batch 64 patches of 64×64); part of
    /// the identity of the pretrained backbone, so runs with different values never share one.
    public var pretrainIterations: Int = 3000
    /// BatchNorm of a pretrained backbone while training the detector: "frozen" (stored
    /// statistics and affine, Detectron) or "train" (batch statistics). Scratch backbones always
    /// use batch statistics.
    public var backboneBN: String = "frozen"
    /// Detectron's FREEZE_AT for a pretrained backbone: 0 trains every layer, 1 freezes the
    /// stem, 2 the stem and stage 1 (the paper's ResNet setting), … 5 the whole backbone. Frozen
    /// layers get no gradient and their backward is skipped. Encoded in the canonical JSON only
    /// when set, so runs recorded before the key existed keep their identity (they froze nothing).
    public var freezeAt: Int = 0

    // MARK: Anchors (Table 1c)
    /// Anchor size = anchorScale × stride of the level.
    public var anchorScale: Double = 4
    /// Octave scales per level: 2^(k/n), k = 0..<n.
    public var scalesPerOctave: Int = 3
    /// Aspect ratios h/w.
    public var aspectRatios: [Double] = [0.5, 1, 2]

    // MARK: Loss
    public var loss: Loss = .focal
    public var alpha: Double = 0.25
    public var gamma: Double = 2
    /// FL* β (only for `.flStar`).
    public var beta: Double = 0
    /// Initialise the class bias to −log((1−π)/π); off reproduces "CE without π diverges".
    public var priorInit: Bool = true
    public var priorProb: Double = 0.01
    /// OHEM: anchors kept after NMS over anchors scored by loss (per image).
    public var ohemBatch: Int = 256
    /// OHEM: IoU threshold of the NMS over anchors.
    public var ohemNMS: Double = 0.7
    /// OHEM 1:3: fraction of kept anchors that may be positive (0.25), or 0 for no constraint.
    public var ohemPositiveFraction: Double = 0
    /// Smooth-L1 β of the box loss (Detectron: 0.11).
    public var boxLossBeta: Double = 0.11

    // MARK: Schedule
    public var iterations: Int = 3000
    public var batchSize: Int = 8
    public var baseLR: Double = 0.01
    public var momentum: Double = 0.9
    public var weightDecay: Double = 1e-4
    public var warmupIterations: Int = 200
    /// Warm-up starts at baseLR × warmupFactor and rises linearly.
    public var warmupFactor: Double = 1.0 / 3.0
    /// Iterations (as fractions of `iterations`) at which the LR is divided by 10.
    public var lrDecayAt: [Double] = [2.0 / 3.0, 8.0 / 9.0]
    public var horizontalFlip: Bool = true
    /// Global L2 norm the gradients are clipped to before each step; 0 = no clipping (the paper).
    /// Encoded in the canonical JSON only when set, so runs recorded before the key existed keep
    /// their identity (their behaviour is the default's).
    public var gradClipNorm: Double = 0

    // MARK: Run
    /// Seed of weight init, data order and augmentation.
    public var seed: UInt64 = 0

    public init() {}
}

extension RunConfig: Codable {
    enum Key: String, CodingKey, CaseIterable {
        case dataset, dataSeed, trainImages, valImages, scale
        case depth, width, fpnChannels, headConvs, headChannels, headInitStd, backboneInit, pretrainIterations, backboneBN, freezeAt
        case anchorScale, scalesPerOctave, aspectRatios
        case loss, alpha, gamma, beta, priorInit, priorProb, ohemBatch, ohemNMS, ohemPositiveFraction, boxLossBeta
        case iterations, batchSize, baseLR, momentum, weightDecay, warmupIterations, warmupFactor, lrDecayAt, horizontalFlip, gradClipNorm
        case seed
    }

    /// A key in a config that `RunConfig` does not know.
    public struct UnknownKeyError: Error, CustomStringConvertible {
        public var key: String
        public var description: String {
            let known = Key.allCases.map(\.rawValue).joined(separator: ", ")
            return "unknown run-config key '\(key)' (known keys: \(known))"
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let raw = try decoder.container(keyedBy: AnyKey.self)
        for k in raw.allKeys where Key(rawValue: k.stringValue) == nil {
            throw UnknownKeyError(key: k.stringValue)
        }
        let c = try decoder.container(keyedBy: Key.self)
        var r = RunConfig()
        func get<T: Decodable>(_ key: Key, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try get(.dataset, &r.dataset); try get(.dataSeed, &r.dataSeed)
        try get(.trainImages, &r.trainImages); try get(.valImages, &r.valImages); try get(.scale, &r.scale)
        try get(.depth, &r.depth); try get(.width, &r.width); try get(.fpnChannels, &r.fpnChannels)
        try get(.headConvs, &r.headConvs); try get(.headChannels, &r.headChannels)
        try get(.headInitStd, &r.headInitStd)
        try get(.backboneInit, &r.backboneInit); try get(.pretrainIterations, &r.pretrainIterations)
        try get(.backboneBN, &r.backboneBN); try get(.freezeAt, &r.freezeAt)
        try get(.anchorScale, &r.anchorScale); try get(.scalesPerOctave, &r.scalesPerOctave)
        try get(.aspectRatios, &r.aspectRatios)
        try get(.loss, &r.loss); try get(.alpha, &r.alpha); try get(.gamma, &r.gamma); try get(.beta, &r.beta)
        try get(.priorInit, &r.priorInit); try get(.priorProb, &r.priorProb)
        try get(.ohemBatch, &r.ohemBatch); try get(.ohemNMS, &r.ohemNMS)
        try get(.ohemPositiveFraction, &r.ohemPositiveFraction); try get(.boxLossBeta, &r.boxLossBeta)
        try get(.iterations, &r.iterations); try get(.batchSize, &r.batchSize); try get(.baseLR, &r.baseLR)
        try get(.momentum, &r.momentum); try get(.weightDecay, &r.weightDecay)
        try get(.warmupIterations, &r.warmupIterations); try get(.warmupFactor, &r.warmupFactor)
        try get(.lrDecayAt, &r.lrDecayAt); try get(.horizontalFlip, &r.horizontalFlip)
        try get(.gradClipNorm, &r.gradClipNorm)
        try get(.seed, &r.seed)
        self = r
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(dataset, forKey: .dataset); try c.encode(dataSeed, forKey: .dataSeed)
        try c.encode(trainImages, forKey: .trainImages); try c.encode(valImages, forKey: .valImages)
        try c.encode(scale, forKey: .scale)
        try c.encode(depth, forKey: .depth); try c.encode(width, forKey: .width)
        try c.encode(fpnChannels, forKey: .fpnChannels); try c.encode(headConvs, forKey: .headConvs)
        try c.encode(headChannels, forKey: .headChannels)
        if headInitStd != 0.01 { try c.encode(headInitStd, forKey: .headInitStd) }
        try c.encode(backboneInit, forKey: .backboneInit)
        try c.encode(pretrainIterations, forKey: .pretrainIterations)
        try c.encode(backboneBN, forKey: .backboneBN)
        if freezeAt != 0 { try c.encode(freezeAt, forKey: .freezeAt) }
        try c.encode(anchorScale, forKey: .anchorScale); try c.encode(scalesPerOctave, forKey: .scalesPerOctave)
        try c.encode(aspectRatios, forKey: .aspectRatios)
        try c.encode(loss, forKey: .loss); try c.encode(alpha, forKey: .alpha); try c.encode(gamma, forKey: .gamma)
        try c.encode(beta, forKey: .beta); try c.encode(priorInit, forKey: .priorInit)
        try c.encode(priorProb, forKey: .priorProb); try c.encode(ohemBatch, forKey: .ohemBatch)
        try c.encode(ohemNMS, forKey: .ohemNMS); try c.encode(ohemPositiveFraction, forKey: .ohemPositiveFraction)
        try c.encode(boxLossBeta, forKey: .boxLossBeta)
        try c.encode(iterations, forKey: .iterations); try c.encode(batchSize, forKey: .batchSize)
        try c.encode(baseLR, forKey: .baseLR); try c.encode(momentum, forKey: .momentum)
        try c.encode(weightDecay, forKey: .weightDecay); try c.encode(warmupIterations, forKey: .warmupIterations)
        try c.encode(warmupFactor, forKey: .warmupFactor); try c.encode(lrDecayAt, forKey: .lrDecayAt)
        try c.encode(horizontalFlip, forKey: .horizontalFlip)
        if gradClipNorm != 0 { try c.encode(gradClipNorm, forKey: .gradClipNorm) }
        try c.encode(seed, forKey: .seed)
    }

    /// The config as JSON with sorted keys and every field present: the identity of a run.
    /// Equal configs give byte-identical text, so it can be a UNIQUE column in the database.
    /// Throws only for non-finite numbers, which JSON cannot hold.
    public func canonicalJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Decodes a config from JSON text, naming the offending key on error.
    public static func decode(json: String) throws -> RunConfig {
        try JSONDecoder().decode(RunConfig.self, from: Data(json.utf8))
    }
}
