import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A directory of pretrained backbones shared by all runs of a sweep (and by concurrent workers):
/// the first run that needs a recipe trains it under an exclusive file lock; the others wait and
/// then load the file. Files are written atomically, so a killed pretraining leaves nothing half-written.
public struct PretrainedBackboneCache {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// Errors of the cache.
    public struct CacheError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The backbone file for `recipe`, pretraining it first if absent. `log` reports progress
    /// lines (pretraining takes minutes).
    public func backbone(for recipe: BackbonePretrainer, threads: Int, log: (String) -> Void) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent(recipe.cacheName)
        if FileManager.default.fileExists(atPath: file.path) { return file }
        let lockPath = file.path + ".lock"
        let fd = open(lockPath, O_CREAT | O_RDWR, 0o644)
        guard fd >= 0 else { throw CacheError(description: "\(lockPath): cannot open lock file (errno \(errno))") }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            log("waiting for another process pretraining \(recipe.cacheName)…")
            guard flock(fd, LOCK_EX) == 0 else { throw CacheError(description: "\(lockPath): cannot lock (errno \(errno))") }
        }
        defer { flock(fd, LOCK_UN) }
        if FileManager.default.fileExists(atPath: file.path) { return file }
        log("pretraining backbone \(recipe.cacheName) (\(recipe.iterations) iterations)…")
        let start = Date()
        let (model, accuracy) = try recipe.train(threads: threads) { it, loss, acc in
            if let acc {
                log(String(format: "pretrain: held-out accuracy %.3f", acc))
            } else {
                let elapsed = Date().timeIntervalSince(start)
                let eta = elapsed / Double(it) * Double(recipe.iterations - it)
                log(String(format: "pretrain %d/%d  loss %.4f  %.0f s elapsed, ETA %.0f s", it, recipe.iterations, loss, elapsed, eta))
            }
        }
        let tmp = directory.appendingPathComponent(".\(recipe.cacheName).\(getpid()).tmp")
        try model.backbone.save(to: tmp, metadata: [
            "heldOutAccuracy": String(accuracy), "iterations": String(recipe.iterations),
            "seconds": String(format: "%.1f", Date().timeIntervalSince(start)), "protocol": String(EngineProtocol.version),
        ])
        _ = try? FileManager.default.removeItem(at: file)
        try FileManager.default.moveItem(at: tmp, to: file)
        return file
    }
}
