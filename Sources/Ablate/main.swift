// Placeholder until issue 5 lands: the command is not implemented yet.
import Foundation
FileHandle.standardError.write(Data("ablate: not implemented yet (issue 5)\n".utf8))
exit(2)
