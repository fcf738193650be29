import Foundation

/// A problem with an image file or an image dataset, naming the file and the place.
public struct ImageFileError: Error, CustomStringConvertible, Equatable {
    /// The file (or annotation source) the problem is in.
    public var file: String
    /// Byte offset in the file, when the problem is at one place in it.
    public var offset: Int?
    /// What was found and what was expected.
    public var message: String

    public init(file: String, offset: Int? = nil, _ message: String) {
        self.file = file; self.offset = offset; self.message = message
    }

    public var description: String {
        if let offset { return "\(file): byte \(offset): \(message)" }
        return "\(file): \(message)"
    }
}

extension ImageFileError {
    /// The bytes of the file at `url`, or an error naming it.
    static func readBytes(_ url: URL, what: String = "file") throws -> [UInt8] {
        do { return [UInt8](try Data(contentsOf: url)) } catch {
            throw ImageFileError(file: url.path, "cannot read the \(what) (\(error.localizedDescription))")
        }
    }
}
