import Foundation
import SirekapFormat
import Testing
import TestSupport
@testable import Store

/// The real corpus in `../shared/corpus` (present in CI): the import must reproduce the counts
/// of the region lists and every number of every raw TPS file.
@Suite(.serialized, .enabled(if: SharedCorpus.root != nil, "needs ../shared/corpus"))
struct CorpusImportTests {
    // One import for the whole suite; the suite is serialized because a store is one connection.
    nonisolated(unsafe) static let imported: (store: Store, summary: ImportSummary, folder: TemporaryFolder) = {
        let folder = try! TemporaryFolder()
        let store = try! Store(path: folder.sub("corpus.sqlite"))
        let summary = try! Importer(store: store, importedAt: "2026-01-01T00:00:00Z").run(roots: SharedCorpus.mirrors)
        return (store, summary, folder)
    }()

    var store: Store { Self.imported.store }

    @Test func nothingIsRejected() {
        #expect(Self.imported.summary.rejected == 0)
        #expect(Self.imported.summary.skipped["pemilu/hhcw/pdpd"] == 10)
    }

    @Test func regionCountsPerLevelMatchTheLists() throws {
        #expect(try Level.allCases.map { try store.regionCount(level: $0) } == [39, 643, 7_405, 83_859, 33_418])
    }

    @Test func everyTPSResultIsHeld() throws {
        #expect(try store.tpsWithResultsCount() == 1_007)
    }

    @Test func revisedTPSHasBothVersions() throws {
        let versions = try store.tpsVersions(RegionCode("1101012001001")!)
        #expect(versions.count == 2)
        #expect(versions[0].result.ts.text == "2024-02-20 13:00:00")
        #expect(versions[0].result.chart.map { [$0["100025"], $0["100026"], $0["100027"]] } == [144, 19, 2])
        #expect(versions[1].result.ts.text == "2024-02-15 23:29:50")
        #expect(versions[1].result.chart.map { [$0["100025"], $0["100026"], $0["100027"]] } == [186, 44, 8])
        // The older content was saved by two mirrors in two serialisations.
        #expect(versions[1].sources.count == 2)
    }

    @Test func namesAreKeptVerbatim() throws {
        #expect(try store.region(RegionCode("91")!)?.rawName == "P A P U A")
        let kerinci = try #require(try store.children(of: RegionCode("15")!).first { $0.name == "KERINCI" })
        #expect(kerinci.rawName == " KERINCI")
    }

    /// Every raw TPS file, read independently with JSONSerialization, equals a stored version.
    @Test func everyStoredNumberEqualsTheRawFile() throws {
        let base = SharedCorpus.root! + "/sirekap/pemilu/hhcw/ppwp"
        let enumerator = FileManager.default.enumerator(atPath: base)!
        var checked = 0
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            guard name.count == 18, name.hasSuffix(".json"), let code = RegionCode(name.prefix(13)) else { continue }
            let data = try Data(contentsOf: URL(fileURLWithPath: base + "/" + relative))
            let raw = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let versions = try store.tpsVersions(code)
            let match = versions.first { version in
                let chart = raw["chart"] as? [String: Any]
                let form = raw["administrasi"] as? [String: Any]
                let chartOK = ["100025", "100026", "100027"].allSatisfy {
                    (chart?[$0] as? Int) == version.result.chart?[$0]
                }
                let formOK = Administrasi.fieldNames.allSatisfy {
                    (form?[$0] as? Int) == version.result.administrasi?[$0]
                }
                return chartOK && formOK && (raw["ts"] as? String) == version.result.ts.text
                    && (chart == nil) == (version.result.chart == nil)
            }
            #expect(match != nil, "\(code) differs from its raw file")
            checked += 1
        }
        #expect(checked == 1_007)
    }

    @Test func kpuAggregatesAreHeld() throws {
        #expect(try store.aggregateCount() == 142)
        let national = try #require(try store.aggregateVersions(nil).first)
        #expect(national.aggregate.ts.text == "2024-03-07 15:00:16")
        #expect(national.aggregate.table.count == 39)
    }
}
