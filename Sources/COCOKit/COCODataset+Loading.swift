import Foundation

extension COCODataset {
    /// Reads a COCO instances file (streaming; memory proportional to the boxes, not the text).
    public init(contentsOf url: URL) throws {
        self = try COCODataset.load(contentsOf: url).dataset
    }

    /// Reads a COCO instances file and returns the non-fatal findings too (e.g. missing `iscrowd`).
    public static func load(contentsOf url: URL) throws -> (dataset: COCODataset, warnings: [String]) {
        var parser = COCOParser(try JSONByteReader(url: url))
        let ds = try parser.instances()
        return (ds, parser.warnings)
    }

    /// Parses instances JSON held in memory; `name` stands for the file name in messages.
    public static func parse(_ bytes: [UInt8], name: String = "<memory>") throws -> (dataset: COCODataset, warnings: [String]) {
        var parser = COCOParser(JSONByteReader(bytes: bytes, name: name))
        let ds = try parser.instances()
        return (ds, parser.warnings)
    }
}

/// Reading COCO results files (a JSON list of `{image_id, category_id, bbox, score}`).
public enum COCOResults {
    /// Reads a results file (streaming; extra keys such as `segmentation`, `area`, `id` ignored).
    ///
    /// With `threads` ≥ 2 and a large file, the second half is parsed on another thread from a
    /// guessed element boundary; the first half confirms the guess (else it parses everything
    /// itself), so the result and any error message are those of a serial parse.
    public static func load(contentsOf url: URL, threads: Int = 1) throws -> [COCODetection] {
        try load(contentsOf: url, threads: threads, splitAbove: 4 << 20)
    }

    /// `load`, splitting files larger than `splitAbove` bytes (tests use small values).
    static func load(contentsOf url: URL, threads: Int, splitAbove: Int) throws -> [COCODetection] {
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        guard threads >= 2, size >= splitAbove else {
            var parser = COCOParser(try JSONByteReader(url: url))
            return try parser.results()
        }
        let probe = try JSONByteReader(url: url, startOffset: size / 2, chunkSize: 1 << 16)
        guard let split = try probe.seekToLikelyElementStart() else {
            var parser = COCOParser(try JSONByteReader(url: url))
            return try parser.results()
        }
        nonisolated(unsafe) var head: [COCODetection] = []
        nonisolated(unsafe) var tail: [COCODetection] = []
        nonisolated(unsafe) var headResult: Result<Bool, Error> = .success(false)
        nonisolated(unsafe) var tailResult: Result<Void, Error> = .success(())
        let estimate = size / 100
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            if part == 0 {
                head.reserveCapacity(estimate)
                headResult = Result {
                    var parser = COCOParser(try JSONByteReader(url: url))
                    return try parser.results(into: &head, stopAt: split)
                }
            } else {
                tail.reserveCapacity(estimate / 2)
                tailResult = Result {
                    var parser = COCOParser(try JSONByteReader(url: url, startOffset: split))
                    try parser.resultsTail(into: &tail)
                }
            }
        }
        let stoppedAtSplit = try headResult.get()
        if !stoppedAtSplit { return head }  // the guess was not an element start: head has everything
        if case .failure = tailResult {
            // Re-parse serially so the error names the right element index.
            var parser = COCOParser(try JSONByteReader(url: url))
            return try parser.results()
        }
        head.append(contentsOf: tail)
        return head
    }

    /// Parses results JSON held in memory; `name` stands for the file name in messages.
    public static func parse(_ bytes: [UInt8], name: String = "<memory>") throws -> [COCODetection] {
        var parser = COCOParser(JSONByteReader(bytes: bytes, name: name))
        return try parser.results()
    }
}
