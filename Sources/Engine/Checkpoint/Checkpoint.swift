import Foundation

/// Saving and loading named parameters (weights and BN buffers) as safetensors.
public enum Checkpoint {
    /// Writes the parameters under their names, plus `metadata`.
    public static func save(_ named: [(String, Parameter)], metadata: [String: String] = [:], to url: URL) throws {
        let entries = named.map { (name: $0.0, shape: $0.1.shape,
                                   values: UnsafeBufferPointer(start: UnsafePointer($0.1.value.data), count: $0.1.count)) }
        try SafeTensors.write(entries, metadata: metadata, to: url)
    }

    /// Loads values by name. `strict`: every parameter must be present in the file. Shapes must
    /// match. Returns the names loaded and the file's metadata.
    @discardableResult
    public static func load(into named: [(String, Parameter)], from url: URL, strict: Bool = true) throws
        -> (loaded: [String], metadata: [String: String]) {
        let (tensors, meta) = try SafeTensors.read(url)
        var loaded: [String] = []
        for (name, p) in named {
            guard let e = tensors[name] else {
                if strict {
                    throw SafeTensors.FormatError(path: url.path, place: "tensor '\(name)'", message: "missing from checkpoint")
                }
                continue
            }
            guard e.values.count == p.count, e.shape.reduce(1, *) == p.shape.reduce(1, *),
                  e.shape == p.shape || (e.shape.isEmpty && p.shape == [1]) else {
                throw SafeTensors.FormatError(path: url.path, place: "tensor '\(name)'",
                                              message: "shape \(e.shape) does not match the model's \(p.shape)")
            }
            p.value.copy(from: e.values)
            loaded.append(name)
        }
        return (loaded, meta)
    }
}

extension RetinaNet {
    /// Saves every parameter and BN buffer ("backbone.…", "fpn.…", "head.…").
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try Checkpoint.save(namedParameters, metadata: metadata, to: url)
    }

    /// Loads a checkpoint written by `save` (all names required).
    public func load(from url: URL) throws { try Checkpoint.load(into: namedParameters, from: url) }

    /// Loads a backbone checkpoint (torchvision ResNet names, e.g. from `BackboneClassifier`);
    /// keys of a classifier head ("fc.…") are ignored.
    public func loadBackbone(from url: URL) throws {
        try Checkpoint.load(into: backbone.parameters.map { ($0.name, $0) }, from: url)
    }
}

extension ResNetBackbone {
    /// Saves only the backbone's parameters and BN buffers under torchvision ResNet names.
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try Checkpoint.save(parameters.map { ($0.name, $0) }, metadata: metadata, to: url)
    }
}
