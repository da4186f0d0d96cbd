import Foundation
import Output
import Publication
import SirekapFormat
@testable import Store
import Testing
import TestSupport

/// A rebuild after new TPS versions arrive rewrites only what they touch, and gives exactly
/// the files a full build gives.
@Suite struct IncrementalBuildTests {
    /// Two provinces; 3201011001002's form does not add up (an anomaly).
    static func workspace() throws -> Workspace {
        try Workspace { mirror in
            try mirror.regionList(parent: nil, [("31", "DKI JAKARTA", 1), ("32", "JAWA BARAT", 20), ("99", "Luar Negeri", 2)])
            try mirror.regionList(parent: "32", [("3201", "BOGOR", 21)])
            try mirror.regionList(parent: "3201", [("320101", "CIBINONG", 22)])
            try mirror.regionList(parent: "320101", [("3201011001", "PONDOK RAJEG", 23)])
            try mirror.regionList(parent: "3201011001", [("3201011001001", "TPS 001", 24), ("3201011001002", "TPS 002", 25)])
            try mirror.tps("3201011001001", votes: [10, 20, 30], form: Mirror.form(valid: 60))
            try mirror.tps("3201011001002", votes: [5, 5, 5], form: Mirror.form(valid: 99))
        }
    }

    func inode(_ path: String) throws -> UInt64 {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64)
    }

    /// Every file of two sites, by path, must be the same bytes.
    func differences(_ a: SiteInspector, _ b: SiteInspector) throws -> [String] {
        let (left, right) = (a.files(), b.files())
        var problems = Set(left).symmetricDifference(right).map { "only in one: \($0)" }
        for file in Set(left).intersection(right) where try Data(contentsOf: URL(fileURLWithPath: a.root + "/" + file))
            != Data(contentsOf: URL(fileURLWithPath: b.root + "/" + file)) {
            problems.append("differs: \(file)")
        }
        return problems.sorted()
    }

    /// The TPS tables are written beside the other steps: a step that fails meanwhile must leave
    /// the site as it was, and nothing may write into the staging folder once the build returns.
    @Test func aRebuildThatFailsWhileTheTablesAreWrittenLeavesTheSiteWhole() throws {
        let workspace = try Self.workspace()
        try SiteBuild(options: workspace.options()).run()
        let site = SiteInspector(root: workspace.folder.sub("site"), owner: workspace.folder)
        func contents() -> [String: Data?] {
            Dictionary(uniqueKeysWithValues: site.files().map { ($0, FileManager.default.contents(atPath: site.root + "/" + $0)) })
        }
        let before = contents()
        // What the last build kept about a flagged TPS now names a rule this program does not
        // know: the TPS pages step stops on it, after the tables have started.
        try Store(path: workspace.options().storePath).db.execute(
            "UPDATE build_tps SET anomalies = 'no-such-rule\tbroken\n' WHERE code = '3201011001002'")
        try workspace.mirror.tps("3101011001002", votes: [1, 2, 3], form: Mirror.form(valid: 6), ts: "2024-02-20 10:00:00")
        let error = try #require(throws: SiteBuild.BuildError.self) { try SiteBuild(options: workspace.options()).run() }
        #expect(error.description.contains("no-such-rule"))
        #expect(contents() == before)
        let staging = workspace.folder.sub(".site.building")
        #expect(!FileManager.default.fileExists(atPath: staging))
        Thread.sleep(forTimeInterval: 0.5)
        #expect(!FileManager.default.fileExists(atPath: staging), "something wrote into the staging folder after the build returned")
    }

    @Test func aRebuildRewritesOnlyWhatChangedAndEqualsAFullBuild() throws {
        let workspace = try Self.workspace()
        let first = try SiteBuild(options: workspace.options()).run()
        #expect(!first.scope.isIncremental)
        let root = workspace.folder.sub("site")
        let untouchedTPS = root + "/ppwp/32/3201/320101/3201011001/3201011001001/index.html"
        let changedTPS = root + "/ppwp/31/3101/310101/3101011001/3101011001002/index.html"
        let otherProvince = root + "/ppwp/32/index.html"
        let before = (try inode(untouchedTPS), try inode(changedTPS), try inode(otherProvince),
                      try inode(root + "/downloads/ppwp-tps-32.csv"), try inode(root + "/downloads/ppwp-tps-31.csv"))
        let anomaliesBefore = try String(contentsOfFile: root + "/downloads/ppwp-anomalies.csv", encoding: .utf8)
        #expect(anomaliesBefore.contains("3201011001002"))

        // A later harvest: a new version of one TPS (now itself flagged: 1 + 2 + 3 != 160), and
        // a result for a TPS no list names.
        try workspace.mirror.tps("3101011001002", votes: [1, 2, 3], form: Mirror.form(valid: 160), ts: "2024-02-20 10:00:00")
        try workspace.mirror.tps("3101011001009", votes: [7, 7, 7], form: Mirror.form(valid: 21))
        let second = try SiteBuild(options: workspace.options()).run()
        guard case .incremental(let changes) = second.scope else {
            Issue.record("expected an incremental build, got \(second.scope)")
            return
        }
        #expect(changes.tps.map(\.rawValue) == ["3101011001002", "3101011001009"])
        #expect(second.tpsPages == 2)
        #expect(second.regionPages == 5)  // the nation, 31, 3101, 310101, 3101011001
        #expect(second.filesLinked > 0)
        // Untouched files are the very same files; rewritten ones are new files.
        #expect(try inode(untouchedTPS) == before.0)
        #expect(try inode(changedTPS) != before.1)
        #expect(try inode(otherProvince) == before.2)
        #expect(try inode(root + "/downloads/ppwp-tps-32.csv") == before.3)
        #expect(try inode(root + "/downloads/ppwp-tps-31.csv") != before.4)
        let incremental = SiteInspector(root: root, owner: workspace.folder)
        #expect(try incremental.text("ppwp/31/3101/310101/3101011001/3101011001002/index.html").contains("2024-02-20 10:00:00"))
        let anomalies = try incremental.text("downloads/ppwp-anomalies.csv")
        #expect(anomalies.contains("3101011001002") && anomalies.contains("3201011001002"))
        // Row counts on the downloads page are the files' own (a revision of two fields is two rows).
        for name in ["ppwp-revisions.csv", "ppwp-anomalies.csv", "ppwp-tps.csv"] {
            let lines = try incremental.text("downloads/" + name).components(separatedBy: "\r\n").count - 2
            #expect(second.downloads.first { $0.name == name }?.rows == lines, "\(name)")
        }
        #expect(second.downloads.first { $0.name == "ppwp-revisions.csv" }?.rows ?? 0 > 1)

        // The same store built in full elsewhere gives the same bytes, file for file.
        var options = workspace.options(output: "full")
        options.full = true
        let full = try SiteBuild(options: options).run()
        #expect(!full.scope.isIncremental)
        #expect(try differences(incremental, SiteInspector(root: workspace.folder.sub("full"), owner: workspace.folder)) == [])
    }

    /// Another harvest holding the very same bytes of a TPS adds only a saved copy; the TPS page
    /// lists the copies, so it is redone. And when a fixed result clears a flag, the anomaly lists
    /// and the sitemap files shrink as in a full build.
    @Test func newCopiesAndShrinkingListsAreRebuiltAsInAFullBuild() throws {
        // URLs of the first build, counted on a twin workspace: a limit of one less gives two
        // sitemap files, and one URL fewer gives one.
        let twin = try Self.workspace().build()
        let urls = try twin.text("sitemaps/sitemap-1.xml").components(separatedBy: "<url>").count - 1
        let workspace = try Self.workspace()
        var options = workspace.options()
        options.sitemapLimit = urls - 1
        try SiteBuild(options: options).run()
        let root = workspace.folder.sub("site")
        #expect(FileManager.default.fileExists(atPath: root + "/sitemaps/sitemap-2.xml"))
        #expect(FileManager.default.fileExists(atPath: root + "/anomali/SUM_NE_SAH/32/index.html"))

        let other = try Mirror(at: workspace.folder.sub("other-harvest"))
        try other.tps("3101011001001", votes: [120, 45, 9], form: Mirror.form(valid: 174))  // the same bytes
        let store = try Store(path: workspace.folder.sub("store.sqlite"))
        let (imported, _) = try Importer(store: store, importedAt: "2026-03-01T00:00:00Z").runCollecting([other.root])
        #expect(imported.newCopies == 1)
        try workspace.mirror.tps("3201011001002", votes: [5, 5, 5], form: Mirror.form(valid: 15), ts: "2024-02-22 07:00:00")

        let rebuilt = try SiteBuild(options: options).run()
        guard case .incremental(let changes) = rebuilt.scope else {
            Issue.record("expected an incremental build, got \(rebuilt.scope)")
            return
        }
        #expect(changes.tps.map(\.rawValue) == ["3101011001001", "3201011001002"])
        let page = try String(contentsOfFile: root + "/ppwp/31/3101/310101/3101011001/3101011001001/index.html", encoding: .utf8)
        #expect(page.contains("other-harvest"))
        // The flag is gone, its list pages and one sitemap file with them.
        #expect(!FileManager.default.fileExists(atPath: root + "/sitemaps/sitemap-2.xml"))
        #expect(!FileManager.default.fileExists(atPath: root + "/anomali/SUM_NE_SAH/32/index.html"))

        var full = options
        full.outputFolder = workspace.folder.sub("full")
        full.full = true
        try SiteBuild(options: full).run()
        #expect(try differences(SiteInspector(root: root), SiteInspector(root: workspace.folder.sub("full"))) == [])
    }

    /// Harvest after harvest: each rebuild after the first starts from the site kept by the one
    /// before, links only what that one wrote (the kept site's list names it), and still equals a
    /// full build; without the list, comparing the two trees gives the same.
    @Test func laterRebuildsStartFromTheKeptSite() throws {
        let workspace = try Self.workspace()
        try SiteBuild(options: workspace.options()).run()
        let site = workspace.folder.sub("site"), keptSite = workspace.folder.sub(".site.previous")
        let firstFiles = try KeptSiteTests().files(site).count
        let harvests = [("3101011001002", [1, 2, 3], "2024-02-20 10:00:00"), ("3201011001001", [11, 20, 30], "2024-02-21 08:00:00"),
                        ("3101011001001", [100, 45, 9], "2024-02-22 09:00:00")]
        var written = 0
        for (round, (code, votes, ts)) in harvests.enumerated() {
            try workspace.mirror.tps(code, votes: votes, form: Mirror.form(valid: votes.reduce(0, +)), ts: ts)
            if round == 2 { try FileManager.default.removeItem(atPath: keptSite + "/" + OutputFolder.changesFile) }
            let build = try SiteBuild(options: workspace.options()).run()
            #expect(build.scope.isIncremental)
            // The first links every file; the later ones what the build before wrote.
            #expect(build.filesLinked == (round == 0 ? firstFiles : written), "round \(round)")

            // What this build wrote is what the kept site does not share, and its list names it.
            let live = try KeptSiteTests().files(site)
            let kept = try KeptSiteTests().files(keptSite)
            written = live.filter { kept[$0.key] != $0.value }.count
            #expect(written > 0 && written < live.count && build.filesWritten == written)
            let listed = try String(contentsOfFile: keptSite + "/" + OutputFolder.changesFile, encoding: .utf8)
                .split(separator: "\n").dropFirst(2).map(String.init)
            for path in Set(live.keys).union(kept.keys) where live[path] != kept[path] {
                #expect(listed.contains { path == $0 || path.hasPrefix($0 + "/") }, "\(path) not listed")
            }
        }
        var options = workspace.options(output: "full")
        options.full = true
        try SiteBuild(options: options).run()
        #expect(try differences(SiteInspector(root: site), SiteInspector(root: workspace.folder.sub("full"))) == [])
    }

    @Test func savedRowsDeletedByHandMeanAFullBuild() throws {
        let workspace = try Self.workspace()
        try SiteBuild(options: workspace.options()).run()
        let store = try Store(path: workspace.folder.sub("store.sqlite"))
        #expect(try store.lastBuild() != nil)
        try store.db.execute("DELETE FROM build_tps")  // by hand, as docs/store.md allows
        #expect(try store.lastBuild() == nil)
        #expect(try SiteBuild(options: workspace.options()).run().scope == .full(reason: "no earlier build recorded in the store"))
    }

    @Test func nothingChangedStillGivesTheSameSite() throws {
        let workspace = try Self.workspace()
        try SiteBuild(options: workspace.options()).run()
        let copy = workspace.folder.sub("copy")
        try FileManager.default.copyItem(atPath: workspace.folder.sub("site"), toPath: copy)
        let again = try SiteBuild(options: workspace.options()).run()
        guard case .incremental(let changes) = again.scope else {
            Issue.record("expected an incremental build, got \(again.scope)")
            return
        }
        #expect(changes.tps.isEmpty && again.tpsPages == 0 && again.regionPages == 0)
        #expect(try differences(SiteInspector(root: workspace.folder.sub("site")), SiteInspector(root: copy)) == [])
    }

    @Test func aFullBuildWhenTheSiteOrItsInputsAreNotTheLastBuilds() throws {
        let workspace = try Self.workspace()
        try SiteBuild(options: workspace.options()).run()
        // Another output folder: not the site the store's record describes.
        let elsewhere = try SiteBuild(options: workspace.options(output: "elsewhere")).run()
        #expect(elsewhere.scope == .full(reason: "the output folder is not the site of the last recorded build"))
        // The build id names the content (inputs and store), so the first folder, built from the
        // same, still matches the record...
        #expect(try SiteBuild(options: workspace.options()).run().scope.isIncremental)
        // ...until the other folder is built from more data: the first one is then behind.
        try workspace.mirror.tps("3201011001001", votes: [11, 20, 30], form: Mirror.form(valid: 61), ts: "2024-02-21 08:00:00")
        #expect(try SiteBuild(options: workspace.options(output: "elsewhere")).run().scope.isIncremental)
        #expect(try SiteBuild(options: workspace.options()).run().scope
            == .full(reason: "the output folder is not the site of the last recorded build"))
        // A changed configuration.
        let config = workspace.folder.sub("publication/publication.json")
        let text = try String(contentsOfFile: config, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "A test & more", with: "A test & more, again").utf8).write(to: URL(fileURLWithPath: config))
        #expect(try SiteBuild(options: workspace.options()).run().scope
            == .full(reason: "the program, configuration, templates, assets or audit folder changed"))
        // A new region list.
        try workspace.mirror.regionList(parent: "3101011001", [
            ("3101011001001", "TPS 001", 6), ("3101011001002", "TPS 002", 7), ("3101011001003", "TPS 003", 8), ("3101011001004", "TPS 004", 9),
        ])
        #expect(try SiteBuild(options: workspace.options()).run().scope == .full(reason: "a region list changed"))
        // Asked for.
        var options = workspace.options()
        options.full = true
        #expect(try SiteBuild(options: options).run().scope == .full(reason: "asked for (--full)"))
    }
}

/// The staging folder of an incremental build starts as links to the live site: writing into
/// it must never change a live file.
@Suite struct LinkedStagingTests {
    @Test func writesMakeNewFilesAndLeaveTheLiveSiteAlone() throws {
        let folder = try TemporaryFolder()
        let site = folder.sub("site")
        let first = try OutputFolderFixture.build(at: site, files: ["a/index.html": "old a", "b/index.html": "old b", "downloads/t.csv": "old t"])
        #expect(first == 3)
        let output = try OutputFolderFixture.open(site)
        #expect(try output.linkPrevious() == 3)
        try output.write("a/index.html", "new a")
        let stream = try output.stream("downloads/t.csv")
        try stream.append("new t")
        _ = try stream.close()
        #expect(try String(contentsOfFile: site + "/a/index.html", encoding: .utf8) == "old a")
        #expect(try String(contentsOfFile: site + "/downloads/t.csv", encoding: .utf8) == "old t")
        output.discard()
        #expect(try String(contentsOfFile: site + "/b/index.html", encoding: .utf8) == "old b")
        try OutputFolderFixture.rebuild(at: site, writing: ["a/index.html": "new a"], buildID: "x")
        #expect(try String(contentsOfFile: site + "/a/index.html", encoding: .utf8) == "new a")
        #expect(try String(contentsOfFile: site + "/b/index.html", encoding: .utf8) == "old b")
        #expect(OutputFolder.buildID(of: site) == "x")
    }
}

/// Page workers write through open folders (`OutputFolder.PageWriter`): the same files as
/// writes by path, folders made on the way, and in a staging folder of links new files only.
@Suite struct PageWriterTests {
    func write(_ output: OutputFolder, _ pages: [(folder: String, text: String)]) throws {
        let writer = output.pageWriter()
        for (folder, text) in pages {
            try writer.page(folder) { page in
                try page.write("index.html", Array(text.utf8))
                try page.write("index.json", Array("{\"page\":\"\(text)\"}".utf8))
            }
        }
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func makesFoldersOnTheWayAndWritesEachPageInItsOwn() throws {
        let folder = try TemporaryFolder()
        let site = folder.sub("site")
        let output = try OutputFolderFixture.open(site)
        // Out of path order on purpose: the root, a page whose parents are missing, a sibling
        // (same open parent), a page higher up, then one under the first again.
        try write(output, [("", "home"), ("p/32/3201/", "regency"), ("p/32/3202/", "other"), ("p/", "p"),
                           ("p/32/3201/320101/", "district")])
        try output.writeMarker(buildID: "first")
        try output.commit()
        #expect(try read(site + "/index.html") == "home")
        #expect(try read(site + "/p/32/3201/index.html") == "regency")
        #expect(try read(site + "/p/32/3202/index.json") == "{\"page\":\"other\"}")
        #expect(try read(site + "/p/index.html") == "p")
        #expect(try read(site + "/p/32/3201/320101/index.html") == "district")
        #expect(SiteInspector(root: site).files().filter { $0 != OutputFolder.marker }.count == 10)
    }

    @Test func inAStagingFolderOfLinksItMakesNewFilesAndLeavesTheLiveSiteAlone() throws {
        let folder = try TemporaryFolder()
        let site = folder.sub("site")
        _ = try OutputFolderFixture.build(at: site, files: ["p/32/index.html": "old 32", "p/32/index.json": "{}", "p/33/index.html": "old 33"])
        let output = try OutputFolderFixture.open(site)
        try output.linkPrevious()
        try write(output, [("p/32/", "new 32"), ("p/34/3401/", "new 3401")])
        // Written through the links, the live site's own file would have changed.
        #expect(try read(site + "/p/32/index.html") == "old 32")
        #expect(!FileManager.default.fileExists(atPath: site + "/p/34"))
        try output.writeMarker(buildID: "second")
        try output.commit()
        #expect(try read(site + "/p/32/index.html") == "new 32")
        #expect(try read(site + "/p/34/3401/index.json") == "{\"page\":\"new 3401\"}")
        #expect(try read(site + "/p/33/index.html") == "old 33")
        // What the page writer wrote is on the list the next rebuild links again.
        let kept = try read(folder.sub(".site.previous") + "/" + OutputFolder.changesFile)
        for path in ["p/32/index.html", "p/32/index.json", "p/34/3401/index.html"] { #expect(kept.contains(path + "\n")) }
        #expect(try OutputFolderFixture.rebuild(at: site, writing: ["p/33/index.html": "third"], buildID: "third") == 4)
        #expect(try read(site + "/p/34/3401/index.html") == "new 3401")
        #expect(try read(site + "/p/32/index.html") == "new 32")
    }
}

/// An incremental build keeps the site it replaced beside the output; the next one starts from
/// it and links only what changed in between, and ends with the same tree of links.
@Suite struct KeptSiteTests {
    /// Every file under `root` but the marker and the kept site's list, with its inode number.
    func files(_ root: String) throws -> [String: UInt64] {
        var files: [String: UInt64] = [:]
        for path in SiteInspector(root: root).files() where path != OutputFolder.marker && path != OutputFolder.changesFile {
            files[path] = try #require(try FileManager.default.attributesOfItem(atPath: root + "/" + path)[.systemFileNumber] as? UInt64)
        }
        return files
    }

    @Test func theNextStagingStartsFromTheKeptSite() throws {
        let folder = try TemporaryFolder()
        let site = folder.sub("site"), kept = folder.sub(".site.previous"), staging = folder.sub(".site.building")
        _ = try OutputFolderFixture.build(at: site, files: ["a/index.html": "a1", "b/index.html": "b1", "c/x/index.html": "c1", "d": "d1"])
        #expect(!FileManager.default.fileExists(atPath: kept))  // a full build keeps nothing

        // The first incremental build links every file; the one it replaces is kept.
        let first = try OutputFolderFixture.open(site)
        #expect(try first.linkPrevious() == 4)
        try first.write("a/index.html", "a2")
        try first.write("e/index.html", "e2")
        try first.removeFolder("c")
        try FileManager.default.removeItem(atPath: staging + "/d")
        try first.write("d/index.html", "d2")  // a file become a folder
        try first.writeMarker(buildID: "second")
        try first.commit()
        #expect(OutputFolder.buildID(of: kept) == "first")
        #expect(try String(contentsOfFile: kept + "/a/index.html", encoding: .utf8) == "a1")
        #expect(try files(kept)["b/index.html"] == files(site)["b/index.html"])

        // The next starts from the kept site: only what the last build wrote is linked again, and
        // what it removed goes.
        let second = try OutputFolderFixture.open(site)
        #expect(try second.linkPrevious() == 3)  // a, e and d/index.html
        #expect(!FileManager.default.fileExists(atPath: kept))
        #expect(try files(staging) == files(site))
        try second.write("b/index.html", "b3")
        try second.writeMarker(buildID: "third")
        try second.commit()
        #expect(try String(contentsOfFile: site + "/b/index.html", encoding: .utf8) == "b3")
        #expect(try String(contentsOfFile: kept + "/b/index.html", encoding: .utf8) == "b1")
        #expect(OutputFolder.buildID(of: kept) == "second")

        // A full build removes the kept site with the one it replaces.
        let full = try OutputFolderFixture.open(site)
        try full.write("a/index.html", "a4")
        try full.writeMarker(buildID: "fourth")
        try full.commit()
        #expect(!FileManager.default.fileExists(atPath: kept) && !FileManager.default.fileExists(atPath: staging))
        #expect(try files(site).keys.sorted() == ["a/index.html"])
    }

    @Test func aFolderOfThatNameWeDidNotBuildIsLeftAlone() throws {
        let folder = try TemporaryFolder()
        let site = folder.sub("site"), kept = folder.sub(".site.previous")
        _ = try OutputFolderFixture.build(at: site, files: ["a/index.html": "a1"])
        try FileManager.default.createDirectory(atPath: kept, withIntermediateDirectories: true)
        try "precious".write(toFile: kept + "/notes.txt", atomically: true, encoding: .utf8)
        for id in ["second", "third"] {
            #expect(try OutputFolderFixture.rebuild(at: site, writing: ["a/index.html": id], buildID: id) == 1)
        }
        #expect(try String(contentsOfFile: site + "/a/index.html", encoding: .utf8) == "third")
        #expect(try FileManager.default.contentsOfDirectory(atPath: kept) == ["notes.txt"])
        #expect(try String(contentsOfFile: kept + "/notes.txt", encoding: .utf8) == "precious")
    }
}

enum OutputFolderFixture {
    static func open(_ destination: String) throws -> OutputFolder { try OutputFolder(destination: destination) }

    /// An incremental build: links the site, writes `files`, commits as `buildID`; returns the
    /// links it took.
    @discardableResult
    static func rebuild(at destination: String, writing files: [String: String], buildID: String) throws -> Int {
        let output = try open(destination)
        let linked = try output.linkPrevious()
        for (path, text) in files { try output.write(path, text) }
        try output.writeMarker(buildID: buildID)
        try output.commit()
        return linked
    }

    /// Builds and commits a site of `files`; returns how many were written.
    static func build(at destination: String, files: [String: String]) throws -> Int {
        let output = try open(destination)
        for (path, text) in files { try output.write(path, text) }
        try output.writeMarker(buildID: "first")
        try output.commit()
        return files.count
    }
}
