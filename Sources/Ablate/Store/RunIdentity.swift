import Engine

/// The stable name of a run: 16 hex digits of FNV-1a-64 over "<protocol version>|<canonical
/// config JSON>". The database's real identity is the UNIQUE (config_json, protocol_version) pair;
/// this short id names run directories and lets shards merge without renumbering.
enum RunIdentity {
    static func id(canonicalJSON: String, protocolVersion: Int = EngineProtocol.version) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(protocolVersion)|\(canonicalJSON)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
