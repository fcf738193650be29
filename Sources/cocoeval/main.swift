// Placeholder until issue 2 lands: the command is not implemented yet.
import Foundation
FileHandle.standardError.write(Data("cocoeval: not implemented yet (issue 2)\n".utf8))
exit(2)
