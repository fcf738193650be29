import CSQLite
import Foundation

// Thin entry point: the commands live in Commands/, the logic in the other folders.
// Line-buffered stdout, so progress shows up promptly when it goes to a file or a pipe.
csqlite_line_buffer_stdout()
exit(CommandRegistry.main(Array(CommandLine.arguments.dropFirst())))
