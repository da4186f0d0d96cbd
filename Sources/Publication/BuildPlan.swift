import Crypto
import Foundation
import Output
import SirekapFormat
import Store

/// Whether a build redoes everything or only what changed since the last one, and why.
///
/// A build is incremental when the site in the output folder is the one the store's build
/// record describes (same build id in its marker), nothing but the store changed (same
/// program, configuration, templates, assets and audit folder), the store only gained TPS
/// results, KPU aggregates and saved copies of them (no region list), and the output folder's
/// file system can hard-link. It then starts from hard links to the
/// previous site and rewrites the pages of the changed TPS, their villages and every region
/// above them, the regions whose KPU aggregate changed, and the downloads that hold any of
/// them; everything else stays as it was, and the new folder is swapped in as a full build's.
/// The result is byte for byte what a full build gives (the tests hold it to that).
public enum BuildScope: Sendable, Equatable {
    case full(reason: String)
    case incremental(BuildChanges)

    public var isIncremental: Bool {
        if case .incremental = self { return true }
        return false
    }
}

/// What changed in the store since the last build.
public struct BuildChanges: Sendable, Equatable {
    /// TPS with a new version or a new saved copy, in code order.
    public let tps: [RegionCode]
    /// Villages of those TPS (their totals are summed again).
    public let villages: Set<RegionCode>
    /// Regions whose pages are redone: every ancestor of a changed TPS, and every region with a
    /// new KPU aggregate.
    public let regions: Set<RegionCode>
    /// Whether the national page is redone (it always is when anything changed).
    public let nation: Bool
    /// Provinces whose TPS tables are rewritten.
    public let provinces: Set<RegionCode>

    init(tps: [RegionCode], aggregates: [RegionCode?]) {
        self.tps = tps
        villages = Set(tps.map { $0.parent! })
        var regions = Set<RegionCode>()
        for code in tps { regions.formUnion(code.lineage.dropLast()) }
        for code in aggregates.compactMap({ $0 }) { regions.formUnion(code.lineage) }
        self.regions = regions
        nation = !tps.isEmpty || !aggregates.isEmpty
        provinces = Set(tps.map(\.province))
    }

    func redoes(_ code: RegionCode?) -> Bool { code.map(regions.contains) ?? nation }
}

extension SiteBuild {
    /// Decides full or incremental and names this build; an incremental build links the previous
    /// site into the staging folder before anything is written.
    static func plan(_ context: Context) throws {
        let inputs = try InputsDigest.compute(context.options)
        let maxima = try context.store.maxima()
        let id = String(SHA256.hash(data: Data("\(inputs) \(maxima)".utf8)).hex.prefix(32))
        context.record = BuildRecord(id: id, inputs: inputs, maxima: maxima)
        context.scope = try scope(context, inputs: inputs, maxima: maxima)
        if case .incremental = context.scope {
            do {
                context.summary.filesLinked = try context.output.linkPrevious()
                // Rewritten whole by every build; a shorter list must not keep the old files.
                try context.output.removeFolder("sitemaps")
            } catch let error as OutputError where error.cannotLink {
                try context.output.resetStaging()
                context.scope = .full(reason: "the output folder's file system cannot hard-link (\(error.description))")
            }
        }
        try context.output.writeMarker(buildID: id)
    }

    static func scope(_ context: Context, inputs: String, maxima: StoreMaxima) throws -> BuildScope {
        if context.options.full { return .full(reason: "asked for (--full)") }
        guard let previous = try context.store.lastBuild() else { return .full(reason: "no earlier build recorded in the store") }
        guard OutputFolder.buildID(of: context.output.destination) == previous.id else {
            return .full(reason: "the output folder is not the site of the last recorded build")
        }
        guard previous.inputs == inputs else {
            return .full(reason: "the program, configuration, templates, assets or audit folder changed")
        }
        guard previous.maxima.regionListVersion == maxima.regionListVersion,
              try !context.store.regionListCopiesAdded(since: previous.maxima) else { return .full(reason: "a region list changed") }
        guard previous.maxima.tpsVersion <= maxima.tpsVersion, previous.maxima.aggregateVersion <= maxima.aggregateVersion,
              previous.maxima.sourceFile <= maxima.sourceFile else {
            return .full(reason: "the store holds less than at the last build")
        }
        return .incremental(BuildChanges(tps: try context.store.tpsChanged(since: previous.maxima),
                                         aggregates: try context.store.aggregatesChanged(since: previous.maxima)))
    }

    /// Records the committed build in the store, with what the next incremental build reuses.
    static func saveRecord(_ context: Context) throws {
        let tree = context.tree!
        switch context.scope {
        case .full:
            let villages = tree.nodes.values.filter { $0.code!.level == .village }.map { ($0.code!, $0.totals) }
            try context.store.saveBuild(context.record, villages: villages, tps: [], quality: context.qualityToSave, complete: true)
        case .incremental(let changes):
            let villages = context.villagesRecomputed.map { ($0, tree.nodes[$0]!.totals) }
            try context.store.saveBuild(context.record, villages: villages, tps: changes.tps,
                                        quality: context.qualityToSave, complete: false)
        }
    }
}

/// A digest of everything besides the store that the site depends on: the program itself (its
/// size and modification time), publication.json, the audit folder, the templates, the assets,
/// and the options that change files. Any change makes the next build a full one.
enum InputsDigest {
    static func compute(_ options: SiteBuild.Options) throws -> String {
        var hasher = SHA256()
        func add(_ text: String) { hasher.update(data: Data((text + "\n").utf8)) }
        var program = stat()
        if stat("/proc/self/exe", &program) == 0 {
            add("program \(program.st_size) \(program.st_mtim.tv_sec).\(program.st_mtim.tv_nsec)")
        } else {
            add("program unknown \(UUID().uuidString)")  // cannot tell: never reuse
        }
        add("sitemap \(options.sitemapLimit)")
        try addFile(options.publicationFolder + "/" + PublicationConfig.fileName, as: "publication.json", to: &hasher)
        for (label, folder) in [("audit", options.publicationFolder + "/audit"), ("templates", options.templatesFolder),
                                ("assets", options.assetsFolder)] {
            add("folder " + label)
            guard let enumerator = FileManager.default.enumerator(atPath: folder) else { continue }
            var files: [String] = []
            while let item = enumerator.nextObject() as? String {
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: folder + "/" + item, isDirectory: &isFolder), !isFolder.boolValue {
                    files.append(item)
                }
            }
            for file in files.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                try addFile(folder + "/" + file, as: label + "/" + file, to: &hasher)
            }
        }
        return hasher.finalize().hex
    }

    private static func addFile(_ path: String, as name: String, to hasher: inout SHA256) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            hasher.update(data: Data("missing \(name)\n".utf8))
            return
        }
        hasher.update(data: Data("file \(name) \(data.count)\n".utf8))
        hasher.update(data: data)
    }
}
