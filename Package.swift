// swift-tools-version:6.0
// FocalRepro: a CPU reproduction of "Focal Loss for Dense Object Detection" (Lin et al., 2017)
// with a pycocotools-exact COCO evaluator. No third-party Swift packages; SQLite is the only
// system library.
import PackageDescription

// The engine's SIMD16<Float> kernels only become AVX-512 FMAs when the compiler may target the
// host CPU; without it `addingProduct` lowers to scalar fma calls (~100x slower). The manifest is
// compiled for the host, so `#if arch` tells us where we build. Set FOCAL_PORTABLE=1 to build a
// binary for a generic CPU of the architecture (e.g. to copy it to another machine); the engine
// then also picks the GEMM tiling for few vector registers (`VectorRegisters`).
import Foundation
let portable = ProcessInfo.processInfo.environment["FOCAL_PORTABLE"] == "1"
#if arch(x86_64)
let hostCPU: [SwiftSetting] = portable ? [.define("FOCAL_PORTABLE")] : [.unsafeFlags(["-target-cpu", "native"])]
#else
let hostCPU: [SwiftSetting] = []
#endif
let fast: [SwiftSetting] = hostCPU + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "FocalRepro",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "COCOKit", targets: ["COCOKit"]),
        .library(name: "Engine", targets: ["Engine"]),
        .executable(name: "cocoeval", targets: ["cocoeval"]),
        .executable(name: "ablate", targets: ["Ablate"]),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            path: "Sources/CSQLite",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .target(name: "COCOKit", swiftSettings: fast),
        .target(name: "Engine", dependencies: ["COCOKit"], swiftSettings: fast),
        .executableTarget(name: "cocoeval", dependencies: ["COCOKit"], swiftSettings: fast),
        .executableTarget(name: "Ablate", dependencies: ["COCOKit", "Engine", "CSQLite"], swiftSettings: fast),
        .testTarget(name: "COCOKitTests", dependencies: ["COCOKit", "cocoeval"],
                    resources: [.copy("Fixtures")], swiftSettings: fast),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "COCOKit"],
                    resources: [.copy("Fixtures")], swiftSettings: fast),
        .testTarget(name: "AblateTests", dependencies: ["Ablate", "Engine", "COCOKit", "CSQLite"],
                    swiftSettings: fast),
    ]
)
