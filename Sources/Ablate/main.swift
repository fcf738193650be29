import Foundation

// Thin entry point: the commands live in Commands/, the logic in the other folders.
exit(CommandRegistry.main(Array(CommandLine.arguments.dropFirst())))
