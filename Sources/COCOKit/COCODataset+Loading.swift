import Foundation

extension COCODataset {
    /// Reads a COCO instances file (streaming; memory proportional to the boxes, not the text).
    public init(contentsOf url: URL) throws {
        self = try COCODataset.load(contentsOf: url).dataset
    }

    /// Reads a COCO instances file and returns the non-fatal findings too (e.g. missing `iscrowd`).
    public static func load(contentsOf url: URL) throws -> (dataset: COCODataset, warnings: [String]) {
        var parser = COCOParser(try JSONByteReader(url: url))
        var ds = try parser.instances()
        ds.sourceName = url.path
        return (ds, parser.warnings)
    }

    /// Parses instances JSON held in memory; `name` stands for the file name in messages.
    public static func parse(_ bytes: [UInt8], name: String = "<memory>") throws -> (dataset: COCODataset, warnings: [String]) {
        var parser = COCOParser(JSONByteReader(bytes: bytes, name: name))
        var ds = try parser.instances()
        ds.sourceName = name
        return (ds, parser.warnings)
    }
}

/// Reading COCO results files (a JSON list of `{image_id, category_id, bbox, score}`).
///
/// Read as pycocotools' `COCO.loadRes` reads them (iouType bbox): the first result's keys decide
/// how every result is read. Usually it has a `bbox`: each result needs one, its area is w·h, and
/// `segmentation`, `area`, `id`, unknown keys are ignored. If the first result has a
/// `segmentation` and no (or an empty) `bbox`, areas come from the masks (compressed RLE only,
/// as in pycocotools) and a result without a `bbox` gets its mask's box; with `keypoints`, box and
/// area come from the keypoints; with a `caption` key, boxes and areas are taken from the file.
/// Such areas are kept in `COCODetection.area`.
public enum COCOResults {
    /// Reads a results file (streaming; memory proportional to the detections).
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
        nonisolated(unsafe) var headBranch: ResultsBranch? = nil
        nonisolated(unsafe) var tailResult: Result<Void, Error> = .success(())
        let estimate = size / 100
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            if part == 0 {
                head.reserveCapacity(estimate)
                headResult = Result {
                    var parser = COCOParser(try JSONByteReader(url: url))
                    defer { headBranch = parser.branch }
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
        var tailFailed = false
        if case .failure = tailResult { tailFailed = true }
        if tailFailed || headBranch != .bbox {
            // Re-parse serially: so an error names the right element index, or because the tail
            // assumed the usual bbox form and the first result says otherwise.
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
