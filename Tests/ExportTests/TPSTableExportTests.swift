import Foundation
import Parquet
import SirekapFormat
import Store
import Testing
import TestSupport
@testable import Export

/// A CSV file sink for the export (the build uses its own hashing stream file).
final class FileSink: ByteSink, @unchecked Sendable {
    let path: String
    private let handle: FileHandle
    init(_ path: String) throws {
        self.path = path
        FileManager.default.createFile(atPath: path, contents: nil)
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }
    func append(_ bytes: UnsafeBufferPointer<UInt8>) throws { try handle.write(contentsOf: Data(buffer: bytes)) }
    func close() throws { try handle.close() }
}

/// The national TPS table written straight from the store's bytes must hold exactly the cells
/// the model path (`TPSTable.cells` over decoded versions) gives, for any number of workers.
@Suite struct TPSTableExportTests {
    let folder: TemporaryFolder
    let store: Store
    let table = TPSTable(candidates: ["100025", "100026", "100027"])

    init() throws {
        folder = try TemporaryFolder()
        store = try Store(path: folder.sub("store.sqlite"))
        let first = try Mirror.smallVillage(at: folder.sub("first"))
        // A second province, a name that needs CSV quoting, a TPS no list names, a later
        // version of one TPS, and a second saved copy of another's bytes.
        try first.regionList(parent: nil, [("31", "DKI JAKARTA", 1), ("32", "JAWA \"BARAT\", SELATAN", 9), ("99", "Luar Negeri", 2)])
        try first.regionList(parent: "32", [("3201", "BOGOR", 10)])
        try first.regionList(parent: "3201", [("320101", "CIBINONG", 11)])
        try first.regionList(parent: "320101", [("3201011001", "PONDOK, RAJEG", 12)])
        try first.regionList(parent: "3201011001", [("3201011001001", "TPS 001", 13), ("3201011001002", "TPS 002", 14)])
        try first.tps("3201011001001", votes: [7, 8, 9], form: Mirror.form(valid: 24))
        try first.tps("3201011001007", votes: [1, 2, 3])  // in no list
        _ = try Importer(store: store, importedAt: "2026-01-01T00:00:00Z").runCollecting([first.root])
        let later = try Mirror(at: folder.sub("later"))
        try later.tps("3101011001001", votes: [121, 45, 9], form: Mirror.form(valid: 175), ts: "2024-02-20 09:00:00")
        try later.tps("3201011001001", votes: [7, 8, 9], form: Mirror.form(valid: 24))  // the same bytes again
        _ = try Importer(store: store, importedAt: "2026-02-01T00:00:00Z").runCollecting([later.root])
    }

    /// Writes the tables with `jobs` workers into `name/`; returns the folder.
    func export(jobs: Int, name: String) throws -> (folder: String, written: TPSTableExport.Written) {
        let out = folder.sub(name)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let national = try FileSink(out + "/ppwp-tps.csv")
        final class Opened: @unchecked Sendable {
            let lock = NSLock()
            var sinks: [RegionCode: FileSink] = [:]
        }
        let opened = Opened()
        let export = TPSTableExport(table: table, parquetOptions: ParquetOptions(), jobs: jobs)
        let written = try export.write(
            from: store, parquetPath: out + "/ppwp-tps.parquet", csv: national,
            province: { code in
                let sink = try FileSink(out + "/ppwp-tps-\(code.rawValue).csv")
                opened.lock.lock()
                opened.sinks[code] = sink
                opened.lock.unlock()
                return .init(csv: sink, csvPath: sink.path, parquetPath: out + "/ppwp-tps-\(code.rawValue).parquet")
            },
            provinceDone: { code, _ in try opened.sinks[code]!.close() })
        try national.close()
        return (out, written)
    }

    func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func rowsAreTheModelsCells() throws {
        let (out, written) = try export(jobs: 1, name: "one")
        let tree = try RegionTree.directory(from: store)
        var expected = table.header
        var codes: [RegionCode] = []
        for village in tree.regions(at: .village) {
            for code in village.children {
                let versions = try store.tpsVersions(code)
                expected += CSV.row(table.row(code: code, tree: tree, current: versions.first, versionCount: versions.count))
                codes.append(code)
            }
        }
        #expect(try text(out + "/ppwp-tps.csv") == expected)
        #expect(written.rows == codes.count && codes.count == 6)
        #expect(written.provinces.map(\.code.rawValue) == ["31", "32"])
        #expect(written.provinces.map(\.rows) == [3, 3])
        // The cases the fixture was made for, as a reader sees them.
        let lines = try text(out + "/ppwp-tps.csv").components(separatedBy: "\r\n")
        #expect(lines.contains { $0.hasPrefix("3101011001001,TPS 001,31,DKI JAKARTA,3101,ADM. KEP. SERIBU,310101,KEPULAUAN SERIBU UTARA,3101011001, PULAU PANGGANG.,121,45,9,175,") })
        #expect(lines.contains { $0.hasPrefix("3201011001007,TPS 007,32,\"JAWA \"\"BARAT\"\", SELATAN\",3201,BOGOR,320101,CIBINONG,3201011001,\"PONDOK, RAJEG\",1,2,3,,,") })
        #expect(lines.contains { $0.hasPrefix("3201011001002,TPS 002,32,") && $0.hasSuffix(",,,,,,,0,,,") })
        let twoVersions = try #require(lines.first { $0.hasPrefix("3101011001001,") })
        #expect(twoVersions.contains(",2024-02-20 09:00:00,2024-02-20T02:00:00Z,,true,true,2,"))
        #expect(twoVersions.hasSuffix(",2026-02-01T00:00:00Z"))
        let twoCopies = try #require(lines.first { $0.hasPrefix("3201011001001,") })
        #expect(twoCopies.contains(",true,true,1,") && twoCopies.hasSuffix(",2026-01-01T00:00:00Z"))
        // Each province's CSV is the header and its own rows.
        for province in ["31", "32"] {
            let part = try text(out + "/ppwp-tps-\(province).csv")
            let rows = lines.dropFirst().filter { $0.hasPrefix(province) }.map { $0 + "\r\n" }.joined()
            #expect(part == table.header + rows)
        }
    }

    @Test func theFilesDoNotDependOnTheNumberOfWorkers() throws {
        let one = try export(jobs: 1, name: "one").folder
        let three = try export(jobs: 3, name: "three").folder
        for file in ["ppwp-tps.csv", "ppwp-tps.parquet", "ppwp-tps-31.csv", "ppwp-tps-31.parquet", "ppwp-tps-32.csv", "ppwp-tps-32.parquet"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: one + "/" + file))
            let b = try Data(contentsOf: URL(fileURLWithPath: three + "/" + file))
            #expect(a == b, "\(file) differs between 1 and 3 workers")
        }
    }

    @Test(.enabled(if: ParquetReaders.python != nil || ParquetReaders.required, "needs pyarrow and duckdb (.ci/run installs them)"))
    func parquetHoldsTheCSVsValues() throws {
        let out = try export(jobs: 2, name: "two").folder
        let report = try ParquetReaders.compareDownloads(out)
        let files = try #require(report["files"] as? [String: [String: Any]])
        #expect(Set(files.keys) == ["ppwp-tps.parquet", "ppwp-tps-31.parquet", "ppwp-tps-32.parquet"])
        for (name, file) in files {
            #expect(file["rows"] as? Int == file["csv_rows"] as? Int, "\(name)")
            #expect((file["mismatches"] as? [String] ?? ["?"]).isEmpty, "\(name): \(file["mismatches"] ?? "")")
        }
        #expect(files["ppwp-tps.parquet"]?["row_groups"] as? Int == 2)
        #expect(report["partition_ok"] as? Bool == true)
    }

    @Test func aNationalCSVNeedsTheProvinceFiles() throws {
        let sink = try FileSink(folder.sub("lonely.csv"))
        #expect(throws: ExportError.self) {
            _ = try TPSTableExport(table: table, parquetOptions: ParquetOptions()).write(from: store, parquetPath: folder.sub("x.parquet"), csv: sink)
        }
    }
}
