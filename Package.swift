// swift-tools-version:6.0
import PackageDescription

// The pipeline, one module per step:
//   SirekapFormat (codes, paths, raw JSON models; no I/O)
//   -> Store (SQLite schema, import, versions, queries)
//   -> publish (command-line parsing only)
let package = Package(
    name: "publish",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "publish", targets: ["publish"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            path: "Sources/CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "SirekapFormat"),
        // A standalone Parquet writer: no dependency on the rest of the project.
        .target(name: "Parquet", dependencies: ["CZlib"]),
        .target(
            name: "Store",
            dependencies: [
                "SirekapFormat",
                "CSQLite",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "Quality", dependencies: ["SirekapFormat"]),
        .target(name: "Export", dependencies: ["SirekapFormat", "Store", "Quality", "Parquet"]),
        .target(
            name: "Render",
            dependencies: ["SirekapFormat", "Store", "Quality", "Export", .product(name: "Mustache", package: "swift-mustache")]
        ),
        .target(name: "CExchange"),
        .target(name: "Output", dependencies: ["CExchange", "CZlib", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Publication", dependencies: ["SirekapFormat", "Store", "Quality", "Render", "Export", "Output"]),
        .executableTarget(
            name: "publish",
            dependencies: [
                "SirekapFormat",
                "Store",
                "Publication",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SirekapFormatTests", dependencies: ["SirekapFormat"]),
        .testTarget(name: "QualityTests", dependencies: ["Quality", "SirekapFormat"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet", "TestSupport"]),
        .testTarget(
            name: "StoreTests",
            dependencies: ["Store", "SirekapFormat", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Runs the built `publish` binary as a user would: exit codes, messages, interrupted runs.
        .testTarget(name: "PublishCLITests", dependencies: ["publish", "Store", "SirekapFormat", "TestSupport"]),
        .testTarget(
            name: "PublicationTests",
            dependencies: ["Publication", "Store", "SirekapFormat", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Fixture builders shared by the test targets (a small raw-format mirror, temporary folders).
        .target(name: "TestSupport", dependencies: ["Store"], path: "Tests/TestSupport"),
    ]
)
