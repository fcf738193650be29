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
