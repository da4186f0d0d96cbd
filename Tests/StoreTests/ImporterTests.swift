import Crypto
import Foundation
import SirekapFormat
import Testing
import TestSupport
@testable import Store

@Suite struct ImporterTests {
    let folder: TemporaryFolder
    let store: Store

    init() throws {
        folder = try TemporaryFolder()
        store = try Store(path: folder.sub("store.sqlite"))
    }

    func importer(at time: String = "2026-01-01T00:00:00Z") -> Importer {
        Importer(store: store, importedAt: time)
    }

    func code(_ text: String) -> RegionCode { RegionCode(text)! }

    @Test func importsRegionsAtEveryLevel() throws {
        let mirror = try Mirror.smallVillage(at: folder.sub("mirror"))
        let (summary, _) = try importer().runCollecting([mirror.root])
        #expect(summary.rejected == 0)
        #expect(try Level.allCases.map { try store.regionCount(level: $0) } == [2, 1, 1, 1, 3])
        let village = try #require(try store.region(code("3101011001")))
        #expect(village.rawName == " PULAU PANGGANG.")
        #expect(village.name == "PULAU PANGGANG.")
        #expect(village.parent == code("310101"))
        #expect(try store.children(of: code("3101011001")).map(\.name) == ["TPS 001", "TPS 002", "TPS 003"])
        #expect(try store.children(of: nil).map(\.code.rawValue) == ["31", "99"])
    }

    @Test func keepsResultsWithTheirProvenance() throws {
        let mirror = try Mirror.smallVillage(at: folder.sub("mirror"))
        _ = try importer(at: "2026-01-02T03:04:05Z").runCollecting([mirror.root])
        let current = try #require(try store.currentTPS(code("3101011001001")))
        #expect(current.result.chart?["100025"] == 120)
        #expect(current.result.chart?["100027"] == 9)
        #expect(current.result.administrasi?["suara_sah"] == 174)
        let source = try #require(current.sources.first)
        let relative = "pemilu/hhcw/ppwp/31/3101/310101/3101011001/3101011001001.json"
        #expect(source.url == "https://sirekap-obj-data.kpu.go.id/" + relative)
        #expect(source.path == relative)
        #expect(source.root == URL(fileURLWithPath: mirror.root).standardizedFileURL.path)
        #expect(source.importedAt == "2026-01-02T03:04:05Z")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: mirror.root + "/" + relative))
        #expect(source.rawSHA256 == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
        #expect(source.bytes == bytes.count)
        let empty = try #require(try store.currentTPS(code("3101011001003")))
        #expect(empty.result.chart == nil && empty.result.administrasi == nil)
    }

    @Test func anotherSerialisationAddsProvenanceNotAVersion() throws {
        let first = try Mirror.smallVillage(at: folder.sub("a"))
        let second = try Mirror(at: folder.sub("b"))
        let raw = Mirror.tpsJSON(votes: [120, 45, 9], form: Mirror.form(valid: 174))
        // One line with keys re-ordered, and CRLF: the same parsed content.
        let object = try JSONSerialization.jsonObject(with: Data(raw.utf8))
        let oneLine = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        try second.write("pemilu/hhcw/ppwp/31/3101/310101/3101011001/3101011001001.json", oneLine)
        let third = try Mirror(at: folder.sub("c"))
        try third.write("pemilu/hhcw/ppwp/31/3101/310101/3101011001/3101011001001.json",
                        raw.replacingOccurrences(of: "\n", with: "\r\n"))

        let (summary, _) = try importer().runCollecting([first.root, second.root, third.root])
        #expect(summary.newCopies == 2)
        let versions = try store.tpsVersions(code("3101011001001"))
        #expect(versions.count == 1)
        #expect(versions[0].sources.count == 3)
        #expect(Set(versions[0].sources.map(\.rawSHA256)).count == 3)
    }

    /// Each version keeps its first copy's provenance beside it (for the download tables), equal
    /// to its lowest source_file row, and a store from schema 1 gains it when opened.
    @Test func versionsKeepTheirFirstCopyAndOldStoresAreMigrated() throws {
        let first = try Mirror.smallVillage(at: folder.sub("a"))
        let second = try Mirror(at: folder.sub("b"))
        try second.write("pemilu/hhcw/ppwp/31/3101/310101/3101011001/3101011001001.json",
                         Mirror.tpsJSON(votes: [120, 45, 9], form: Mirror.form(valid: 174)) + "\n")
        var later = importer(at: "2026-01-03T00:00:00Z")
        _ = try importer(at: "2026-01-02T00:00:00Z").runCollecting([first.root])
        later.retrievedAt = "2026-01-02T12:00:00Z"
        _ = try later.runCollecting([second.root])

        let firstCopies = """
            SELECT v.code, s.raw_sha256, s.url, coalesce(s.retrieved_at, s.imported_at) FROM tps_version v
            JOIN source_file s ON s.id = (SELECT min(id) FROM source_file WHERE kind = 'tps' AND version_id = v.id)
            ORDER BY v.code
            """
        let kept = "SELECT code, first_raw_sha256, first_url, first_retrieved_at FROM tps_version ORDER BY code"
        func rows(_ store: Store, _ sql: String) throws -> [[String]] {
            try store.db.statement(sql).rows { row in (0..<4).map { row.text(Int32($0)) } }
        }
        let expected = try rows(store, firstCopies)
        #expect(expected.count == 3)
        #expect(try rows(store, kept) == expected)
        // The second copy of 001 is newer and retrieved later: not the first.
        #expect(expected[0][3] == "2026-01-02T00:00:00Z")

        #expect(try store.db.statement("PRAGMA page_size").rows { $0.int(0) } == [16384])

        // Back to schema 1 (no first-copy columns), then opened again.
        for column in ["first_raw_sha256", "first_url", "first_retrieved_at"] {
            try store.db.execute("ALTER TABLE tps_version DROP COLUMN \(column)")
        }
        // Schema 1 and 2 had an index of their own on source_file(kind, version_id).
        try store.db.execute("CREATE INDEX source_file_version ON source_file(kind, version_id)")
        try store.db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        let reopened = try Store(path: store.path)
        #expect(try rows(reopened, kept) == expected)
        #expect(try reopened.db.statement("SELECT value FROM meta WHERE key = 'schema_version'").rows { $0.text(0) } == ["3"])
        #expect(try reopened.db.statement("SELECT count(*) FROM sqlite_master WHERE name = 'source_file_version'").rows { $0.int(0) } == [0])

        // A version whose first copy is only partly known (a hand-edited store) is an error, not a crash.
        try reopened.db.execute("UPDATE tps_version SET first_url = NULL WHERE code = '3101011001002'")
        #expect(throws: SQLiteError.self) { try reopened.forEachTPSTableRow { _ in } }
    }

    @Test func changedContentAddsAVersionAndTheNewestTsIsCurrent() throws {
        // The newer version is imported first: currency follows KPU's ts, not import order.
        let newer = try Mirror(at: folder.sub("newer"))
        try newer.tps("1101012001001", votes: [144, 19, 2], form: Mirror.form(valid: 165), ts: "2024-02-20 13:00:00")
        let older = try Mirror(at: folder.sub("older"))
        try older.tps("1101012001001", votes: [186, 44, 8], form: Mirror.form(valid: 238), ts: "2024-02-15 23:29:50")

        let (summary, _) = try importer().runCollecting([newer.root, older.root])
        #expect(summary.newVersions == 2)
        let versions = try store.tpsVersions(code("1101012001001"))
        #expect(versions.map(\.result.ts.text) == ["2024-02-20 13:00:00", "2024-02-15 23:29:50"])
        #expect(versions.map { $0.result.chart?["100025"] } == [144, 186])
        #expect(try store.currentTPS(code("1101012001001"))?.result.chart?["100026"] == 19)
    }

    @Test func reimportingChangesNothing() throws {
        let mirror = try Mirror.smallVillage(at: folder.sub("mirror"))
        let (first, _) = try importer().runCollecting([mirror.root])
        let before = try dump()
        let (second, _) = try importer(at: "2027-01-01T00:00:00Z").runCollecting([mirror.root])
        #expect(second.unchanged == first.files)
        #expect(second.newVersions == 0 && second.newCopies == 0)
        #expect(try dump() == before)
    }

    /// Every row of the data tables (not the run log), for before/after comparisons.
    func dump() throws -> [String] {
        var lines: [String] = []
        for table in ["region", "region_list_version", "tps_version", "aggregate_version", "source_file", "rejected_file"] {
            let columns = try store.db.statement("SELECT name FROM pragma_table_info('\(table)')").rows { $0.text(0) }
            let select = columns.map { "quote(\"\($0)\")" }.joined(separator: " || '|' || ")
            lines += try store.db.statement("SELECT \(select) FROM \(table) ORDER BY 1").rows { "\(table): " + $0.text(0) }
        }
        return lines
    }

    @Test func brokenFilesAreRejectedWholeAndTheRestGoesOn() throws {
        let mirror = try Mirror.smallVillage(at: folder.sub("mirror"))
        let base = "pemilu/hhcw/ppwp/31/3101/310101/3101011001/"
        try mirror.write(base + "3101011001004.json", "")
        try mirror.write(base + "3101011001005.json", String(Mirror.tpsJSON(votes: [1, 2, 3]).prefix(90)))
        try mirror.write(base + "3101011001006.json", "<html><body>502 Bad Gateway</body></html>")
        try mirror.write(base + "3101011001007.json",
                         Mirror.tpsJSON(votes: [1, 2, 3]).replacingOccurrences(of: "\"100026\": 2", with: "\"100026\": \"2\""))
        try mirror.write(base + "TPS008.json", Mirror.tpsJSON(votes: [1, 2, 3]))
        try mirror.write("pemilu/hhcw/ppwp/31/3101/310102/3101011001/3101011001009.json", Mirror.tpsJSON(votes: [1, 2, 3]))
        try mirror.write("wilayah/pemilu/ppwp/31/3101/310101/3101011002.json", "[{\"nama\": \"X\", \"id\": 1, \"kode\": \"3101011002001\", \"tingkat\": \"5\"}]")

        let (summary, events) = try importer().runCollecting([mirror.root])
        let rejections = events.compactMap(\.rejection)
        #expect(summary.rejected == 7)
        #expect(rejections.count == 7)
        func reason(_ name: String) -> String? { rejections.first { $0.file.hasSuffix(name) }?.reason }
        #expect(reason("3101011001004.json")?.contains("empty") == true)
        #expect(reason("3101011001005.json")?.contains("not valid JSON") == true)
        #expect(reason("3101011001006.json")?.contains("not valid JSON") == true)
        #expect(reason("3101011001007.json")?.contains("chart.\"100026\"") == true)
        #expect(reason("TPS008.json")?.contains("not a region code") == true)
        #expect(reason("3101011001009.json")?.contains("folders do not match") == true)
        #expect(reason("3101011002.json")?.contains("tingkat") == true)
        // Every file names its root so the user can find it.
        #expect(rejections.allSatisfy { $0.file.hasPrefix(mirror.root + "/") })

        // Nothing of a rejected file is stored; the good files are.
        for suffix in ["004", "005", "006", "007", "009"] {
            #expect(try store.tpsVersions(code("3101011001" + suffix)).isEmpty)
        }
        #expect(try store.region(code("3101011002001")) == nil)
        #expect(try store.tpsWithResultsCount() == 3)
        #expect(try store.rejections().count == 7)
    }

    @Test func otherContestsAreSkippedWithOneNoticeEach() throws {
        let mirror = try Mirror.smallVillage(at: folder.sub("mirror"))
        for n in 1...3 {
            try mirror.write("pemilu/hhcw/pdpd/31/3101/310101/3101011001/310101100100\(n).json", "{}")
        }
        try mirror.write("pemilu/hhcw/pdpr.json", "{}")
        try mirror.write("README.md", "notes")
        let (summary, events) = try importer().runCollecting([mirror.root])
        let notices = events.compactMap { event -> String? in
            if case .skippedFolder(let name, _) = event { return name }
            return nil
        }
        #expect(notices == ["pemilu/hhcw/pdpd", "pemilu/hhcw/pdpr"])
        #expect(summary.skipped == ["pemilu/hhcw/pdpd": 3, "pemilu/hhcw/pdpr": 1])
        #expect(summary.ignored == 1)
        #expect(summary.rejected == 0)
    }

    /// Batches are examined on other threads and written in order: with batches of two files the
    /// store, the summary and the events (rejections, notices) are those of one big batch.
    @Test func smallBatchesGiveTheSameStoreSummaryAndEvents() throws {
        let mirror = try Mirror.smallVillage(at: folder.sub("mirror"))
        try mirror.write("pemilu/hhcw/pdpd/31/3101/310101/3101011001/3101011001001.json", "{}")
        try mirror.write("pemilu/hhcw/ppwp/31/3101/310101/3101011001/3101011001004.json", "")
        try mirror.write("pemilu/hhcw/ppwp/31/3101/310101/3101011001/TPS008.json", "{}")
        try mirror.write("README.md", "notes")
        func run(batchSize: Int, _ name: String) throws -> (ImportSummary, [String], [[String]]) {
            let store = try Store(path: folder.sub(name))
            var importer = Importer(store: store, importedAt: "2026-01-01T00:00:00Z")
            importer.batchSize = batchSize
            let (summary, events) = try importer.runCollecting([mirror.root])
            let described = events.compactMap { event -> String? in
                switch event {
                case .rejected(let file, let reason): "rejected \(file): \(reason)"
                case .skippedFolder(let name, let first): "skipped \(name) from \(first)"
                case .progress: nil
                }
            }
            let rows = try store.db.statement("""
                SELECT s.kind, s.path, s.raw_sha256, s.url, v.content_sha256, v.chart, v.administrasi, v.images
                FROM source_file s LEFT JOIN tps_version v ON s.kind = 'tps' AND v.id = s.version_id ORDER BY s.path
                """).rows { row in (0..<8).map { row.optionalText(Int32($0)) ?? "null" } }
            return (summary, described, rows)
        }
        let whole = try run(batchSize: 512, "whole.sqlite")
        let small = try run(batchSize: 2, "small.sqlite")
        #expect(whole.0 == small.0)
        #expect(whole.0.rejected == 2 && whole.0.ignored == 1 && whole.0.skipped == ["pemilu/hhcw/pdpd": 1])
        #expect(whole.1 == small.1)
        #expect(whole.1.count == 3)
        #expect(whole.2 == small.2)
        #expect(whole.2.count == whole.0.files)
    }

    @Test func impossibleValuesAreStoredExactly() throws {
        let mirror = try Mirror(at: folder.sub("mirror"))
        var form = Mirror.form(valid: 163)
        form["pemilih_dpt_j"] = 0
        form["suara_total"] = -1
        try mirror.tps("3173011002090", votes: [60, 40, 1551], form: form)
        _ = try importer().runCollecting([mirror.root])
        let result = try #require(try store.currentTPS(code("3173011002090"))?.result)
        #expect(result.chart?["100027"] == 1551)
        #expect(result.administrasi?["suara_total"] == -1)
        #expect(result.administrasi?["pemilih_dpt_j"] == 0)
    }

    @Test func aggregatesAreKeptAsPublished() throws {
        let mirror = try Mirror.smallVillage(at: folder.sub("mirror"))
        try mirror.write("pemilu/hhcw/ppwp.json", """
            {
                "ts": "2024-03-07 15:00:16",
                "psu": "Reguler",
                "mode": "hhcw",
                "chart": {
                    "100025": 999,
                    "100026": 888,
                    "100027": 777,
                    "persen": 12.34
                },
                "table": {
                    "31": {
                        "psu": "Reguler",
                        "100025": 999,
                        "100026": 888,
                        "100027": 777,
                        "persen": 12.34,
                        "status_progress": true
                    }
                },
                "progres": {
                    "total": 3,
                    "progres": 2
                }
            }
            """)
        _ = try importer().runCollecting([mirror.root])
        let national = try #require(try store.aggregateVersions(nil).first)
        #expect(national.aggregate.chart?.votes["100026"] == 888)
        #expect(national.aggregate.chart?.persen == 12.34)
        #expect(national.aggregate.table.first?.votes["100027"] == 777)
        #expect(national.aggregate.progres?.total == 3)
        #expect(national.sources.first?.url == "https://sirekap-obj-data.kpu.go.id/pemilu/hhcw/ppwp.json")
    }

    @Test func theCurrentAggregateIsTheNewestVersion() throws {
        func aggregate(ts: String, votes: Int) -> String {
            """
            {"ts": "\(ts)", "psu": "Reguler", "mode": "hhcw",
             "chart": {"100025": \(votes), "100026": 1, "100027": 2, "persen": 1.5},
             "table": {}, "progres": {"total": 3, "progres": 1}}
            """
        }
        for (name, ts, votes) in [("first", "2024-03-07 15:00:16", 10), ("later", "2024-03-08 09:00:00", 20),
                                  ("older", "2024-03-01 09:00:00", 5)] {
            let mirror = try Mirror(at: folder.sub(name))
            try mirror.write("pemilu/hhcw/ppwp.json", aggregate(ts: ts, votes: votes))
            _ = try importer().runCollecting([mirror.root])
        }
        let all = try store.aggregateVersions(nil)
        #expect(all.map { $0.aggregate.chart?.votes["100025"] } == [20, 10, 5])
        let current = try #require(try store.currentAggregate(nil))
        #expect(current.id == all[0].id && current.aggregate == all[0].aggregate && current.sources == all[0].sources)
        #expect(try store.aggregateVersions(nil, newest: true).map(\.id) == [all[0].id])
    }

    @Test func aMissingRootIsAnError() throws {
        #expect(throws: ImportError.self) { try importer().run(roots: [folder.sub("nowhere")]) }
    }
}
