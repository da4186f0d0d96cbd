import Crypto
import Foundation
import Output
import Testing
import TestSupport

/// What a researcher gets from /downloads/: Parquet equal to the CSV, a data package whose every
/// size and hash is right, checksums that verify, and a citation.
enum DownloadChecks {
    /// Problems with the Parquet downloads of a built site (empty when all is well).
    static func parquetProblems(_ site: SiteInspector, provinces: Int) throws -> [String] {
        let report = try ParquetReaders.compareDownloads(site.root + "/downloads")
        var problems: [String] = []
        let files = report["files"] as? [String: [String: Any]] ?? [:]
        if files.count != 2 + provinces { problems.append("\(files.count) Parquet files for \(provinces) provinces") }
        for (name, file) in files.sorted(by: { $0.key < $1.key }) {
            if file["rows"] as? Int != file["csv_rows"] as? Int { problems.append("\(name): row count") }
            if let mismatches = file["mismatches"] as? [String], !mismatches.isEmpty { problems.append("\(name): \(mismatches)") }
            if file["codecs"] as? [String] != ["SNAPPY"] { problems.append("\(name): codecs \(file["codecs"] ?? "")") }
            if file["stats_ok"] as? Bool != true { problems.append("\(name): statistics missing") }
            if file["duck_rows"] as? Int != file["rows"] as? Int { problems.append("\(name): DuckDB row count") }
            if file["duck_sums"] as? [Int] != file["csv_sums"] as? [Int] { problems.append("\(name): DuckDB sums") }
            let types = file["types"] as? [String: String] ?? [:]
            if name.hasPrefix("ppwp-tps") {
                let expected = ["tps_code": "string", "votes_100025": "int64", "suara_sah": "int64",
                                "status_suara": "bool", "ts_utc": "timestamp[us, tz=UTC]", "ts": "string"]
                for (column, type) in expected where types[column] != type {
                    problems.append("\(name): \(column) is \(types[column] ?? "missing")")
                }
            }
        }
        if let national = files["ppwp-tps.parquet"], national["row_groups"] as? Int != provinces {
            problems.append("national file has \(national["row_groups"] ?? "?") row groups for \(provinces) provinces")
        }
        if report["partition_ok"] as? Bool != true { problems.append("province files do not partition the national file") }
        return problems
    }

    /// Problems with datapackage.json, SHA256SUMS and CITATION.cff.
    static func packageProblems(_ site: SiteInspector) throws -> [String] {
        var problems: [String] = []
        let package = try site.json("datapackage.json")
        for key in ["name", "title", "description", "licenses", "sources", "created", "version", "resources"] where package[key] == nil {
            problems.append("datapackage.json lacks \(key)")
        }
        let resources = package["resources"] as? [[String: Any]] ?? []
        let downloads = Set(site.files().filter { $0.hasPrefix("downloads/") && !$0.hasSuffix("index.html") && !$0.hasSuffix("SHA256SUMS") })
        let listed = Set(resources.compactMap { $0["path"] as? String })
        if listed != downloads { problems.append("resources \(listed.symmetricDifference(downloads).sorted()) listed or not") }
        for resource in resources {
            guard let path = resource["path"] as? String else { problems.append("a resource without path"); continue }
            for key in ["name", "format", "mediatype", "bytes", "hash"] where resource[key] == nil { problems.append("\(path) lacks \(key)") }
            let data = try Data(contentsOf: URL(fileURLWithPath: site.root + "/" + path))
            if resource["bytes"] as? Int != data.count { problems.append("\(path): bytes") }
            if resource["hash"] as? String != "sha256:" + sha256(data) { problems.append("\(path): hash") }
            if !(path.hasSuffix(".gz")), let schema = resource["schema"] as? [String: Any] {
                let fields = schema["fields"] as? [[String: Any]] ?? []
                if fields.isEmpty || fields.contains(where: { ($0["description"] as? String ?? "").isEmpty }) {
                    problems.append("\(path): fields without descriptions")
                }
            } else if !path.hasSuffix(".gz") {
                problems.append("\(path): no table schema")
            }
        }
        // SHA256SUMS in sha256sum's format: "<hash>  <name>", every download once.
        let sums = try site.text("downloads/SHA256SUMS").split(separator: "\n")
        var named: Set<String> = []
        for line in sums {
            let parts = line.components(separatedBy: "  ")
            guard parts.count == 2 else { problems.append("SHA256SUMS line \(line)"); continue }
            named.insert("downloads/" + parts[1])
            let data = try Data(contentsOf: URL(fileURLWithPath: site.root + "/downloads/" + parts[1]))
            if sha256(data) != parts[0] { problems.append("SHA256SUMS: \(parts[1]) does not verify") }
        }
        if named != downloads { problems.append("SHA256SUMS does not cover every download") }
        let citation = try site.text("CITATION.cff")
        for key in ["cff-version: 1.2.0", "type: dataset", "title:", "date-released:"] where !citation.contains(key) {
            problems.append("CITATION.cff lacks \(key)")
        }
        let page = try site.text("downloads/index.html")
        if !page.contains("<script type=\"application/ld+json\">") { problems.append("no JSON-LD on the downloads page") }
        for file in downloads where !page.contains("\"name\":\"\((file as NSString).lastPathComponent)\"") {
            problems.append("JSON-LD does not list \(file)")
        }
        return problems
    }

    static func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }
}

@Suite struct DownloadTests {
    /// The small village plus a TPS abroad (province 99): two provinces, so two province files.
    static func twoProvinces() throws -> Workspace {
        try Workspace { mirror in
            try mirror.regionList(parent: "99", [("9901", "Abu Dhabi, Uni Emirat Arab", 10)])
            try mirror.regionList(parent: "9901", [("990101", "Abu Dhabi", 11)])
            try mirror.regionList(parent: "990101", [("9901010001", "Abu Dhabi", 12)])
            try mirror.regionList(parent: "9901010001", [("9901010001001", "POS 001", 13)])
            try mirror.tps("9901010001001", votes: [5, 6, 7], form: Mirror.form(valid: 18))
        }
    }

    @Test(.enabled(if: ParquetReaders.python != nil || ParquetReaders.required, "needs pyarrow and duckdb"))
    func parquetDownloadsEqualTheCSVs() throws {
        let workspace = try DownloadTests.twoProvinces()
        let site = try workspace.build()
        let problems = try DownloadChecks.parquetProblems(site, provinces: 2)
        #expect(problems == [], "\(problems)")
    }

    /// Every `.csv.gz` decompresses (Python's gzip, and DuckDB's reader) to its CSV exactly; the
    /// national one is the provinces' compressed rows joined, not compressed again.
    @Test(.enabled(if: ParquetReaders.python != nil || ParquetReaders.required, "needs duckdb"))
    func compressedCSVsDecompressToTheirCSVs() throws {
        let workspace = try DownloadTests.twoProvinces()
        let site = try workspace.build()
        let folder = site.root + "/downloads"
        let report = try ParquetReaders.runScript("""
            import duckdb, glob, gzip, json, os, sys
            out = {}
            for path in sorted(glob.glob(os.path.join(sys.argv[1], '*.csv.gz'))):
                with gzip.open(path, 'rb') as f, open(path[:-3], 'rb') as c:
                    same = f.read() == c.read()
                rows = duckdb.sql(f"SELECT count(*) FROM read_csv('{path}', header=true)").fetchall()[0][0]
                csv_rows = duckdb.sql(f"SELECT count(*) FROM read_csv('{path[:-3]}', header=true)").fetchall()[0][0]
                out[os.path.basename(path)] = {'same': same, 'rows': rows, 'csv_rows': csv_rows}
            print(json.dumps(out))
            """, [folder])
        let names = report.keys.sorted()
        #expect(names.contains("ppwp-tps.csv.gz") && names.contains("ppwp-tps-31.csv.gz") && names.contains("ppwp-tps-99.csv.gz"))
        for name in names {
            let file = report[name] as? [String: Any] ?? [:]
            #expect(file["same"] as? Bool == true, "\(name) does not decompress to its CSV")
            #expect(file["rows"] as? Int == file["csv_rows"] as? Int, "\(name): DuckDB reads \(file["rows"] ?? "?") rows")
        }
        // Joined: the national file is the first province's whole, then the others' row members.
        let national = try Data(contentsOf: URL(fileURLWithPath: folder + "/ppwp-tps.csv.gz"))
        let first = try Data(contentsOf: URL(fileURLWithPath: folder + "/ppwp-tps-31.csv.gz"))
        let second = try Data(contentsOf: URL(fileURLWithPath: folder + "/ppwp-tps-99.csv.gz"))
        let headerMember = first.count + second.count - national.count
        #expect(headerMember > 18 && first.prefix(headerMember) == second.prefix(headerMember))
        #expect(national == first + second.dropFirst(headerMember))
    }

    /// A CSV larger than one piece: its `.gz` is the header line's member, then members of 4 MiB
    /// of rows and one of the rest; the whole decompresses to the file exactly, and compressing
    /// again gives the same bytes.
    @Test(.enabled(if: ParquetReaders.python != nil || ParquetReaders.required, "needs python"))
    func largeFilesAreCompressedInPiecesThatDecompressToTheFile() throws {
        let folder = try TemporaryFolder()
        let output = try OutputFolder(destination: folder.sub("site"))
        var text = "code,votes\r\n"
        var state: UInt64 = 2024
        while text.utf8.count < 9 << 20 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            text += String(state >> 24) + "," + String(state % 1000) + "\r\n"
        }
        try output.write("t.csv", text)
        let first = try output.gzip("t.csv", headerMember: true)
        #expect(try output.gzip("t.csv", headerMember: true) == first)
        let report = try ParquetReaders.runScript("""
            import json, sys, zlib
            data = open(sys.argv[1] + '.gz', 'rb').read()
            members = []
            while data:
                d = zlib.decompressobj(31)
                members.append(d.decompress(data))
                data = d.unused_data
            whole = open(sys.argv[1], 'rb').read()
            print(json.dumps({'sizes': [len(m) for m in members], 'same': b''.join(members) == whole,
                              'header': members[0].decode()}))
            """, [output.staging + "/t.csv"])
        let header: Int = "code,votes\r\n".utf8.count
        let piece: Int = 4 << 20
        let rest: Int = text.utf8.count - header - 2 * piece
        let expected: [Int] = [header, piece, piece, rest]
        #expect(report["same"] as? Bool == true)
        #expect(report["header"] as? String == "code,votes\r\n")
        #expect(report["sizes"] as? [Int] == expected)
    }

    @Test func dataPackageChecksumsAndCitationAreRight() throws {
        let site = try Workspace().build()
        let problems = try DownloadChecks.packageProblems(site)
        #expect(problems == [], "\(problems)")
        let package = try site.json("datapackage.json")
        #expect(package["created"] as? String == "2026-01-01T00:00:00Z")
        #expect((package["$schema"] as? String)?.contains("datapackage.org/profiles/2.0") == true)
    }

    @Test func downloadsPageExplainsEveryFile() throws {
        let site = try Workspace().build()
        let page = try site.text("downloads/index.html")
        for name in ["ppwp-tps.parquet", "ppwp-tps.csv.gz", "ppwp-regions.csv", "ppwp-anomalies.csv", "SHA256SUMS"] {
            #expect(page.contains(name), "\(name)")
        }
        for reader in ["pd.read_parquet", "read_parquet(", "library(arrow)"] { #expect(page.contains(reader)) }
        #expect(SiteInspector.pageProblems(page) == [])
    }
}
