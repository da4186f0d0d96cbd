// swift-tools-version:6.0
import PackageDescription

// The pipeline, one module per step:
//   SirekapFormat (codes, paths, raw JSON models; no I/O)
//   -> Store (SQLite schema, import, versions, queries)
//   -> Quality (pure rules) -> Render / Export / Parquet -> Output (atomic folder writes)
//   Audit (findings and their evidence) feeds Render beside the results.
//   -> Publication (the build's named steps) -> publish (command-line parsing only)
let package = Package(
    name: "publish",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "publish", targets: ["publish"]),
        .executable(name: "publish-bench", targets: ["publish-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            path: "Sources/CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CLibXML2",
            path: "Sources/CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSnappy", path: "Sources/CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"]), .brew(["snappy"])]),
        // The downloads' gzip copies: about twice zlib's speed at the same level, whole buffers only.
        .systemLibrary(name: "CLibDeflate", path: "Sources/CLibDeflate", pkgConfig: "libdeflate",
                       providers: [.apt(["libdeflate-dev"]), .brew(["libdeflate"])]),
        .target(name: "SirekapFormat"),
        // A standalone Parquet writer: no dependency on the rest of the project.
        .target(name: "Parquet", dependencies: ["CZlib", "CSnappy"]),
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
            dependencies: ["SirekapFormat", "Store", "Quality", "Export", "Audit"]
        ),
        // Infrastructure-audit findings (YAML), their evidence files, parsers for each evidence format.
        .target(
            name: "Audit",
            dependencies: [
                "CLibXML2",
                .product(name: "Yams", package: "Yams"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "CExchange"),
        .target(name: "Output", dependencies: ["CExchange", "CLibDeflate", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "Publication",
            dependencies: ["SirekapFormat", "Store", "Quality", "Render", "Export", "Parquet", "Output", "Audit",
                           .product(name: "Crypto", package: "swift-crypto")]
        ),
        .executableTarget(
            name: "publish",
            dependencies: [
                "SirekapFormat",
                "Store",
                "Publication",
                "Audit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The national-scale benchmark (BENCHMARKS.md): makes the input, times each step as its own process.
        .executableTarget(
            name: "publish-bench",
            dependencies: ["SirekapFormat", "Store", "Export", "Parquet", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "SirekapFormatTests", dependencies: ["SirekapFormat", "TestSupport"]),
        .testTarget(name: "RenderTests", dependencies: ["Render", "TestSupport"]),
        .testTarget(name: "QualityTests", dependencies: ["Quality", "SirekapFormat"]),
        .testTarget(name: "AuditTests", dependencies: ["Audit", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet", "TestSupport"]),
        .testTarget(name: "ExportTests", dependencies: ["Export", "Store", "Parquet", "SirekapFormat", "TestSupport"]),
        .testTarget(
            name: "StoreTests",
            dependencies: ["Store", "SirekapFormat", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Runs the built `publish` binary as a user would: exit codes, messages, interrupted runs.
        .testTarget(name: "PublishCLITests", dependencies: ["publish", "Store", "SirekapFormat", "TestSupport"]),
        .testTarget(
            name: "PublicationTests",
            dependencies: ["Publication", "Output", "Store", "SirekapFormat", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Fixture builders shared by the test targets (a small raw-format mirror, temporary folders).
        .target(name: "TestSupport", dependencies: ["Store"], path: "Tests/TestSupport"),
    ]
)
