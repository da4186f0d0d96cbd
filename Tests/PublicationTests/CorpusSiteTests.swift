import Foundation
import Publication
import SirekapFormat
import Store
import Testing
import TestSupport

/// The real corpus, imported and built once; every check reads the raw files independently
/// (JSONSerialization, no code of ours) and compares them with what the site says.
@Suite(.serialized, .enabled(if: SharedCorpus.root != nil, "needs ../shared/corpus"))
struct CorpusSiteTests {
    struct Built {
        let folder: TemporaryFolder
        let site: SiteInspector
        let second: SiteInspector
        let raw: RawCorpus
    }

    nonisolated(unsafe) static let built: Built = {
        // A memory-backed folder where there is one: 340,000 small files on a shared disk are slow.
        // Static storage is never deinitialised, so the folder is removed when the test process exits.
        let folder = try! TemporaryFolder(preferring: "/dev/shm")
        TemporaryFolder.removeAtExit(folder.path)
        try! Data("""
            {"title": "Corpus", "candidates": [{"id": "100025", "number": 1, "name": "01"},
             {"id": "100026", "number": 2, "name": "02"}, {"id": "100027", "number": 3, "name": "03"}]}
            """.utf8).write(to: URL(fileURLWithPath: folder.sub("publication.json")))
        let store = try! Store(path: folder.sub("store.sqlite"))
        _ = try! Importer(store: store, importedAt: "2026-01-01T00:00:00Z").run(roots: SharedCorpus.mirrors)
        func build(_ output: String) -> SiteInspector {
            try! SiteBuild(options: .init(
                publicationFolder: folder.path, storePath: folder.sub("store.sqlite"), outputFolder: folder.sub(output),
                templatesFolder: PublishBinary.packageRoot.appendingPathComponent("Templates").path,
                assetsFolder: PublishBinary.packageRoot.appendingPathComponent("Site").path,
                importedAt: "2026-01-01T00:00:00Z")).run()
            return SiteInspector(root: folder.sub(output), owner: folder)
        }
        return Built(folder: folder, site: build("site"), second: build("again"), raw: RawCorpus.read(SharedCorpus.mirrors))
    }()

    var site: SiteInspector { Self.built.site }
    var raw: RawCorpus { Self.built.raw }

    // Mismatches are collected and expected empty once: an expectation per value would cost more
    // than the check itself (Swift Testing records where each one was evaluated).
    @Test func everyKnownTPSHasAPageWithTheNewestRawValues() throws {
        let all = raw.listedTPS.union(raw.newest.keys)
        #expect(all.count == 33_418)
        var mismatches: [String] = []
        for code in all.sorted() {
            let folder = "ppwp/" + Mirror.path(code) + "/"
            guard site.exists(folder + "index.html") else { mismatches.append("\(code): no page"); continue }
            let twin = try site.json(folder + "index.json")
            let expected = raw.newest[code]
            let chart = twin["chart"] as? [String: Any]
            let form = twin["administrasi"] as? [String: Any]
            let rawChart = expected?["chart"] as? [String: Any]
            let rawForm = expected?["administrasi"] as? [String: Any]
            if (chart == nil) != (rawChart == nil) { mismatches.append("\(code): chart presence") }
            for candidate in ["100025", "100026", "100027"] where chart?[candidate] as? Int != rawChart?[candidate] as? Int {
                mismatches.append("\(code): \(candidate)")
            }
            if (form == nil) != (rawForm == nil) { mismatches.append("\(code): administrasi presence") }
            for field in Administrasi.fieldNames where form?[field] as? Int != rawForm?[field] as? Int {
                mismatches.append("\(code): \(field)")
            }
            if twin["ts"] as? String != expected?["ts"] as? String { mismatches.append("\(code): ts") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test func everyRegionTotalIsTheSumOfItsTPS() throws {
        // Expected sums from the raw files: every TPS's newest chart added to each of its ancestors.
        var expected: [String: [String: Int]] = [:]
        for (code, object) in raw.newest {
            guard let chart = object["chart"] as? [String: Any] else { continue }
            for length in [0, 2, 4, 6, 10] {
                let key = String(code.prefix(length))
                for candidate in ["100025", "100026", "100027"] {
                    expected[key, default: [:]][candidate, default: 0] += chart[candidate] as? Int ?? 0
                }
            }
        }
        var checked = 0
        var mismatches: [String] = []
        for file in site.files() where file.hasPrefix("ppwp/") && file.hasSuffix("index.json") {
            let twin = try site.json(file)
            guard (twin["level"] as? Int ?? 5) < 5 else { continue }
            let code = twin["code"] as? String ?? ""
            let computed = (twin["computed"] as? [String: Any])?["chart"] as? [String: Int] ?? [:]
            let want = expected[code] ?? [:]
            for candidate in ["100025", "100026", "100027"] where (computed[candidate] ?? 0) != (want[candidate] ?? 0) {
                mismatches.append("\(code) \(candidate)")
            }
            checked += 1
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
        #expect(checked == 1 + 39 + 643 + 7_405 + 83_859)
        let national = try site.json("ppwp/index.json")
        #expect((national["computed"] as? [String: Any])?["tps_total"] as? Int == 33_418)
        #expect((national["computed"] as? [String: Any])?["tps_with_results"] as? Int == raw.newest.values.filter { $0["chart"] is [String: Any] }.count)
    }

    @Test func kpuAggregatesAppearUnchanged() throws {
        #expect(raw.aggregates.count == 142)
        for (code, object) in raw.aggregates {
            let folder = code.isEmpty ? "ppwp/" : "ppwp/" + Mirror.path(code) + "/"
            let kpu = try #require(try site.json(folder + "index.json")["kpu"] as? [String: Any], "\(code)")
            var rawChart = object["chart"] as? [String: Any] ?? [:]
            let persen = rawChart.removeValue(forKey: "persen") as? Double
            #expect(kpu["chart"] as? [String: Int] == rawChart as? [String: Int], "\(code)")
            #expect(kpu["persen"] as? Double == persen, "\(code)")
            #expect(kpu["ts"] as? String == object["ts"] as? String, "\(code)")
            let progres = object["progres"] as? [String: Int]
            #expect(kpu["progres"] as? [String: Int] == progres, "\(code)")
        }
    }

    @Test func csvHoldsOneRowPerTPSWithTheRawValues() throws {
        let rows = SiteInspector.csvRows(try site.text("downloads/ppwp-tps.csv"))
        let header = rows[0]
        let body = rows.dropFirst()
        #expect(body.count == 33_418)
        #expect(Set(body.map { $0[0] }).count == 33_418)
        let column = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        var mismatches: [String] = []
        for row in body {
            let expected = raw.newest[row[0]]
            let chart = expected?["chart"] as? [String: Any]
            for candidate in ["100025", "100026", "100027"]
            where row[column["votes_\(candidate)"]!] != ((chart?[candidate] as? Int).map(String.init) ?? "") {
                mismatches.append("\(row[0]) \(candidate)")
            }
            let form = expected?["administrasi"] as? [String: Any]
            for field in Administrasi.fieldNames where row[column[field]!] != ((form?[field] as? Int).map(String.init) ?? "") {
                mismatches.append("\(row[0]) \(field)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
        var partition: [[String]] = []
        for file in site.files() where file.hasPrefix("downloads/ppwp-tps-") && file.hasSuffix(".csv") {
            let part = SiteInspector.csvRows(try site.text(file))
            #expect(part[0] == header)
            partition += part.dropFirst()
        }
        #expect(partition == Array(body))
    }

    @Test func revisedTPSShowsBothVersions() throws {
        let twin = try site.json("ppwp/11/1101/110101/1101012001/1101012001001/index.json")
        let history = try #require(twin["history"] as? [[String: Any]])
        #expect(history.map { $0["ts"] as? String } == ["2024-02-20 13:00:00", "2024-02-15 23:29:50"])
        #expect(history.map { $0["chart"] as? [String: Int] } == [
            ["100025": 144, "100026": 19, "100027": 2], ["100025": 186, "100026": 44, "100027": 8],
        ])
        let html = try site.text("ppwp/11/1101/110101/1101012001/1101012001001/index.html")
        #expect(html.contains("Versi (2)"))
    }

    /// The rules, written again from their published definitions over the raw JSON, must give
    /// exactly the pairs in the anomaly CSV, and the reference counts.
    @Test func anomalyCSVHoldsExactlyThePairsTheRulesGive() throws {
        var expected: Set<[String]> = []
        for (code, object) in raw.newest {
            for rule in IndependentRules.fire(object) { expected.insert([code, rule]) }
        }
        let rows = SiteInspector.csvRows(try site.text("downloads/ppwp-anomalies.csv"))
        let header = rows[0]
        let ruleColumn = try #require(header.firstIndex(of: "rule"))
        let pairs = rows.dropFirst().map { [$0[0], $0[ruleColumn]] }
        #expect(pairs.count == Set(pairs).count)
        #expect(Set(pairs) == expected)
        var counts: [String: Int] = [:]
        for pair in pairs { counts[pair[1], default: 0] += 1 }
        #expect(counts == [
            "TOTAL_NE_VOTERS": 51, "SUM_NE_SAH": 28, "GENDER_SUM_MISMATCH": 27, "VOTERS_SUM_MISMATCH": 26,
            "SAH_TIDAK_SAH_NE_TOTAL": 11, "VOTES_OVER_DPT": 10, "DPT_ZERO_WITH_VOTES": 8, "STATUS_MISMATCH": 1,
        ])
        let national = try site.json("ppwp/index.json")
        let flagged = (national["computed"] as? [String: Any])?["anomalies"] as? [String: Int]
        #expect(flagged?["TOTAL_NE_VOTERS"] == 51 && flagged?["COUNT_OUT_OF_RANGE"] == 0)
    }

    @Test func revisionOfTheRevisedTPSIsPublished() throws {
        let rows = SiteInspector.csvRows(try site.text("downloads/ppwp-revisions.csv"))
        let changes = rows.filter { $0.first == "1101012001001" }.map { [$0[3], $0[4], $0[5]] }
        #expect(changes.contains(["chart.100025", "186", "144"]))
        #expect(changes.contains(["chart.100026", "44", "19"]))
        #expect(changes.contains(["chart.100027", "8", "2"]))
        #expect(rows.filter { $0.first == "1101012001001" }.allSatisfy { $0[1] == "2024-02-15 23:29:50" && $0[2] == "2024-02-20 13:00:00" })
        let html = try site.text("ppwp/11/1101/110101/1101012001/1101012001001/index.html")
        #expect(html.contains("<tr><td><code>chart.100025</code></td><td class=\"num\">186</td><td class=\"num\">144</td></tr>"))
    }

    @Test(.enabled(if: ParquetReaders.python != nil || ParquetReaders.required, "needs pyarrow and duckdb"))
    func parquetDownloadsEqualTheCSVs() throws {
        let problems = try DownloadChecks.parquetProblems(site, provinces: 3)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func dataPackageAndChecksumsMatchTheFiles() throws {
        let problems = try DownloadChecks.packageProblems(site)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func everyInternalLinkResolvesAndEveryPageIsValid() throws {
        #expect(try site.brokenLinks() == [])
        var problems: [String] = []
        for page in site.files() where page.hasSuffix(".html") {
            for problem in SiteInspector.pageProblems(try site.text(page)) { problems.append("\(page): \(problem)") }
        }
        #expect(problems.isEmpty, "\(problems.prefix(10))")
    }

    @Test func twoBuildsAreByteIdentical() throws {
        let first = site.files()
        #expect(first == Self.built.second.files())
        var differing: [String] = []
        for file in first {
            let a = FileManager.default.contents(atPath: site.root + "/" + file)
            let b = FileManager.default.contents(atPath: Self.built.second.root + "/" + file)
            if a != b { differing.append(file) }
        }
        #expect(differing.isEmpty, "\(differing.count) files differ, first \(differing.prefix(5))")
    }
}

/// The corpus read with Foundation alone: the newest raw version of every TPS (by ts; on a tie,
/// the mirror given last), every listed TPS, and every KPU aggregate of the main copy.
struct RawCorpus {
    var newest: [String: [String: Any]] = [:]
    var listedTPS: Set<String> = []
    var aggregates: [String: [String: Any]] = [:]

    static func read(_ mirrors: [String]) -> RawCorpus {
        var corpus = RawCorpus()
        for (index, mirror) in mirrors.enumerated() {
            let results = mirror + "/pemilu/hhcw/ppwp"
            for relative in (FileManager.default.subpaths(atPath: results) ?? []).sorted() where relative.hasSuffix(".json") {
                let stem = String((relative as NSString).lastPathComponent.dropLast(5))
                let data = FileManager.default.contents(atPath: results + "/" + relative)!
                let object = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
                if stem.count == 13 {
                    let ts = object["ts"] as! String
                    if let held = corpus.newest[stem], (held["ts"] as! String) > ts { continue }
                    corpus.newest[stem] = object
                } else if index == 0 {
                    corpus.aggregates[stem] = object
                }
            }
            if index == 0, let national = FileManager.default.contents(atPath: mirror + "/pemilu/hhcw/ppwp.json") {
                corpus.aggregates[""] = try! JSONSerialization.jsonObject(with: national) as? [String: Any]
            }
            let lists = mirror + "/wilayah/pemilu/ppwp"
            for relative in FileManager.default.subpaths(atPath: lists) ?? [] where relative.hasSuffix(".json") {
                let data = FileManager.default.contents(atPath: lists + "/" + relative)!
                for entry in try! JSONSerialization.jsonObject(with: data) as! [[String: Any]] {
                    if let code = entry["kode"] as? String, code.count == 13 { corpus.listedTPS.insert(code) }
                }
            }
        }
        return corpus
    }
}

/// The nine rules of the methodology page, over raw JSON objects, written apart from the
/// Quality module so that the two can check each other.
enum IndependentRules {
    static func fire(_ tps: [String: Any]) -> [String] {
        var fired: [String] = []
        let chart = tps["chart"] as? [String: Any]
        let form = tps["administrasi"] as? [String: Any]
        func int(_ key: String) -> Int? { form?[key] as? Int }
        let candidateValues = chart.map { $0.filter { $0.key != "null" }.map(\.value) } ?? []
        let s: Int? = chart != nil && !candidateValues.isEmpty && candidateValues.allSatisfy({ $0 is Int })
            ? candidateValues.reduce(0) { $0 + ($1 as! Int) } : nil
        if let s, let sah = int("suara_sah"), s != sah { fired.append("SUM_NE_SAH") }
        if let a = int("suara_sah"), let b = int("suara_tidak_sah"), let c = int("suara_total"), a + b != c {
            fired.append("SAH_TIDAK_SAH_NE_TOTAL")
        }
        if let c = int("suara_total"), let t = int("pengguna_total_j"), c != t { fired.append("TOTAL_NE_VOTERS") }
        if ["j", "l", "p"].contains(where: { x in
            guard let t = int("pengguna_total_\(x)"), let d = int("pengguna_dpt_\(x)"), let b = int("pengguna_dptb_\(x)"),
                  let n = int("pengguna_non_dpt_\(x)") else { return false }
            return t != d + b + n
        }) { fired.append("VOTERS_SUM_MISMATCH") }
        if ["pemilih_dpt", "pengguna_dpt", "pengguna_dptb", "pengguna_non_dpt", "pengguna_total"].contains(where: { base in
            guard let j = int(base + "_j"), let l = int(base + "_l"), let p = int(base + "_p") else { return false }
            return j != l + p
        }) { fired.append("GENDER_SUM_MISMATCH") }
        if let s, let dpt = int("pemilih_dpt_j"), dpt > 0, 100 * s > 102 * dpt { fired.append("VOTES_OVER_DPT") }
        if let s, let dpt = int("pemilih_dpt_j"), dpt == 0, s > 0 { fired.append("DPT_ZERO_WITH_VOTES") }
        let allInts = candidateValues.compactMap { $0 as? Int } + (form?.values.compactMap { $0 as? Int } ?? [])
        if allInts.contains(where: { $0 < 0 || $0 > 999 }) { fired.append("COUNT_OUT_OF_RANGE") }
        let chartHasValue = candidateValues.contains { $0 is Int }
        if (tps["status_suara"] as? Bool) != chartHasValue || (tps["status_adm"] as? Bool) != (form != nil) {
            fired.append("STATUS_MISMATCH")
        }
        return fired
    }
}
