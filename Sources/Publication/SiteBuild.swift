import Audit
import Dispatch
import Export
import Foundation
import Output
import Parquet
import Quality
import Render
import SirekapFormat
import Store

/// The site build, as a short pipeline of named steps over one shared context:
///
///     import configured mirrors -> plan -> (SQLite's sums, the TPS tables: beside the next steps)
///     -> load regions -> TPS pages -> sum totals -> check totals -> region pages ->
///     compressed downloads -> downloads page -> home page -> static assets -> swap the output in
///
/// Every step writes into a staging folder; only a build that finishes replaces the output.
public struct SiteBuild {
    public struct Options: Sendable {
        public var publicationFolder: String
        public var storePath: String
        public var outputFolder: String
        public var templatesFolder: String
        public var assetsFolder: String
        /// Stamped on provenance records of mirrors the build imports (ISO 8601 UTC).
        public var importedAt: String
        /// Threads that render pages; the output is the same for any number.
        public var jobs: Int
        /// URLs per sitemap file (the protocol allows 50,000).
        public var sitemapLimit: Int
        /// Build everything even when only some TPS changed since the last build.
        public var full: Bool

        public init(publicationFolder: String, storePath: String, outputFolder: String,
                    templatesFolder: String, assetsFolder: String, importedAt: String,
                    jobs: Int = ProcessInfo.processInfo.activeProcessorCount, sitemapLimit: Int = 50_000, full: Bool = false) {
            self.publicationFolder = publicationFolder
            self.storePath = storePath
            self.outputFolder = outputFolder
            self.templatesFolder = templatesFolder
            self.assetsFolder = assetsFolder
            self.importedAt = importedAt
            self.jobs = max(1, jobs)
            self.sitemapLimit = sitemapLimit
            self.full = full
        }
    }

    /// What the caller hears about while the build runs.
    public enum Event: Sendable {
        case stepStarted(String)
        case progress(String)
        case importEvent(ImportEvent)
        case stepFinished(String, seconds: Double)
    }

    public struct Summary: Sendable {
        public var regionPages = 0
        public var tpsPages = 0
        public var tpsWithResults = 0
        public var downloads: [Download] = []
        public var importSummary: ImportSummary?
        public var auditFindings = 0
        /// Full, or incremental with what changed.
        public var scope: BuildScope = .full(reason: "")
        /// Incremental builds: links made to stage the previous site (every file of it in the
        /// first rebuild after a full build; afterwards only what the last build wrote, the rest
        /// being shared already by the copy kept from the build before), and files written.
        public var filesLinked = 0
        public var filesWritten = 0
    }

    /// A file offered on the downloads page.
    public struct Download: Sendable {
        public let name: String
        public let description: String
        public let rows: Int
        public let bytes: Int
        public let sha256: String
        /// `csv`, `parquet`, or `csv.gz` for a compressed copy of a CSV.
        public let format: String
        /// The table's columns (nil for compressed copies, which have their original's).
        public let schema: [TableColumn]?

        /// The entry of this CSV's gzip copy.
        func compressed(_ digest: FileDigest) -> Download {
            Download(name: name + ".gz", description: description + " (gzip)", rows: rows, bytes: digest.bytes,
                     sha256: digest.sha256, format: "csv.gz", schema: nil)
        }

        public var mediatype: String {
            switch format {
            case "csv": "text/csv"
            case "parquet": "application/vnd.apache.parquet"
            default: "application/gzip"
            }
        }
    }

    /// Work running on its own thread beside the steps, until a later step waits for it.
    final class BackgroundWork<Value>: @unchecked Sendable {
        private let group = DispatchGroup()
        private var result: Result<Value, Error>?
        private(set) var seconds = 0.0

        init(_ body: @escaping @Sendable () throws -> Value) {
            group.enter()
            Thread.detachNewThread { [self] in
                let start = DispatchTime.now().uptimeNanoseconds
                result = Result { try body() }
                seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                group.leave()
            }
        }

        /// Waits until the work is done; its value, or its error.
        func wait() throws -> Value {
            group.wait()
            return try result!.get()
        }
    }

    public struct BuildError: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    public let options: Options

    public init(options: Options) { self.options = options }

    /// Everything the steps share.
    final class Context {
        let options: Options
        let config: PublicationConfig
        let renderer: PageRenderer
        let store: Store
        let output: OutputFolder
        let onEvent: (Event) -> Void
        var tree: RegionTree!
        var summary = Summary()
        /// Every TPS a rule flags, in code order (small next to the TPS count: kept for the lists).
        var flagged: [(code: RegionCode, anomalies: [Anomaly])] = []
        /// Files for /downloads/, in the order they are offered.
        var downloads: [Download] = []
        /// The verified audit section, if the publication has one.
        var audit: AuditPublication?
        /// Every HTML page, in build order.
        let sitemap: SitemapWriter
        /// This build's record and scope (set by the plan step).
        var record = BuildRecord(id: "", inputs: "", maxima: StoreMaxima())
        var scope: BuildScope = .full(reason: "")
        /// Villages whose totals this build summed from the store (saved for the next build).
        var villagesRecomputed: [RegionCode] = []
        /// A full build's village totals, summed while the TPS pages are made (nil in an
        /// incremental build, whose tree comes with its totals).
        var villageTotals: [RegionCode: ComputedTotals]?
        /// Quality of the TPS this build looked at that have anomalies or revisions.
        var qualityToSave: [CachedTPSQuality] = []
        /// The TPS tables, written beside the page steps (`startTPSTables` to `finishTPSTables`).
        var tpsTables: BackgroundWork<[Download]>?
        /// SQLite's own vote sums per village, summed beside the steps until the check needs them.
        var sqlTotals: BackgroundWork<[String: [String: Int]]>?
        /// An incremental build's villages summed afresh: each of their TPS summed alone, for
        /// their pages (the load read their results already).
        var villageTPSSums: [RegionCode: [RegionCode: ComputedTotals]] = [:]
        /// Regions with a KPU aggregate ("" for the nation), read when the regions are loaded.
        var regionsWithAggregates: Set<String> = []

        /// A region's current KPU aggregate, asked of the store only when it holds one.
        func currentAggregate(_ code: RegionCode?) throws -> Store.AggregateVersion? {
            guard regionsWithAggregates.contains(code?.rawValue ?? "") else { return nil }
            return try store.currentAggregate(code)
        }

        var changes: BuildChanges? {
            if case .incremental(let changes) = scope { return changes }
            return nil
        }
        /// Key-value metadata every Parquet download carries.
        var parquetMetadata: [(key: String, value: String)] {
            [(key: "title", value: config.title), (key: "source", value: SourcePath.apiBase),
             (key: "publisher", value: "publish (Sirekap 2024 open-data publisher)")]
        }

        var tpsParquetOptions: ParquetOptions {
            ParquetTableWriter.options(metadata: parquetMetadata, threads: options.jobs)
        }

        init(options: Options, config: PublicationConfig, renderer: PageRenderer, store: Store, output: OutputFolder,
             onEvent: @escaping (Event) -> Void) {
            self.options = options
            self.config = config
            self.renderer = renderer
            self.store = store
            self.output = output
            self.onEvent = onEvent
            sitemap = SitemapWriter(output: output, baseURL: config.baseURL, limit: options.sitemapLimit)
        }
    }

    struct Step: Sendable {
        let name: String
        let run: @Sendable (Context) throws -> Void
    }

    /// The first step, the only one that writes to the store.
    static let importStep = Step(name: "import configured mirrors", run: importMirrors)

    /// The steps after the import, in order.
    static let steps: [Step] = [
        Step(name: "verify audit evidence", run: verifyAudit),
        Step(name: "plan the build", run: plan),
        Step(name: "start SQLite's sums", run: startSQLTotals),
        Step(name: "start the TPS tables", run: startTPSTables),
        Step(name: "load regions", run: loadRegions),
        Step(name: "TPS pages", run: renderTPSPages),
        Step(name: "sum totals", run: sumTotals),
        Step(name: "check totals", run: checkInvariants),
        Step(name: "region pages", run: renderRegionPages),
        Step(name: "finish the TPS tables", run: finishTPSTables),
        Step(name: "compressed downloads", run: compressDownloads),
        Step(name: "anomaly pages", run: writeAnomalyPages),
        Step(name: "methodology pages", run: writeMethodologyPages),
        Step(name: "audit section", run: writeAuditSection),
        Step(name: "downloads page", run: writeDownloadsPage),
        Step(name: "home page", run: writeHomePage),
        Step(name: "static assets", run: copyAssets),
        Step(name: "sitemaps and robots.txt", run: { try $0.sitemap.finish() }),
    ]

    @discardableResult
    public func run(onEvent: @escaping (Event) -> Void = { _ in }) throws -> Summary {
        let config: PublicationConfig
        let templates: Templates
        do {
            config = try PublicationConfig.load(from: options.publicationFolder)
            templates = try Templates(folder: options.templatesFolder)
        } catch let error as PublicationConfig.LoadError {
            throw BuildError(error.description)
        } catch let error as Templates.LoadError {
            throw BuildError(error.description)
        }
        let store = try Store(path: options.storePath)
        let output = try OutputFolder(destination: options.outputFolder)
        let context = Context(options: options, config: config, renderer: PageRenderer(templates: templates, site: config.siteInfo),
                              store: store, output: output, onEvent: onEvent)
        do {
            func run(_ step: Step) throws {
                onEvent(.stepStarted(step.name))
                let start = DispatchTime.now()
                try step.run(context)
                onEvent(.stepFinished(step.name, seconds: Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9))
            }
            try run(SiteBuild.importStep)
            // Everything after the import reads the store only: one snapshot for the whole build.
            try store.snapshot {
                for step in SiteBuild.steps { try run(step) }
            }
            try output.commit()
        } catch {
            // Work still running beside the steps must stop writing before its folder goes.
            _ = try? context.tpsTables?.wait()
            _ = try? context.sqlTotals?.wait()
            output.discard()
            throw error
        }
        // After the commit: a crash before this leaves the old record, whose id the new site's
        // marker does not carry, so the next build is a full one.
        try SiteBuild.saveRecord(context)
        context.summary.scope = context.scope
        context.summary.filesWritten = output.filesWritten
        return context.summary
    }

    // MARK: Steps

    static func importMirrors(_ context: Context) throws {
        let roots = context.config.importRoots.map { root in
            root.hasPrefix("/") ? root : context.options.publicationFolder + "/" + root
        }
        guard !roots.isEmpty else { return }
        let importer = Importer(store: context.store, importedAt: context.options.importedAt)
        let summary = try importer.run(roots: roots) { context.onEvent(.importEvent($0)) }
        context.summary.importSummary = summary
        if summary.rejected > 0 {
            throw BuildError("\(summary.rejected) files of the publication's own mirrors were rejected (listed above)")
        }
    }

    /// The region tree. A full build's has no totals yet: the TPS pages step reads every TPS and
    /// sums them as it goes (reading and decoding every result a second time for the totals alone
    /// cost about 5 s nationally). An incremental build takes the saved totals of the villages
    /// where nothing changed and sums the others afresh.
    static func loadRegions(_ context: Context) throws {
        context.regionsWithAggregates = try context.store.regionsWithAggregates()
        guard let changes = context.changes else {
            context.tree = try RegionTree.directory(from: context.store)
            context.villageTotals = [:]
            return
        }
        let flags: (TPSResult) -> [String] = { QualityCheck.anomalies(in: $0).map(\.rule.id) }
        let saved = try context.store.savedVillageTotals()
        let (tree, tpsSums) = try RegionTree.load(from: context.store, flags: flags, saved: saved, recompute: changes.villages)
        context.tree = tree
        context.villageTPSSums = tpsSums
        context.villagesRecomputed = tree.nodes.keys.filter { $0.level == .village && (changes.villages.contains($0) || saved[$0] == nil) }.sorted()
    }

    /// A full build: the village totals the TPS pages step summed, rolled up to the nation.
    static func sumTotals(_ context: Context) throws {
        guard let totals = context.villageTotals else { return }
        context.tree.setVillageTotals(totals)
        context.villageTotals = nil
    }

    /// Starts SQLite summing the votes per village on its own, through its own connection, for
    /// the check to compare with ours: every village in a full build (one pass over every current
    /// result, seconds nationally on one core), only the changed villages in an incremental one.
    static func startSQLTotals(_ context: Context) throws {
        let path = context.options.storePath
        let villages = context.changes.map { $0.villages.sorted() }
        context.sqlTotals = BackgroundWork {
            let store = try Store(readingFrom: path)
            guard let villages else { return try store.sqlVoteTotals(prefixLength: Level.village.codeLength) }
            var totals: [String: [String: Int]] = [:]
            for village in villages { totals[village.rawValue] = try store.sqlVoteTotals(under: village) }
            return totals
        }
    }

    /// Totals must add up: every region's equal the sum of its children's, and the votes equal
    /// what SQLite sums from the same results on its own. A failure here is a bug, never data.
    static func checkInvariants(_ context: Context) throws {
        let tree = context.tree!
        var failures: [String] = []
        for node in [tree.nation] + tree.allRegions where node.code?.level != .village {
            var sum = ComputedTotals()
            for child in node.children { sum.add(tree.nodes[child]!.totals) }
            if sum != node.totals { failures.append("\(node.code?.rawValue ?? "nation"): children do not add up") }
        }
        var sql = try context.sqlTotals!.wait()
        context.sqlTotals = nil
        if let changes = context.changes {
            // Incremental: the other villages' totals were checked by the build that summed them.
            for village in changes.villages.sorted() {
                let ours = (tree.nodes[village]?.totals.votes ?? [:]).filter { $0.value != 0 }
                let theirs = (sql[village.rawValue] ?? [:]).filter { $0.value != 0 }
                if ours != theirs { failures.append("\(village.rawValue): \(ours) != SQLite's \(theirs)") }
            }
        } else {
            // Villages only: every level above was just checked to be the sum of its children, so
            // villages that match SQLite make every level match. One SQL pass instead of five.
            for node in tree.regions(at: .village) {
                let ours = node.totals.votes.filter { $0.value != 0 }
                let theirs = (sql.removeValue(forKey: node.code!.rawValue) ?? [:]).filter { $0.value != 0 }
                if ours != theirs { failures.append("\(node.code!.rawValue): \(ours) != SQLite's \(theirs)") }
            }
            // Votes SQLite counts under no village of the tree would be missing from every total.
            for (village, votes) in sql.sorted(by: { $0.key < $1.key }) where votes.values.contains(where: { $0 != 0 }) {
                failures.append("\(village): SQLite counts \(votes), but the tree has no such village")
            }
        }
        if !failures.isEmpty {
            throw BuildError("totals do not add up (a bug in publish, please report it): " + failures.prefix(5).joined(separator: "; "))
        }
    }

    static func renderRegionPages(_ context: Context) throws {
        let tree = context.tree!
        var nodes = [tree.nation]
        for level in [Level.province, .regency, .district, .village] { nodes += tree.regions(at: level) }
        let table = RegionTable(candidates: context.config.candidates.map(\.id))
        let csv = try context.output.stream("downloads/ppwp-regions.csv")
        try csv.append(CSV.row(table.schema.map(\.name)), countsAsRow: false)
        let parquet = try ParquetTableWriter(path: context.output.newFilePath("downloads/ppwp-regions.parquet"),
                                             schema: table.schema, metadata: context.parquetMetadata)
        let changes = context.changes
        // Store reads happen here, serially; rendering and writing run on all cores, a batch at a
        // time while the next is read. Every region is a row of the regions table; an incremental
        // build renders only the pages it redoes.
        let pages = PageBatches(context: context) { (input: (RegionTree.Node, Store.AggregateVersion?, [RegionCode: ComputedTotals])) in
            context.renderer.regionPage(input.0, tree: tree, kpu: input.1, tpsSums: input.2)
        } finish: { inputs in
            context.summary.regionPages += inputs.count
            context.onEvent(.progress("\(context.summary.regionPages) of \(nodes.count) region pages"))
        }
        for chunk in stride(from: 0, to: nodes.count, by: 256).map({ Array(nodes[$0..<min($0 + 256, nodes.count)]) }) {
            var inputs: [(RegionTree.Node, Store.AggregateVersion?, [RegionCode: ComputedTotals])] = []
            for node in chunk {
                let kpu = try context.currentAggregate(node.code)
                let cells = table.cells(node, kpu: kpu)
                try csv.append(CSV.row(cells.map(\.csv)))
                try parquet.append(cells)
                guard changes?.redoes(node.code) ?? true else { continue }
                // A full build made the village pages in the TPS pages step.
                if node.code?.level == .village && changes == nil { continue }
                var sums: [RegionCode: ComputedTotals] = [:]
                if let code = node.code, code.level == .village {
                    sums = try context.villageTPSSums[code] ?? context.store.currentResults(in: code).mapValues { PageRenderer.tpsSums($0) }
                }
                inputs.append((node, kpu, sums))
            }
            try pages.submit(inputs)
            for node in chunk { try context.sitemap.add(node.code) }
        }
        try pages.finish()
        context.villageTPSSums = [:]
        try parquet.close()
        let csvHash = try csv.close()
        context.downloads.append(Download(name: "ppwp-regions.csv", description: "Semua wilayah: hitungan kami dan agregat KPU",
                                          rows: csv.rows, bytes: csv.bytes, sha256: csvHash, format: "csv", schema: table.schema))
        let digest = try context.output.digest("downloads/ppwp-regions.parquet")
        context.downloads.append(Download(name: "ppwp-regions.parquet", description: "Semua wilayah (Parquet)",
                                          rows: csv.rows, bytes: digest.bytes, sha256: digest.sha256, format: "parquet", schema: table.schema))
    }

    /// Every TPS page and twin, the anomaly and revision tables (the TPS table is its own step).
    static func renderTPSPages(_ context: Context) throws {
        let tree = context.tree!
        let anomalyFile = try context.output.stream("downloads/ppwp-anomalies.csv")
        try anomalyFile.append(CSV.row(AnomalyTable.columns), countsAsRow: false)
        let revisionFile = try context.output.stream("downloads/ppwp-revisions.csv")
        try revisionFile.append(CSV.row(RevisionTable.columns), countsAsRow: false)

        // Each TPS with anomalies or revisions, in code order: its rows in both tables, and the
        // anomaly lists. What a build computes is kept for the next (incremental) one.
        func record(_ entry: CachedTPSQuality) throws {
            var anomalies: [Anomaly] = []
            for (id, detail) in entry.anomalies {
                guard let rule = Rule(rawValue: id) else { throw BuildError("the saved build names an unknown rule \(id); build with --full") }
                anomalies.append(Anomaly(rule: rule, detail: detail))
                try anomalyFile.append(CSV.row(AnomalyTable.row(code: entry.code, anomaly: anomalies.last!, tree: tree)))
            }
            if !anomalies.isEmpty { context.flagged.append((entry.code, anomalies)) }
            if !entry.revisionRows.isEmpty { try revisionFile.append(entry.revisionRows, rows: CSV.records(in: entry.revisionRows)) }
        }
        func cached(_ code: RegionCode, _ quality: TPSQuality) -> CachedTPSQuality? {
            let rows = quality.revisions.reversed().flatMap { revision in
                revision.changes.map { CSV.row(RevisionTable.row(code: code, revision: revision, change: $0)) }
            }.joined()
            guard !quality.anomalies.isEmpty || !rows.isEmpty else { return nil }
            return CachedTPSQuality(code: code, anomalies: quality.anomalies.map { ($0.rule.id, $0.detail) }, revisionRows: rows)
        }

        let changes = context.changes
        // A batch renders on the workers while the next is read from the store; what follows a
        // batch (sitemap, quality tables) runs here, in code order.
        typealias Input = (RegionCode, [Store.TPSVersion], TPSQuality, PageRenderer.VillageParts?, (raw: String, display: String)?)
        let pages = PageBatches(context: context) { (input: Input) in
            context.renderer.tpsPage(input.0, tree: tree, versions: input.1, quality: input.2, village: input.3, names: input.4)
        } finish: { inputs in
            for (code, versions, quality, _, _) in inputs {
                // Full builds list each page; an incremental one lists every TPS below.
                if changes == nil {
                    try context.sitemap.add(code)
                    if !versions.isEmpty { context.summary.tpsWithResults += 1 }
                }
                if let entry = cached(code, quality) {
                    context.qualityToSave.append(entry)
                    if changes == nil { try record(entry) }
                }
            }
            context.summary.tpsPages += inputs.count
            context.onEvent(.progress("\(context.summary.tpsPages) TPS pages"))
        }
        var batch: [Input] = []
        func flush() throws {
            try pages.submit(batch)
            batch.removeAll(keepingCapacity: true)
        }
        if let changes {
            // Only the changed TPS are rendered; the tables merge what the last build kept for
            // the others with what was found now.
            for code in changes.tps {
                let versions = try context.store.tpsVersions(code)
                batch.append((code, versions, TPSQuality(versions: versions), nil, nil))
                if batch.count >= 1024 { try flush() }
            }
            try flush()
            try pages.finish()
            let changed = Set(changes.tps)
            var entries = try context.store.savedTPSQuality().filter { !changed.contains($0.code) }
            entries += context.qualityToSave
            for entry in entries.sorted(by: { $0.code < $1.code }) { try record(entry) }
            for village in tree.regions(at: .village) {
                for code in village.children { try context.sitemap.add(code) }
            }
            context.summary.tpsWithResults = try context.store.tpsWithResultsCount()
        } else {
            // Each village's own page is made here too, as soon as its TPS are read: the region
            // pages step would read and decode every result once more.
            typealias VillageInput = (RegionTree.Node, Store.AggregateVersion?, [RegionCode: ComputedTotals])
            let villagePages = PageBatches(context: context) { (input: VillageInput) in
                context.renderer.regionPage(input.0, tree: tree, kpu: input.1, tpsSums: input.2)
            } finish: { inputs in
                context.summary.regionPages += inputs.count
            }
            var villages: [VillageInput] = []
            let cursor = try context.store.tpsVersionCursor()
            for village in tree.regions(at: .village) {
                // What the village's TPS pages share is made once, here.
                let parts = village.children.first.map { context.renderer.villageParts(of: $0, tree: tree) }
                var totals = ComputedTotals()
                var sums: [RegionCode: ComputedTotals] = [:]
                for (code, names) in zip(village.children, tree.tpsNames(in: village)) {
                    let versions = try cursor.versions(of: code)
                    let quality = TPSQuality(versions: versions)
                    // The village's totals, from the same current versions and flags the pages show.
                    let single = PageRenderer.tpsSums(versions.first?.result, flags: quality.anomalies.map(\.rule.id))
                    totals.add(single)
                    sums[code] = single
                    batch.append((code, versions, quality, parts, names))
                    if batch.count >= 1024 { try flush() }
                }
                context.villageTotals?[village.code!] = totals
                villages.append((village.with(totals: totals), try context.currentAggregate(village.code), sums))
                if villages.count >= 64 {
                    try villagePages.submit(villages)
                    villages.removeAll(keepingCapacity: true)
                }
            }
            try flush()
            try villagePages.submit(villages)
            try pages.finish()
            try villagePages.finish()
        }

        // Close before reading the size: closing writes what is still buffered.
        let anomalyHash = try anomalyFile.close()
        context.downloads.append(Download(name: "ppwp-anomalies.csv", description: "Satu baris per (TPS, aturan) yang menandai",
                                          rows: anomalyFile.rows, bytes: anomalyFile.bytes, sha256: anomalyHash,
                                          format: "csv", schema: AnomalyTable.schema))
        let revisionHash = try revisionFile.close()
        context.downloads.append(Download(name: "ppwp-revisions.csv", description: "Satu baris per perubahan nilai antara dua versi TPS",
                                          rows: revisionFile.rows, bytes: revisionFile.bytes, sha256: revisionHash,
                                          format: "csv", schema: RevisionTable.schema))
    }

    /// Starts the TPS tables on their own thread, beside the steps that follow. They depend on
    /// the store and the plan only, read the store through their own connections and write only
    /// their own files, so the site is the same; the other steps leave a core idle for much of
    /// their time (loading the regions, reading the store for pages and checking totals run on
    /// one thread), which the tables use.
    static func startTPSTables(_ context: Context) throws {
        let provinceNames = try context.store.regionNames(at: .province)
        nonisolated(unsafe) let context = context
        context.tpsTables = BackgroundWork {
            let store = try Store(readingFrom: context.options.storePath)
            var (files, kept) = try writeTPSTables(context, store: store, provinceNames: provinceNames)
            files += try compress(files.filter { $0.format == "csv" }, kept: kept, context: context)
            if let national = try compressNationalTPSTable(files, context: context) { files.append(national) }
            return files
        }
    }

    /// Waits for the TPS tables and offers them with the other downloads.
    static func finishTPSTables(_ context: Context) throws {
        guard let work = context.tpsTables else { return }
        context.downloads += try work.wait()
        context.onEvent(.stepFinished("TPS tables, beside the steps above", seconds: work.seconds))
    }

    /// The national TPS table and each province's part, CSV and Parquet, straight from the store
    /// (`TPSTableExport`: provinces side by side, one row group per province). Returns the files,
    /// and the names of province CSVs kept from the previous site as they were.
    static func writeTPSTables(_ context: Context, store: Store,
                               provinceNames: [RegionCode: String]) throws -> (files: [Download], kept: Set<String>) {
        let table = TPSTable(candidates: context.config.candidates.map(\.id))
        let national = try context.output.stream("downloads/ppwp-tps.csv")
        final class OpenFiles: @unchecked Sendable {
            let lock = NSLock()
            var csv: [RegionCode: StreamFile] = [:]
            /// Each province's CSV digest (nil for files kept from the previous site) and rows.
            var done: [(code: RegionCode, csv: FileDigest?, rows: Int)] = []
        }
        let open = OpenFiles()
        let output = context.output
        // An incremental build keeps the files of provinces where no TPS changed.
        let rewrite: @Sendable (RegionCode) -> Bool = { [changes = context.changes] code in
            guard let changes, !changes.provinces.contains(code) else { return true }
            let name = output.staging + "/downloads/ppwp-tps-\(code.rawValue)"
            return !(FileManager.default.fileExists(atPath: name + ".csv") && FileManager.default.fileExists(atPath: name + ".parquet"))
        }
        let export = TPSTableExport(table: table, parquetOptions: context.tpsParquetOptions, jobs: context.options.jobs)
        let written = try export.write(
            from: store, parquetPath: context.output.newFilePath("downloads/ppwp-tps.parquet"), csv: national,
            province: { code in
                let name = "downloads/ppwp-tps-\(code.rawValue)"
                var csv: StreamFile?
                var parquetPath = output.staging + "/" + name + ".parquet"  // not written when kept
                if rewrite(code) {
                    csv = try output.stream(name + ".csv")
                    parquetPath = try output.newFilePath(name + ".parquet")
                    open.lock.lock()
                    open.csv[code] = csv
                    open.lock.unlock()
                }
                return TPSTableExport.ProvinceFiles(csv: csv, csvPath: output.staging + "/" + name + ".csv",
                                                    parquetPath: parquetPath)
            },
            provinceDone: { code, rows in
                open.lock.lock()
                let csv = open.csv.removeValue(forKey: code)
                open.lock.unlock()
                // Close first: closing writes what is still buffered, and the size counts it.
                let digest = try csv.map { file -> FileDigest in
                    let hash = try file.close()
                    return FileDigest(bytes: file.bytes, sha256: hash)
                }
                open.done.append((code, digest, rows))
            })

        let nationalHash = try national.close()
        let nationalParquetDigest = try context.output.digest("downloads/ppwp-tps.parquet")
        var files = [
            Download(name: "ppwp-tps.csv", description: "Semua TPS, nasional", rows: written.rows,
                     bytes: national.bytes, sha256: nationalHash, format: "csv", schema: table.schema),
            Download(name: "ppwp-tps.parquet", description: "Semua TPS, nasional (Parquet, satu row group per provinsi)",
                     rows: written.rows, bytes: nationalParquetDigest.bytes, sha256: nationalParquetDigest.sha256,
                     format: "parquet", schema: table.schema),
        ]
        var kept: Set<String> = []
        for (code, csvDigest, rows) in open.done {
            let name = "ppwp-tps-\(code.rawValue)"
            if csvDigest == nil { kept.insert(name + ".csv") }
            let csv = try csvDigest ?? context.output.digest("downloads/\(name).csv")
            files.append(Download(name: name + ".csv", description: "TPS di \(provinceNames[code] ?? code.rawValue)",
                                  rows: rows, bytes: csv.bytes, sha256: csv.sha256, format: "csv", schema: table.schema))
            let digest = try context.output.digest("downloads/\(name).parquet")
            files.append(Download(name: name + ".parquet", description: "TPS di \(provinceNames[code] ?? code.rawValue) (Parquet)",
                                  rows: rows, bytes: digest.bytes, sha256: digest.sha256, format: "parquet", schema: table.schema))
        }
        return (files, kept)
    }

    /// Gzip copies of the CSVs the TPS tables did not compress (they shrink to a third or a fifth;
    /// Parquet is compressed already); then every download in name order.
    static func compressDownloads(_ context: Context) throws {
        let compressed = Set(context.downloads.filter { $0.format == "csv.gz" }.map { String($0.name.dropLast(3)) })
        context.downloads += try compress(context.downloads.filter { $0.format == "csv" && !compressed.contains($0.name) },
                                          kept: [], context: context)
        context.downloads.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        context.summary.downloads = context.downloads
    }

    /// Gzip copies of `files` (CSVs), each file on its own core: every copy depends on its own
    /// file only. The national TPS table is left to `compressNationalTPSTable`; a CSV named in
    /// `kept` (unchanged from the previous site) keeps its compressed copy too.
    static func compress(_ files: [Download], kept: Set<String>, context: Context) throws -> [Download] {
        let csvs = files.filter { $0.name != nationalTPSTable }
        let results = UnsafeMutableBufferPointer<Result<FileDigest, Error>?>.allocate(capacity: csvs.count)
        results.initialize(repeating: nil)
        defer { results.deinitialize().deallocate() }
        nonisolated(unsafe) let slots = results
        let output = context.output
        let jobs = max(1, min(context.options.jobs, csvs.count))
        // Largest first, so that no big file starts last.
        let order = csvs.indices.sorted { csvs[$0].bytes > csvs[$1].bytes }
        DispatchQueue.concurrentPerform(iterations: jobs) { worker in
            for position in stride(from: worker, to: order.count, by: jobs) {
                let index = order[position]
                let path = "downloads/" + csvs[index].name
                slots[index] = Result {
                    if kept.contains(csvs[index].name), FileManager.default.fileExists(atPath: output.staging + "/" + path + ".gz") {
                        return try output.digest(path + ".gz")
                    }
                    return try output.gzip(path, headerMember: csvs[index].name.hasPrefix("ppwp-tps-"))
                }
            }
        }
        return try zip(csvs, results).map { file, result in file.compressed(try result!.get()) }
    }

    static let nationalTPSTable = "ppwp-tps.csv"

    /// The national TPS table's gzip copy. Its rows are its provinces' rows, in code order: each
    /// province's `.gz` holds its header line and its rows as two gzip members, and the national
    /// `.gz` is the header member and the provinces' row members joined, with nothing compressed
    /// twice. `files` must hold the provinces' `.gz` already.
    static func compressNationalTPSTable(_ files: [Download], context: Context) throws -> Download? {
        guard let whole = files.first(where: { $0.name == nationalTPSTable }) else { return nil }
        let output = context.output
        let provinces = files.filter { $0.format == "csv" && $0.name.hasPrefix("ppwp-tps-") }
            .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        let header = try output.firstLine("downloads/" + nationalTPSTable)
        // The provinces' rows must be the national rows, byte for byte in size at least.
        let rowBytes = provinces.reduce(0) { $0 + $1.bytes - header.count }
        let joined = rowBytes == whole.bytes - header.count
            ? try output.concatenateGzip("downloads/" + nationalTPSTable + ".gz", header: header,
                                         parts: provinces.map { "downloads/" + $0.name + ".gz" })
            : nil
        return whole.compressed(try joined ?? output.gzip("downloads/" + nationalTPSTable))
    }

    static func writeAnomalyPages(_ context: Context) throws {
        // The lists are rewritten whole: a list that shrank must not keep the previous site's pages.
        if context.changes != nil { try context.output.removeFolder("anomali") }
        try AnomalyPages(renderer: context.renderer, tree: context.tree, flagged: context.flagged).forEach { page in
            try context.output.write(page.path, page.html)
            try context.sitemap.add(String(page.path.dropLast("index.html".count)))
        }
    }

    static func writeMethodologyPages(_ context: Context) throws {
        for page in MethodologyPages(renderer: context.renderer).all() {
            try context.output.write(page.path, page.html)
            try context.sitemap.add(String(page.path.dropLast("index.html".count)))
        }
    }

    /// Checks every finding and evidence hash before any page is rendered: a changed or missing
    /// file stops the build early, naming the file and its finding.
    static func verifyAudit(_ context: Context) throws {
        do {
            context.audit = try AuditPublication.load(publicationFolder: context.options.publicationFolder)
        } catch {
            throw BuildError("the audit section does not verify:\n" + error.description)
        }
    }

    /// Publishes the evidence byte for byte, its SHA256SUMS, the reference tables and the pages.
    static func writeAuditSection(_ context: Context) throws {
        guard let audit = context.audit else { return }
        var sums: [(path: String, sha256: String)] = []
        for finding in audit.findings {
            for evidence in finding.evidence where !sums.contains(where: { $0.path == evidence.item.path }) {
                try context.output.write(SitePath.auditEvidence(evidence.item.path), evidence.contents)
                sums.append((evidence.item.path, evidence.item.sha256))
            }
        }
        try context.output.write(SitePath.auditEvidence("SHA256SUMS"),
                                 sums.sorted { $0.path < $1.path }.map { "\($0.sha256)  \($0.path)\n" }.joined())
        for reference in audit.references {
            try context.output.write("audit/reference/" + reference.table.file, reference.contents)
        }
        if !audit.references.isEmpty {
            try context.output.write("audit/reference/SHA256SUMS", audit.references.map { "\($0.table.sha256)  \($0.table.file)\n" }.joined())
        }
        try AuditPages(renderer: context.renderer, audit: audit).forEach { page in
            try context.output.write(page.folder + "index.html", page.html)
            try context.output.write(page.folder + "index.json", page.json)
            try context.sitemap.add(page.folder)
        }
        context.summary.auditFindings = audit.findings.count
    }

    static func writeDownloadsPage(_ context: Context) throws {
        let package = DataPackage(config: context.config, downloads: context.downloads, period: try context.store.retrievalPeriod())
        try context.output.write("downloads/SHA256SUMS", package.sha256sums)
        try context.output.write("datapackage.json", package.json.serialized() + "\n")
        try context.output.write("CITATION.cff", package.citation)

        let folder = "downloads/"
        let tables = context.downloads.filter { $0.schema != nil && $0.format == "csv" && !$0.name.hasPrefix("ppwp-tps-") }
        var page = context.renderer.base(folder: folder, title: "Unduh data")
        page["files"] = .list(context.downloads.map { file in
            ["name": .text(file.name), "description": .text(file.description), "rows": .text(Format.count(file.rows)),
             "bytes": .text(Format.count(file.bytes)), "sha256": .text(file.sha256), "format": .text(file.format)]
        })
        page["tables"] = .list(tables.map { file in
            ["name": .text(file.name), "columns": .list((file.schema ?? []).map {
                ["name": .text($0.name), "type": .text($0.kind.rawValue), "description": .text($0.description)]
            })]
        })
        page["created"] = .text(package.created)
        page["version"] = .text(package.version)
        page["json_ld"] = .text(package.jsonLD)
        try context.output.write(folder + "index.html", context.renderer.templates.render("downloads", page))
        try context.sitemap.add(folder)
    }

    static func writeHomePage(_ context: Context) throws {
        let tree = context.tree!
        var page = context.renderer.base(folder: "", title: "Beranda")
        page["description"] = .text(context.config.description)
        page["tps_total"] = .text(Format.count(tree.nation.totals.tpsTotal))
        page["tps_with_results"] = .text(Format.count(tree.nation.totals.tpsWithResults))
        page["provinces"] = .list(tree.nation.children.map { ["code": .text($0.rawValue), "name": .text(tree.name(of: $0))] })
        page["audit"] = .flag(context.audit != nil)
        try context.output.write("index.html", context.renderer.templates.render("home", page))
        try context.sitemap.add("")
    }

    static func copyAssets(_ context: Context) throws {
        try context.output.copyTree(from: context.options.assetsFolder, to: "")
    }

    /// Renders and writes pages a batch at a time on the workers, while the caller (the only
    /// reader of the store) gathers the next batch: the reads no longer leave the cores idle.
    /// `finish` runs on the caller's thread, batch after batch in the order submitted.
    final class PageBatches<Input>: @unchecked Sendable {
        private let context: Context
        private let render: (Input) -> RenderedPage
        private let after: ([Input]) throws -> Void
        private var inFlight: (inputs: [Input], group: DispatchGroup, result: ResultBox)?

        final class ResultBox: @unchecked Sendable {
            var written: Result<Void, Error> = .success(())
        }

        init(context: Context, render: @escaping (Input) -> RenderedPage, finish: @escaping ([Input]) throws -> Void) {
            self.context = context
            self.render = render
            self.after = finish
        }

        func submit(_ inputs: [Input]) throws {
            try finish()
            guard !inputs.isEmpty else { return }
            let group = DispatchGroup()
            let box = ResultBox()
            nonisolated(unsafe) let work = (inputs, context, render)
            DispatchQueue.global().async(group: group) {
                box.written = Result { try SiteBuild.parallelWrite(work.0, context: work.1, render: work.2) }
            }
            inFlight = (inputs, group, box)
        }

        /// Waits for the batch in flight, then runs `finish` on it.
        func finish() throws {
            guard let batch = inFlight else { return }
            inFlight = nil
            batch.group.wait()
            try batch.result.written.get()
            try after(batch.inputs)
        }

        deinit {
            // A build that failed between two batches must not leave workers writing.
            inFlight?.group.wait()
        }
    }

    /// Renders `inputs` on all cores and writes each page's files. Each page goes to its own
    /// paths, so the output does not depend on which thread wrote what.
    static func parallelWrite<Input>(_ inputs: [Input], context: Context, render: (Input) -> RenderedPage) throws {
        let errors = UnsafeMutableBufferPointer<Error?>.allocate(capacity: inputs.count)
        errors.initialize(repeating: nil)
        defer { errors.deinitialize().deallocate() }
        nonisolated(unsafe) let failures = errors
        let output = context.output
        nonisolated(unsafe) let inputs = inputs
        let jobs = min(context.options.jobs, max(inputs.count, 1))
        withoutActuallyEscaping(render) { render in
            nonisolated(unsafe) let render = render
            // Workers take runs of consecutive inputs as they come free. Runs, not every jobs-th
            // input: neighbouring pages share a parent folder, whose lock the kernel takes to make
            // each page's folder and files, so two workers on neighbours wait for each other. Each
            // page goes to its own paths, so the files do not depend on which worker wrote what.
            let next = NextRun(count: inputs.count, length: 16)
            DispatchQueue.concurrentPerform(iterations: jobs) { _ in
                let writer = output.pageWriter()
                while let run = next.take() {
                    for index in run {
                        let page = render(inputs[index])
                        do {
                            try writer.page(page.folder) { folder in
                                try folder.write("index.html", page.html)
                                try folder.write("index.json", page.json)
                                if let csv = page.csv { try folder.write("index.csv", csv) }
                            }
                        } catch {
                            failures[index] = error
                        }
                    }
                }
            }
        }
        if let error = errors.compactMap({ $0 }).first { throw error }
    }
}

extension StreamFile: ByteSink {}
