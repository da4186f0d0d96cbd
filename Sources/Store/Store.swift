import Foundation
import SirekapFormat

/// The SQLite file everything on the site comes from: regions, every version of every TPS result
/// and KPU aggregate, and the provenance of each.
public final class Store {
    let db: Database
    public var path: String { db.path }

    /// Opens (creating if needed) the store at `path`.
    public init(path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        db = try Database(path: path)
        // 16 KiB pages (SQLite's default is 4): the build and the download tables read the store
        // in long runs of key order, and a quarter of the page reads and shallower B-trees made
        // the national TPS table's export about a tenth cheaper. It takes effect only in a new
        // file; an existing store keeps its page size.
        try db.execute("PRAGMA page_size = 16384")
        // WAL + NORMAL: a crash can lose the last transactions but never corrupts the file,
        // and every transaction is whole, which is all the import needs to be restartable.
        try db.execute("PRAGMA journal_mode = WAL")
        try db.execute("PRAGMA synchronous = NORMAL")
        try db.transaction {
            for statement in Schema.statements { try db.execute(statement) }
            try db.statement("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)")
                .run([.text(String(Schema.version))])
            try migrate()
        }
        try checkSchemaVersion()
    }

    /// Runs the migrations from the store's schema version up to this program's (inside the
    /// opening transaction, so a store is migrated whole or not at all).
    private func migrate() throws {
        let stored = try db.statement("SELECT value FROM meta WHERE key = 'schema_version'").rows { $0.text(0) }
        guard var version = stored.first.flatMap({ Int($0) }) else { return }
        while version < Schema.version, let steps = Schema.migrations[version] {
            for step in steps { try db.execute(step) }
            version += 1
            try db.statement("UPDATE meta SET value = ? WHERE key = 'schema_version'").run([.text(String(version))])
        }
    }

    /// Opens an existing store for reading only: a second connection for a thread that reads
    /// beside the main one (WAL lets readers run side by side).
    public init(readingFrom path: String) throws {
        db = try Database(path: path, readOnly: true)
        try checkSchemaVersion()
    }

    /// Runs `body` with every read through this connection in one read transaction: one
    /// snapshot of the store for all of it, and SQLite's shared lock taken once instead of for
    /// every statement (a rebuild runs about 100,000 small queries, and the lock calls were a
    /// visible part of them). `body` must not write through this connection.
    public func snapshot<T>(_ body: () throws -> T) throws -> T {
        try db.execute("BEGIN DEFERRED")
        do {
            let result = try body()
            try db.execute("COMMIT")
            return result
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }

    private func checkSchemaVersion() throws {
        let version = try db.statement("SELECT value FROM meta WHERE key = 'schema_version'").rows { $0.text(0) }
        guard version.first == String(Schema.version) else {
            throw SQLiteError(code: 1, message: "\(path): store schema \(version.first ?? "none"), this program reads \(Schema.version)")
        }
    }

    // MARK: Regions

    public struct Region: Hashable, Sendable {
        public let code: RegionCode
        public let parent: RegionCode?
        public let rawName: String
        public let name: String
        public let kpuID: Int
        public var level: Level { code.level }
    }

    private static let regionColumns = "code, parent, name_raw, name, kpu_id"

    private static func region(_ row: Statement) -> Region {
        Region(code: RegionCode(row.text(0))!, parent: row.optionalText(1).flatMap { RegionCode($0) },
               rawName: row.text(2), name: row.text(3), kpuID: row.int(4))
    }

    public func region(_ code: RegionCode) throws -> Region? {
        try db.statement("SELECT \(Store.regionColumns) FROM region WHERE code = ?")
            .rows([.text(code.rawValue)], Store.region).first
    }

    /// The children of a region (the provinces for nil), in code order.
    public func children(of parent: RegionCode?) throws -> [Region] {
        if let parent {
            return try db.statement("SELECT \(Store.regionColumns) FROM region WHERE parent = ? ORDER BY code")
                .rows([.text(parent.rawValue)], Store.region)
        }
        return try db.statement("SELECT \(Store.regionColumns) FROM region WHERE level = 1 ORDER BY code")
            .rows([], Store.region)
    }

    public func regionCount(level: Level) throws -> Int {
        try db.statement("SELECT count(*) FROM region WHERE level = ?").rows([.int(level.rawValue)]) { $0.int(0) }[0]
    }

    // MARK: TPS results

    /// Where one version's bytes came from.
    public struct Source: Hashable, Sendable {
        public let url: String
        public let rawSHA256: String
        public let bytes: Int
        public let root: String
        public let path: String
        public let fileModified: String?
        /// When the mirror was downloaded from KPU, if the import was told (`--retrieved`).
        public let retrievedAt: String?
        public let importedAt: String

        /// When these bytes were taken: the download time where known, else when they were imported.
        public var retrieved: String { retrievedAt ?? importedAt }
    }

    public struct TPSVersion: Hashable, Sendable {
        public let id: Int
        public let code: RegionCode
        public let contentSHA256: String
        public let result: TPSResult
        /// Every saved copy of this content, in import order.
        public let sources: [Source]
    }

    private static let tpsColumns = "id, code, content_sha256, ts, mode, psu, status_suara, status_adm, chart, images, administrasi"

    private static let sourceColumns = "url, raw_sha256, bytes, root, path, file_modified, retrieved_at, imported_at"

    private static func source(_ row: Statement, from first: Int32) -> Source {
        Source(url: row.text(first), rawSHA256: row.text(first + 1), bytes: row.int(first + 2), root: row.text(first + 3),
               path: row.text(first + 4), fileModified: row.optionalText(first + 5), retrievedAt: row.optionalText(first + 6),
               importedAt: row.text(first + 7))
    }

    func sources(kind: String, versionID: Int) throws -> [Source] {
        try db.statement("SELECT \(Store.sourceColumns) FROM source_file WHERE kind = ? AND version_id = ? ORDER BY id")
            .rows([.text(kind), .int(versionID)]) { Store.source($0, from: 0) }
    }

    /// Every version held for a TPS, newest KPU ts first (the first is the current one).
    /// Two queries per TPS whatever its number of versions: this runs once per TPS page.
    /// `CROSS JOIN` fixes the join order (the TPS's few versions, then their sources by index):
    /// without statistics SQLite may otherwise scan every TPS source for each TPS.
    public func tpsVersions(_ code: RegionCode) throws -> [TPSVersion] {
        let decoder = JSONDecoder()
        let rows = try db.statement("SELECT \(Store.tpsColumns) FROM tps_version WHERE code = ? ORDER BY ts DESC, id DESC")
            .rows([.text(code.rawValue)]) { row in
                (id: row.int(0), contentSHA256: row.text(2), result: try Store.tpsResult(row, from: 3, decoder: decoder))
            }
        guard !rows.isEmpty else { return [] }
        var sources: [Int: [Source]] = [:]
        for (versionID, source) in try db.statement("""
            SELECT s.version_id, \(Store.sourceColumns)
            FROM tps_version v CROSS JOIN source_file s ON s.kind = 'tps' AND s.version_id = v.id
            WHERE v.code = ? ORDER BY s.id
            """).rows([.text(code.rawValue)], { ($0.int(0), Store.source($0, from: 1)) }) {
            sources[versionID, default: []].append(source)
        }
        return rows.map { row in
            TPSVersion(id: row.id, code: code, contentSHA256: row.contentSHA256, result: row.result, sources: sources[row.id] ?? [])
        }
    }

    public func currentTPS(_ code: RegionCode) throws -> TPSVersion? {
        try tpsVersions(code).first
    }

    /// Number of TPS with at least one result held.
    public func tpsWithResultsCount() throws -> Int {
        try db.statement("SELECT count(DISTINCT code) FROM tps_version").rows { $0.int(0) }[0]
    }

    // MARK: KPU aggregates

    public struct AggregateVersion: Hashable, Sendable {
        public let id: Int
        /// Nil for the national aggregate.
        public let code: RegionCode?
        public let contentSHA256: String
        public let aggregate: Aggregate
        public let sources: [Source]
    }

    /// Every version of KPU's aggregate for a region (nil: national), newest first; with `newest`,
    /// the newest only (a build wants it for every region, twice for a village: decoding every
    /// older version to keep the first cost as much again per version).
    public func aggregateVersions(_ code: RegionCode?, newest: Bool = false) throws -> [AggregateVersion] {
        let rows = try db.statement("""
            SELECT id, content_sha256 FROM aggregate_version WHERE code = ? ORDER BY ts DESC, id DESC LIMIT ?
            """).rows([.text(code?.rawValue ?? ""), .int(newest ? 1 : -1)]) { ($0.int(0), $0.text(1)) }
        return try rows.map { id, hash in
            let content = try db.statement("SELECT content FROM aggregate_version WHERE id = ?")
                .rows([.int(id)]) { $0.text(0) }
            let aggregate = try RawJSON.decode(Aggregate.self, from: Data(content[0].utf8))
            return AggregateVersion(id: id, code: code, contentSHA256: hash, aggregate: aggregate,
                                    sources: try sources(kind: "aggregate", versionID: id))
        }
    }

    public func aggregateCount() throws -> Int {
        try db.statement("SELECT count(DISTINCT code) FROM aggregate_version").rows { $0.int(0) }[0]
    }

    // MARK: Import history

    public struct Rejection: Hashable, Sendable {
        public let root: String
        public let path: String
        public let rawSHA256: String
        public let reason: String
    }

    public func rejections() throws -> [Rejection] {
        try db.statement("SELECT root, path, raw_sha256, reason FROM rejected_file ORDER BY root, path")
            .rows { Rejection(root: $0.text(0), path: $0.text(1), rawSHA256: $0.text(2), reason: $0.text(3)) }
    }
}

extension Store {
    /// The first and last time any held file was taken (its retrieval time where known, else its
    /// import time), ISO 8601 UTC; nil when the store is empty.
    public func retrievalPeriod() throws -> (first: String, last: String)? {
        let rows = try db.statement("""
            SELECT min(coalesce(retrieved_at, imported_at)), max(coalesce(retrieved_at, imported_at)) FROM source_file
            """).rows { ($0.optionalText(0), $0.optionalText(1)) }
        guard let row = rows.first, let first = row.0, let last = row.1 else { return nil }
        return (first, last)
    }
}

extension Store {
    /// Reads every TPS's versions (with their sources) in code order, in two streaming queries
    /// instead of two queries per TPS: the build asks for TPS in code order, so the cursor only
    /// moves forward. Memory holds one TPS at a time.
    public final class TPSVersionCursor {
        private let versions: Statement
        private let sources: Statement
        private let decoder = JSONDecoder()
        private var versionRow: Bool
        private var sourceRow: Bool
        private var lastKey = ""

        init(store: Store) throws {
            versions = try store.db.statement("SELECT \(Store.tpsColumns) FROM tps_version ORDER BY code, ts DESC, id DESC")
            // Sources in the order of their version's code, then id, so both streams advance together.
            sources = try store.db.statement("""
                SELECT v.code, s.version_id, \(Store.sourceColumns)
                FROM tps_version v CROSS JOIN source_file s ON s.kind = 'tps' AND s.version_id = v.id
                ORDER BY v.code, s.id
                """)
            versionRow = try versions.step()
            sourceRow = try sources.step()
        }

        deinit {
            versions.reset()
            sources.reset()
        }

        /// The versions of `code`, newest first (empty when none is held). Codes must be asked in
        /// ascending byte order; codes skipped over are passed by.
        public func versions(of code: RegionCode) throws -> [TPSVersion] {
            let key = code.rawValue
            guard !key.utf8.lexicographicallyPrecedes(lastKey.utf8) else {
                throw CursorOrderError(description: "TPS \(key) asked after \(lastKey): the cursor reads in code order only")
            }
            lastKey = key
            var found: [(id: Int, contentSHA256: String, result: TPSResult)] = []
            while versionRow {
                let rowCode = versions.text(1)
                if rowCode.utf8.lexicographicallyPrecedes(key.utf8) {
                    versionRow = try versions.step()
                    continue
                }
                guard rowCode == key else { break }
                found.append((versions.int(0), versions.text(2), try Store.tpsResult(versions, from: 3, decoder: decoder)))
                versionRow = try versions.step()
            }
            var bySource: [Int: [Source]] = [:]
            while sourceRow {
                let rowCode = sources.text(0)
                if rowCode.utf8.lexicographicallyPrecedes(key.utf8) {
                    sourceRow = try sources.step()
                    continue
                }
                guard rowCode == key else { break }
                bySource[sources.int(1), default: []].append(Store.source(sources, from: 2))
                sourceRow = try sources.step()
            }
            return found.map { TPSVersion(id: $0.id, code: code, contentSHA256: $0.contentSHA256, result: $0.result, sources: bySource[$0.id] ?? []) }
        }
    }

    public func tpsVersionCursor() throws -> TPSVersionCursor { try TPSVersionCursor(store: self) }
}

/// A TPS asked of a `TPSVersionCursor` out of code order: a bug in the caller, reported, not skipped.
public struct CursorOrderError: Error, CustomStringConvertible {
    public let description: String
}
