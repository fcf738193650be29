import Foundation

/// Every error COCOKit reports for bad input, with the file, the place and what was expected.
///
/// `place` is `line:column` (1-based, columns in bytes) for syntax errors and a JSON path such as
/// `annotations[12].bbox` for errors in a well-formed document; both are given when known.
public struct COCOError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of problem this is, so callers (and exit codes) can tell them apart.
    public enum Kind: String, Sendable {
        case io, syntax, schema, value, mismatch, parameters
    }

    public var kind: Kind
    /// The file the problem is in (empty for in-memory values).
    public var file: String
    /// `line:column` when the position in the text is known, else empty.
    public var position: String
    /// JSON path of the offending value (e.g. `annotations[12].bbox`), else empty.
    public var path: String
    /// What was expected and what was found, in words a user can act on.
    public var message: String

    public init(_ kind: Kind, file: String = "", position: String = "", path: String = "", _ message: String) {
        self.kind = kind; self.file = file; self.position = position; self.path = path; self.message = message
    }

    public var description: String {
        var head = file
        if !position.isEmpty { head += head.isEmpty ? position : ":" + position }
        var out = head.isEmpty ? "" : head + ": "
        if !path.isEmpty { out += path + ": " }
        return out + message
    }
}
