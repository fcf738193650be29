import Foundation

/// Reader/writer of the safetensors format (little-endian u64 header length, JSON header
/// `{name: {dtype, shape, data_offsets}}`, raw little-endian data), readable by PyTorch users with
/// `safetensors.torch.load_file`. Only F32 tensors are written; F32 and F64 are read.
public enum SafeTensors {
    /// One tensor of a file.
    public struct Entry: Sendable {
        public var shape: [Int]
        public var values: [Float]
    }

    /// A malformed or mismatching safetensors file.
    public struct FormatError: Error, CustomStringConvertible {
        public var path: String
        public var place: String
        public var message: String
        public var description: String { "\(path): \(place): \(message)" }
    }

    /// Writes `tensors` (name, shape, values) and string `metadata` to `url`.
    public static func write(_ tensors: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)],
                             metadata: [String: String] = [:], to url: URL) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for t in tensors {
            let bytes = t.values.count * 4
            header[t.name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        var len = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
        out.append(json)
        for t in tensors {
            for v in t.values { var b = v.bitPattern.littleEndian; withUnsafeBytes(of: &b) { out.append(contentsOf: $0) } }
        }
        try out.write(to: url, options: .atomic)
    }

    /// Reads every tensor and the metadata of a safetensors file.
    public static func read(_ url: URL) throws -> (tensors: [String: Entry], metadata: [String: String]) {
        let path = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw FormatError(path: path, place: "file", message: "cannot read (\(error.localizedDescription))")
        }
        guard data.count >= 8 else { throw FormatError(path: path, place: "byte 0", message: "file shorter than the 8-byte header length") }
        let n = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard n <= UInt64(data.count - 8) else {
            throw FormatError(path: path, place: "byte 0", message: "header length \(n) exceeds file size \(data.count)")
        }
        let headerData = data.subdata(in: 8..<(8 + Int(n)))
        guard let obj = try? JSONSerialization.jsonObject(with: headerData), let header = obj as? [String: Any] else {
            throw FormatError(path: path, place: "header (bytes 8..<\(8 + n))", message: "not a JSON object")
        }
        let base = 8 + Int(n)
        var tensors: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = (value as? [String: String]) ?? [:]
                continue
            }
            guard let d = value as? [String: Any], let dtype = d["dtype"] as? String,
                  let shape = d["shape"] as? [Int], let offs = d["data_offsets"] as? [Int], offs.count == 2 else {
                throw FormatError(path: path, place: "header key '\(name)'", message: "expected {dtype, shape, data_offsets}")
            }
            let count = shape.reduce(1, *)
            let size: Int
            switch dtype {
            case "F32": size = 4
            case "F64": size = 8
            default: throw FormatError(path: path, place: "header key '\(name)'", message: "dtype \(dtype) not supported (F32, F64)")
            }
            guard offs[0] >= 0, offs[1] - offs[0] == count * size, base + offs[1] <= data.count else {
                throw FormatError(path: path, place: "header key '\(name)'.data_offsets",
                                  message: "offsets \(offs) do not hold \(count) \(dtype) values within the file")
            }
            var values = [Float](repeating: 0, count: count)
            data.withUnsafeBytes { raw in
                let p = raw.baseAddress! + base + offs[0]
                for i in 0..<count {
                    if size == 4 {
                        values[i] = Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                    } else {
                        values[i] = Float(Double(bitPattern: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                    }
                }
            }
            tensors[name] = Entry(shape: shape, values: values)
        }
        return (tensors, metadata)
    }
}
