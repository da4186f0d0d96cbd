import Foundation
@testable import Publication
import SirekapFormat
import Store
import Testing
import TestSupport

/// A publication in a temporary folder, built with the repository's own templates and assets.
struct Workspace {
    let folder: TemporaryFolder
    let mirror: Mirror

    init(demo: Bool = false, configure: (Mirror) throws -> Void = { _ in }) throws {
        folder = try TemporaryFolder()
        mirror = try Mirror.smallVillage(at: folder.sub("publication/mirror"))
        try configure(mirror)
        try Data("""
            {
                "title": "Test <Publication>",
                "description": "A test & more",
                "base_url": "https://example.org/pemilu/",
                "demo": \(demo),
                "import": ["mirror"],
                "license": "test",
                "candidates": [
                    {"id": "100025", "number": 1, "name": "Pasangan Satu"},
                    {"id": "100026", "number": 2, "name": "Pasangan Dua"},
                    {"id": "100027", "number": 3, "name": "Pasangan Tiga"}
                ]
            }
            """.utf8).write(to: URL(fileURLWithPath: folder.sub("publication/publication.json")))
    }

    func options(output: String = "site", store: String = "store.sqlite", templates: String? = nil) -> SiteBuild.Options {
        SiteBuild.Options(
            publicationFolder: folder.sub("publication"), storePath: folder.sub(store), outputFolder: folder.sub(output),
            templatesFolder: templates ?? PublishBinary.packageRoot.appendingPathComponent("Templates").path,
            assetsFolder: PublishBinary.packageRoot.appendingPathComponent("Site").path,
            importedAt: "2026-01-01T00:00:00Z")
    }

    @discardableResult
    func build(output: String = "site") throws -> SiteInspector {
        try SiteBuild(options: options(output: output)).run()
        return SiteInspector(root: folder.sub(output), owner: folder)
    }
}

@Suite struct SiteBuildTests {
    @Test func everyRegionAndTPSHasAPageAndATwinAtItsCodePath() throws {
        let site = try Workspace().build()
        for folder in ["ppwp/", "ppwp/31/", "ppwp/31/3101/", "ppwp/31/3101/310101/", "ppwp/31/3101/310101/3101011001/",
                       "ppwp/31/3101/310101/3101011001/3101011001001/", "ppwp/31/3101/310101/3101011001/3101011001003/",
                       "ppwp/99/"] {
            #expect(site.exists(folder + "index.html"), "\(folder)")
            #expect(site.exists(folder + "index.json"), "\(folder)")
        }
        #expect(site.exists("index.html") && site.exists("downloads/index.html") && site.exists("assets/style.css"))
    }

    @Test func tpsTwinHoldsTheRawValuesAndProvenance() throws {
        let workspace = try Workspace()
        let site = try workspace.build()
        let twin = try site.json("ppwp/31/3101/310101/3101011001/3101011001001/index.json")
        #expect(twin["code"] as? String == "3101011001001")
        #expect(twin["name"] as? String == "TPS 001")
        #expect(twin["chart"] as? [String: Int] == ["100025": 120, "100026": 45, "100027": 9])
        let form = try #require(twin["administrasi"] as? [String: Int])
        #expect(form.count == 18 && form["suara_sah"] == 174)
        #expect(twin["ts"] as? String == "2024-02-16 16:25:10")
        #expect(twin["status_suara"] as? Bool == true)
        let source = try #require(twin["source"] as? [String: Any])
        #expect(source["url"] as? String
            == "https://sirekap-obj-data.kpu.go.id/pemilu/hhcw/ppwp/31/3101/310101/3101011001/3101011001001.json")
        #expect((source["sha256"] as? String)?.count == 64)
        #expect(source["retrieved"] as? String == "2026-01-01T00:00:00Z")
        #expect((twin["history"] as? [Any])?.count == 1)
        #expect((twin["anomalies"] as? [Any])?.isEmpty == true)
        for key in ["images", "psu", "status_adm"] { #expect(twin.keys.contains(key)) }
    }

    @Test func tpsWithoutResultStillHasAPageSayingSo() throws {
        let site = try Workspace { mirror in try mirror.remove("pemilu/hhcw/ppwp/31/3101/310101/3101011001/3101011001003.json") }.build()
        let twin = try site.json("ppwp/31/3101/310101/3101011001/3101011001003/index.json")
        #expect(twin["chart"] is NSNull)
        #expect(twin["administrasi"] is NSNull)
        #expect((twin["history"] as? [Any])?.isEmpty == true)
        let html = try site.text("ppwp/31/3101/310101/3101011001/3101011001003/index.html")
        #expect(html.contains("Belum ada hasil"))
    }

    @Test func revisedTPSShowsEveryVersionNewestFirst() throws {
        let workspace = try Workspace { mirror in
            try mirror.tps("3101011001002", votes: [70, 60, 20], form: Mirror.form(valid: 150), ts: "2024-02-20 13:00:00")
        }
        // The older version comes from a second mirror imported before the build.
        let older = try Mirror(at: workspace.folder.sub("older"))
        try older.tps("3101011001002", votes: [80, 60, 20], form: Mirror.form(valid: 160), ts: "2024-02-15 23:29:50")
        let store = try Store(path: workspace.folder.sub("store.sqlite"))
        _ = try Importer(store: store, importedAt: "2026-01-01T00:00:00Z").run(roots: [older.root])
        let site = try workspace.build()
        let twin = try site.json("ppwp/31/3101/310101/3101011001/3101011001002/index.json")
        let history = try #require(twin["history"] as? [[String: Any]])
        #expect(history.map { $0["ts"] as? String } == ["2024-02-20 13:00:00", "2024-02-15 23:29:50"])
        #expect(history.map { ($0["chart"] as? [String: Int])?["100025"] } == [70, 80])
        #expect((twin["chart"] as? [String: Int])?["100025"] == 70)
        let html = try site.text("ppwp/31/3101/310101/3101011001/3101011001002/index.html")
        #expect(html.contains("Versi (2)"))
        #expect(html.contains("2024-02-15 23:29:50 WIB"))
    }

    @Test func regionTotalsAreTheSumOfTheirTPS() throws {
        let site = try Workspace().build()
        let village = try site.json("ppwp/31/3101/310101/3101011001/index.json")
        let computed = try #require(village["computed"] as? [String: Any])
        #expect(computed["chart"] as? [String: Int] == ["100025": 200, "100026": 105, "100027": 29])
        #expect(computed["suara_sah"] as? Int == 334)
        #expect(computed["suara_tidak_sah"] as? Int == 2)
        #expect(computed["tps_total"] as? Int == 3)
        #expect(computed["tps_with_results"] as? Int == 2)
        let national = try site.json("ppwp/index.json")
        #expect((national["computed"] as? [String: Any])?["chart"] as? [String: Int] == ["100025": 200, "100026": 105, "100027": 29])
        #expect(national["kpu"] is NSNull)
        let children = try #require(national["children"] as? [[String: Any]])
        #expect(children.map { $0["code"] as? String } == ["31", "99"])
    }

    @Test func kpuAggregateIsShownApartAndUnchanged() throws {
        let site = try Workspace { mirror in
            try mirror.write("pemilu/hhcw/ppwp/31/3101/310101/3101011001.json", """
                {
                    "ts": "2024-02-16 17:00:15",
                    "psu": "Reguler",
                    "chart": {
                        "100025": 999,
                        "100026": 105,
                        "100027": 29,
                        "persen": 66.67
                    },
                    "table": {
                        "3101011001001": {
                            "psu": "Reguler",
                            "100025": 120,
                            "100026": 45,
                            "100027": 9,
                            "persen": 100,
                            "status_progress": true
                        }
                    },
                    "progres": {
                        "total": 3,
                        "progres": 2
                    }
                }
                """)
        }.build()
        let village = try site.json("ppwp/31/3101/310101/3101011001/index.json")
        let kpu = try #require(village["kpu"] as? [String: Any])
        #expect(kpu["chart"] as? [String: Int] == ["100025": 999, "100026": 105, "100027": 29])
        #expect(kpu["persen"] as? Double == 66.67)
        #expect(kpu["ts"] as? String == "2024-02-16 17:00:15")
        #expect((kpu["progres"] as? [String: Int]) == ["total": 3, "progres": 2])
        // Our totals stay ours.
        #expect(((village["computed"] as? [String: Any])?["chart"] as? [String: Int])?["100025"] == 200)
        let html = try site.text("ppwp/31/3101/310101/3101011001/index.html")
        #expect(html.contains("<td class=\"num\">999</td><td class=\"num\">+799</td>"))
    }

    @Test func csvHoldsOneRowPerTPSAndProvincesPartitionIt() throws {
        let site = try Workspace { mirror in
            try mirror.regionList(parent: "99", [("9901", "Abu Dhabi, Uni Emirat Arab", 10)])
            try mirror.regionList(parent: "9901", [("990101", "Abu Dhabi, Uni Emirat Arab", 11)])
            try mirror.regionList(parent: "990101", [("9901010001", "Abu Dhabi, Uni Emirat Arab", 12)])
            try mirror.regionList(parent: "9901010001", [("9901010001001", "POS 001", 13), ("9901010001002", "TPS \"001\", A", 14)])
            try mirror.tps("9901010001002", votes: [5, 6, 7], form: Mirror.form(valid: 18))
        }.build()
        let national = SiteInspector.csvRows(try site.text("downloads/ppwp-tps.csv"))
        let header = national[0]
        #expect(header.starts(with: ["tps_code", "tps_name", "province_code", "province_name"]))
        for column in ["votes_100025", "votes_100026", "votes_100027", "suara_sah", "pengguna_non_dpt_p", "psu", "ts",
                       "status_suara", "status_adm", "source_sha256", "source_url"] {
            #expect(header.contains(column), "\(column)")
        }
        let rows = national.dropFirst()
        #expect(rows.map { $0[0] } == ["3101011001001", "3101011001002", "3101011001003", "9901010001001", "9901010001002"])
        #expect(rows.allSatisfy { $0.count == header.count })
        let byCode = Dictionary(uniqueKeysWithValues: rows.map { ($0[0], Dictionary(uniqueKeysWithValues: zip(header, $0))) })
        #expect(byCode["3101011001001"]?["votes_100025"] == "120")
        #expect(byCode["3101011001003"]?["votes_100025"] == "")
        #expect(byCode["9901010001001"]?["ts"] == "")
        #expect(byCode["9901010001002"]?["tps_name"] == "TPS \"001\", A")
        #expect(byCode["3101011001001"]?["village_name"] == " PULAU PANGGANG.")
        let partition = try ["31", "99"].flatMap { SiteInspector.csvRows(try site.text("downloads/ppwp-tps-\($0).csv")).dropFirst() }
        #expect(partition == Array(rows))
    }

    @Test func everyPageIsValidAndEveryInternalLinkResolves() throws {
        let site = try Workspace(demo: true).build()
        #expect(try site.brokenLinks() == [])
        for page in site.files() where page.hasSuffix(".html") {
            #expect(SiteInspector.pageProblems(try site.text(page)) == [], "\(page)")
        }
    }

    @Test func demoBuildSaysDEMOOnEveryResultsPage() throws {
        let site = try Workspace(demo: true).build()
        // The methodology describes rules, not results: the one exception.
        for page in site.files() where page.hasSuffix(".html") && !page.hasPrefix("metodologi/") {
            #expect(try site.text(page).contains("<strong>DEMO</strong>"), "\(page)")
        }
        let plain = try Workspace(demo: false).build()
        #expect(try !plain.text("ppwp/index.html").contains("DEMO"))
    }

    @Test func hostileNamesAreEscapedOnPagesAndVerbatimInTwins() throws {
        let hostile = "<script>alert('x')</script> & \"Desa\""
        let site = try Workspace { mirror in
            try mirror.regionList(parent: "310101", [("3101011001", hostile, 5)])
        }.build()
        let twin = try site.json("ppwp/31/3101/310101/3101011001/index.json")
        #expect(twin["name"] as? String == hostile)
        let tpsTwin = try site.json("ppwp/31/3101/310101/3101011001/3101011001001/index.json")
        #expect((tpsTwin["region"] as? [String: [String: String]])?["village"]?["name"] == hostile)
        for page in site.files() where page.hasSuffix(".html") {
            let html = try site.text(page)
            #expect(!html.contains("<script>"), "\(page)")
        }
        let villagePage = try site.text("ppwp/31/3101/310101/3101011001/index.html")
        #expect(villagePage.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Desa&quot;"))
    }

    @Test func rejectedFileNeverShowsPartialNumbers() throws {
        let workspace = try Workspace { mirror in
            try mirror.write("pemilu/hhcw/ppwp/31/3101/310101/3101011001/3101011001003.json",
                             Mirror.tpsJSON(votes: [7, 8, 9]).replacingOccurrences(of: "\"100027\": 9", with: "\"100027\": \"9\""))
        }
        // The publication's own mirror has a broken file: the build refuses.
        #expect(throws: SiteBuild.BuildError.self) { try workspace.build() }
        // Imported on its own (reported, skipped), the rest builds and the TPS shows no numbers.
        let store = try Store(path: workspace.folder.sub("other.sqlite"))
        let summary = try Importer(store: store, importedAt: "2026-01-01T00:00:00Z").run(roots: [workspace.mirror.root])
        #expect(summary.rejected == 1)
        var options = workspace.options(store: "other.sqlite")
        options.publicationFolder = workspace.folder.sub("publication-noimport")
        try FileManager.default.createDirectory(atPath: options.publicationFolder, withIntermediateDirectories: true)
        let config = try String(contentsOfFile: workspace.folder.sub("publication/publication.json"), encoding: .utf8)
            .replacingOccurrences(of: "\"import\": [\"mirror\"],", with: "")
        try config.write(toFile: options.publicationFolder + "/publication.json", atomically: true, encoding: .utf8)
        try SiteBuild(options: options).run()
        let site = SiteInspector(root: options.outputFolder, owner: workspace.folder)
        let twin = try site.json("ppwp/31/3101/310101/3101011001/3101011001003/index.json")
        #expect(twin["chart"] is NSNull)
        #expect(try !site.text("downloads/ppwp-tps.csv").contains(",7,8,"))
    }

    @Test func twoBuildsAreByteIdentical() throws {
        let workspace = try Workspace(demo: true)
        let first = try workspace.build(output: "one")
        let second = try workspace.build(output: "two")
        #expect(first.files() == second.files())
        for file in first.files() {
            let a = try Data(contentsOf: URL(fileURLWithPath: first.root + "/" + file))
            let b = try Data(contentsOf: URL(fileURLWithPath: second.root + "/" + file))
            #expect(a == b, "\(file)")
        }
    }

    @Test func failedBuildLeavesThePreviousSiteWhole() throws {
        let workspace = try Workspace()
        let site = try workspace.build()
        func contents() -> [Data?] { site.files().map { FileManager.default.contents(atPath: site.root + "/" + $0) } }
        let before = contents()
        // A broken template: the build fails and names the file and line.
        let templates = workspace.folder.sub("templates")
        try FileManager.default.copyItem(atPath: PublishBinary.packageRoot.appendingPathComponent("Templates").path, toPath: templates)
        try "{{> _head}}\n<main>{{#children}}\n</main>".write(toFile: templates + "/region.mustache", atomically: true, encoding: .utf8)
        let error = try #require(throws: SiteBuild.BuildError.self) {
            try SiteBuild(options: workspace.options(templates: templates)).run()
        }
        #expect(error.description.contains("region.mustache"))
        #expect(contents() == before)
        #expect(!FileManager.default.fileExists(atPath: workspace.folder.sub(".site.building")))
    }

    @Test func refusesToReplaceAFolderItDidNotBuild() throws {
        let workspace = try Workspace()
        try FileManager.default.createDirectory(atPath: workspace.folder.sub("site"), withIntermediateDirectories: true)
        try "precious".write(toFile: workspace.folder.sub("site/notes.txt"), atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try workspace.build() }
        #expect(try String(contentsOfFile: workspace.folder.sub("site/notes.txt"), encoding: .utf8) == "precious")
    }

    @Test func anomaliesAppearOnPagesTwinsListsAndTheCSV() throws {
        let workspace = try Workspace { mirror in
            // Votes add up to 190 against 180 valid votes; DPT 0 with votes at another TPS.
            try mirror.tps("3101011001002", votes: [100, 60, 30], form: Mirror.form(valid: 180))
            var empty = Mirror.form(valid: 50, dpt: 0)
            empty["pemilih_dpt_l"] = 0
            empty["pemilih_dpt_p"] = 0
            try mirror.tps("3101011001001", votes: [20, 20, 10], form: empty)
        }
        let site = try workspace.build()
        let twin = try site.json("ppwp/31/3101/310101/3101011001/3101011001002/index.json")
        #expect(twin["anomalies"] as? [String] == ["SUM_NE_SAH"])
        let details = try #require(twin["anomaly_details"] as? [[String: String]])
        #expect(details == [["rule": "SUM_NE_SAH", "detail": "S = 190, suara_sah = 180"]])
        #expect(try site.text("ppwp/31/3101/310101/3101011001/3101011001002/index.html").contains("S = 190, suara_sah = 180"))
        #expect(try site.json("ppwp/31/3101/310101/3101011001/3101011001001/index.json")["anomalies"] as? [String] == ["DPT_ZERO_WITH_VOTES"])

        let village = try site.json("ppwp/31/3101/310101/3101011001/index.json")
        let counts = (village["computed"] as? [String: Any])?["anomalies"] as? [String: Int]
        #expect(counts?["SUM_NE_SAH"] == 1 && counts?["DPT_ZERO_WITH_VOTES"] == 1 && counts?["VOTES_OVER_DPT"] == 0)
        let regionPage = try site.text("ppwp/31/3101/310101/3101011001/index.html")
        #expect(regionPage.contains("anomali/SUM_NE_SAH/31/"))

        let rows = SiteInspector.csvRows(try site.text("downloads/ppwp-anomalies.csv"))
        #expect(rows.first?.starts(with: ["tps_code", "tps_name", "province_code"]) == true)
        #expect(rows.dropFirst().map { [$0[0], $0[10], $0[11]] } == [
            ["3101011001001", "DPT_ZERO_WITH_VOTES", "pemilih_dpt_j = 0, S = 50"],
            ["3101011001002", "SUM_NE_SAH", "S = 190, suara_sah = 180"],
        ])
        let list = try site.text("anomali/SUM_NE_SAH/31/index.html")
        #expect(list.contains("3101011001002/"))
        #expect(!list.contains("3101011001001/"))
        let index = try site.text("anomali/index.html")
        #expect(index.contains("anomali/SUM_NE_SAH/31/"))
        #expect(!index.contains(">0</a>"), "a zero count is not a link")
        #expect(try site.brokenLinks() == [])
    }

    @Test func revisionsAreListedFieldByField() throws {
        let workspace = try Workspace { mirror in
            try mirror.tps("3101011001002", votes: [70, 60, 20], form: Mirror.form(valid: 150), ts: "2024-02-20 13:00:00")
        }
        let older = try Mirror(at: workspace.folder.sub("older"))
        try older.tps("3101011001002", votes: [80, 60, 20], form: Mirror.form(valid: 160), ts: "2024-02-15 23:29:50")
        _ = try Importer(store: try Store(path: workspace.folder.sub("store.sqlite")), importedAt: "2026-01-01T00:00:00Z")
            .run(roots: [older.root])
        let site = try workspace.build()
        let rows = SiteInspector.csvRows(try site.text("downloads/ppwp-revisions.csv"))
        #expect(rows[0] == ["tps_code", "from_ts", "to_ts", "field", "old", "new"])
        #expect(rows.contains(["3101011001002", "2024-02-15 23:29:50", "2024-02-20 13:00:00", "chart.100025", "80", "70"]))
        #expect(rows.contains(["3101011001002", "2024-02-15 23:29:50", "2024-02-20 13:00:00", "administrasi.suara_sah", "160", "150"]))
        #expect(!rows.contains { $0.count > 3 && $0[3] == "chart.100026" })
        let html = try site.text("ppwp/31/3101/310101/3101011001/3101011001002/index.html")
        #expect(html.contains("<tr><td><code>chart.100025</code></td><td class=\"num\">80</td><td class=\"num\">70</td></tr>"))
        let twin = try site.json("ppwp/31/3101/310101/3101011001/3101011001002/index.json")
        #expect((twin["revisions"] as? [[String: Any]])?.first?["from_ts"] as? String == "2024-02-15 23:29:50")
    }

    @Test func methodologyStatesEveryRuleInBothLanguages() throws {
        let site = try Workspace().build()
        let indonesian = try site.text("metodologi/index.html")
        let english = try site.text("metodologi/en/index.html")
        #expect(english.contains("<html lang=\"en\">"))
        for rule in ["SUM_NE_SAH", "SAH_TIDAK_SAH_NE_TOTAL", "TOTAL_NE_VOTERS", "VOTERS_SUM_MISMATCH", "GENDER_SUM_MISMATCH",
                     "VOTES_OVER_DPT", "DPT_ZERO_WITH_VOTES", "COUNT_OUT_OF_RANGE", "STATUS_MISMATCH"] {
            #expect(indonesian.contains("id=\"\(rule)\""), "\(rule)")
            #expect(english.contains("id=\"\(rule)\""), "\(rule)")
        }
        #expect(indonesian.contains("bukan bukti kecurangan"))
        #expect(english.contains("not proof of fraud"))
    }
}

@Suite struct SitemapAndThreadsTests {
    @Test func sitemapsListEveryPageInFilesOfAtMostTheLimit() throws {
        let workspace = try Workspace()
        var options = workspace.options()
        options.sitemapLimit = 7
        try SiteBuild(options: options).run()
        let site = SiteInspector(root: workspace.folder.sub("site"), owner: workspace.folder)
        let robots = try site.text("robots.txt")
        #expect(robots.contains("User-agent: *") && robots.contains("Sitemap: https://example.org/pemilu/sitemap.xml"))
        let index = try site.text("sitemap.xml")
        let files = index.components(separatedBy: "<loc>https://example.org/pemilu/").dropFirst().map { String($0.prefix { $0 != "<" }) }
        #expect(!files.isEmpty)
        var urls: [String] = []
        for file in files {
            let text = try site.text(file)
            #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"))
            let entries = text.components(separatedBy: "<loc>").dropFirst().map { String($0.prefix { $0 != "<" }) }
            #expect(entries.count <= 7 && !entries.isEmpty, "\(file)")
            urls += entries
        }
        // Exactly the HTML pages of the site, each once.
        let pages = site.files().filter { $0.hasSuffix("index.html") }.map { "https://example.org/pemilu/" + $0.dropLast("index.html".count) }
        #expect(urls.count == Set(urls).count)
        #expect(Set(urls) == Set(pages))
    }

    @Test func sitemapURLsAreXMLEscaped() {
        #expect(SitemapWriter.escape("https://example.org/a&b/é'\"<x>") == "https://example.org/a&amp;b/é&apos;&quot;&lt;x&gt;")
        #expect(SitemapWriter.escape("ppwp/32/3204/") == "ppwp/32/3204/")
    }

    @Test func oneThreadAndManyThreadsBuildTheSameBytes() throws {
        let workspace = try Workspace()
        var one = workspace.options(output: "one")
        one.jobs = 1
        try SiteBuild(options: one).run()
        var many = workspace.options(output: "many")
        many.jobs = 5
        try SiteBuild(options: many).run()
        let first = SiteInspector(root: workspace.folder.sub("one"), owner: workspace.folder)
        let second = SiteInspector(root: workspace.folder.sub("many"), owner: workspace.folder)
        let files = first.files()
        #expect(files == second.files())
        #expect(files.count > 50)
        let different = files.filter { path in
            (try? Data(contentsOf: URL(fileURLWithPath: first.root + "/" + path))) != (try? Data(contentsOf: URL(fileURLWithPath: second.root + "/" + path)))
        }
        #expect(different.isEmpty, "\(different)")
    }
}
