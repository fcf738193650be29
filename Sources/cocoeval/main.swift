// cocoeval: pycocotools-exact COCO bbox evaluation. Thin: parse arguments, run, map errors to exit codes.
import COCOKit
import Foundation

func writeOut(_ s: String) { FileHandle.standardOutput.write(Data(s.utf8)) }
func writeErr(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }

do {
    let command = try CocoevalCommand.parse(Array(CommandLine.arguments.dropFirst()))
    if command.help {
        writeOut(CocoevalCommand.usage)
        exit(0)
    }
    try command.run(out: writeOut, err: writeErr)
    exit(0)
} catch let e as CocoevalCommand.UsageError {
    writeErr("cocoeval: error: \(e.description)\n")
    exit(2)
} catch let e as COCOError {
    writeErr("cocoeval: error: \(e.description)\n")
    exit(e.kind == .parameters ? 2 : 1)
} catch {
    writeErr("cocoeval: error: \(error)\n")
    exit(1)
}
