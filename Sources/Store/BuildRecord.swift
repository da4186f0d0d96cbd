import Foundation
import SirekapFormat

/// What the last committed site build was made from. The next build compares it with the store
/// and its own inputs: when only TPS results and KPU aggregates were added since, it redoes the
/// pages and downloads they touch and reuses the rest (see `SiteBuild`).
public struct BuildRecord: Sendable, Equatable {
    /// Names the build; the site's marker file carries it, so a site and a record that do not
    /// belong together (a build interrupted between the two, a site copied elsewhere) are told apart.
    public var id: String
    /// Digest of everything but the store that the pages depend on (configuration, templates,
    /// assets, audit folder, the program itself).
    public var inputs: String
    /// Highest row ids of the versioned tables at that build, and of the saved copies (a new copy
    /// of known bytes changes the pages that list the copies).
    public var maxima: StoreMaxima

    public init(id: String, inputs: String, maxima: StoreMaxima) {
        self.id = id
        self.inputs = inputs
        self.maxima = maxima
    }
}

/// Highest row ids of the tables a build depends on (0 for an empty table).
public struct StoreMaxima: Sendable, Equatable, CustomStringConvertible {
    public var tpsVersion = 0
    public var aggregateVersion = 0
    public var regionListVersion = 0
    public var sourceFile = 0

    public init() {}

    public var description: String { "\(tpsVersion) \(aggregateVersion) \(regionListVersion) \(sourceFile)" }
}

/// One TPS's quality as a build saw it: its anomalies (rule id and detail) and its revision
/// rows, already in CSV form.
public struct CachedTPSQuality: Sendable, Equatable {
    public let code: RegionCode
    public let anomalies: [(rule: String, detail: String)]
    public let revisionRows: String

    public init(code: RegionCode, anomalies: [(rule: String, detail: String)], revisionRows: String) {
        self.code = code
        self.anomalies = anomalies
        self.revisionRows = revisionRows
    }

    public static func == (a: CachedTPSQuality, b: CachedTPSQuality) -> Bool {
        a.code == b.code && a.revisionRows == b.revisionRows && a.anomalies.elementsEqual(b.anomalies) { $0 == $1 }
    }

    /// `rule TAB detail` lines (details never hold a tab or line break: the rules write them).
    var anomaliesText: String { anomalies.map { $0.rule + "\t" + $0.detail + "\n" }.joined() }

    static func anomalies(from text: String) -> [(rule: String, detail: String)] {
        text.split(separator: "\n").map { line in
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }
}

extension Store {
    /// The record of the last build, if one was saved whole: a record whose saved villages or TPS
    /// were changed by hand since (rows deleted, say) is no record.
    public func lastBuild() throws -> BuildRecord? {
        var values: [String: String] = [:]
        for (key, value) in try db.statement("SELECT key, value FROM build_state").rows([], { ($0.text(0), $0.text(1)) }) {
            values[key] = value
        }
        func number(_ key: String) -> Int? { values[key].flatMap { Int($0) } }
        guard let id = values["id"], let inputs = values["inputs"], let tps = number("tps_version_max"),
              let aggregate = number("aggregate_version_max"), let regionList = number("region_list_version_max"),
              let sources = number("source_file_max"), let villageRows = number("village_rows"), let tpsRows = number("tps_rows")
        else { return nil }
        let counts = try db.statement("SELECT (SELECT count(*) FROM build_village), (SELECT count(*) FROM build_tps)")
            .rows { ($0.int(0), $0.int(1)) }[0]
        guard counts == (villageRows, tpsRows) else { return nil }
        var maxima = StoreMaxima()
        (maxima.tpsVersion, maxima.aggregateVersion, maxima.regionListVersion, maxima.sourceFile) = (tps, aggregate, regionList, sources)
        return BuildRecord(id: id, inputs: inputs, maxima: maxima)
    }

    /// Highest row ids now.
    public func maxima() throws -> StoreMaxima {
        let row = try db.statement("""
            SELECT (SELECT ifnull(max(id), 0) FROM tps_version), (SELECT ifnull(max(id), 0) FROM aggregate_version),
                   (SELECT ifnull(max(id), 0) FROM region_list_version), (SELECT ifnull(max(id), 0) FROM source_file)
            """).rows { ($0.int(0), $0.int(1), $0.int(2), $0.int(3)) }[0]
        var maxima = StoreMaxima()
        (maxima.tpsVersion, maxima.aggregateVersion, maxima.regionListVersion, maxima.sourceFile) = row
        return maxima
    }

    /// TPS with a version or a saved copy added since `previous`, in code order.
    public func tpsChanged(since previous: StoreMaxima) throws -> [RegionCode] {
        try db.statement("""
            SELECT code FROM tps_version WHERE id > ?
            UNION
            SELECT v.code FROM source_file s JOIN tps_version v ON v.id = s.version_id WHERE s.kind = 'tps' AND s.id > ?
            ORDER BY 1
            """).rows([.int(previous.tpsVersion), .int(previous.sourceFile)]) { RegionCode($0.text(0))! }
    }

    /// Regions (nil: the nation) with a KPU aggregate or a saved copy of one added since `previous`.
    public func aggregatesChanged(since previous: StoreMaxima) throws -> [RegionCode?] {
        try db.statement("""
            SELECT code FROM aggregate_version WHERE id > ?
            UNION
            SELECT a.code FROM source_file s JOIN aggregate_version a ON a.id = s.version_id WHERE s.kind = 'aggregate' AND s.id > ?
            ORDER BY 1
            """).rows([.int(previous.aggregateVersion), .int(previous.sourceFile)]) {
            $0.text(0).isEmpty ? nil : RegionCode($0.text(0))
        }
    }

    /// Whether a copy of a region list was saved since `previous` (pages do not list those
    /// copies, but a new region list is a full build, and this keeps the rule simple).
    public func regionListCopiesAdded(since previous: StoreMaxima) throws -> Bool {
        try db.statement("SELECT count(*) FROM source_file WHERE kind = 'regions' AND id > ?").rows([.int(previous.sourceFile)]) { $0.int(0) }[0] > 0
    }

    /// Each village's totals as the last build saved them.
    public func savedVillageTotals() throws -> [RegionCode: ComputedTotals] {
        var totals: [RegionCode: ComputedTotals] = [:]
        let statement = try db.statement("SELECT code, totals FROM build_village")
        while try statement.step() {
            guard let code = RegionCode(statement.text(0)), let value = ComputedTotals(encoded: statement.text(1)) else {
                statement.reset()
                throw SQLiteError(code: 0, message: "build_village: an unreadable row for \(statement.text(0))")
            }
            totals[code] = value
        }
        statement.reset()
        return totals
    }

    /// The quality of every TPS the last build saw flagged or revised, in code order.
    public func savedTPSQuality() throws -> [CachedTPSQuality] {
        try db.statement("SELECT code, anomalies, revision_rows FROM build_tps ORDER BY code").rows { row in
            CachedTPSQuality(code: RegionCode(row.text(0))!, anomalies: CachedTPSQuality.anomalies(from: row.text(1)),
                             revisionRows: row.text(2))
        }
    }

    /// Saves a committed build in one transaction. A full build (`complete`) replaces all saved
    /// villages and TPS; an incremental one replaces those it recomputed (`tps` then lists every
    /// TPS it looked at, `quality` those of them with something to keep).
    public func saveBuild(_ record: BuildRecord, villages: [(RegionCode, ComputedTotals)], tps: [RegionCode],
                          quality: [CachedTPSQuality], complete: Bool) throws {
        try db.transaction {
            if complete {
                try db.execute("DELETE FROM build_village")
                try db.execute("DELETE FROM build_tps")
            }
            let village = try db.statement("INSERT OR REPLACE INTO build_village(code, totals) VALUES (?, ?)")
            for (code, totals) in villages { try village.run([.text(code.rawValue), .text(totals.encoded)]) }
            if !complete {
                let forget = try db.statement("DELETE FROM build_tps WHERE code = ?")
                for code in tps { try forget.run([.text(code.rawValue)]) }
            }
            let keep = try db.statement("INSERT OR REPLACE INTO build_tps(code, anomalies, revision_rows) VALUES (?, ?, ?)")
            for entry in quality {
                try keep.run([.text(entry.code.rawValue), .text(entry.anomaliesText), .text(entry.revisionRows)])
            }
            let counts = try db.statement("SELECT (SELECT count(*) FROM build_village), (SELECT count(*) FROM build_tps)")
                .rows { ($0.int(0), $0.int(1)) }[0]
            let state = try db.statement("INSERT OR REPLACE INTO build_state(key, value) VALUES (?, ?)")
            for (key, value) in [("id", record.id), ("inputs", record.inputs), ("tps_version_max", String(record.maxima.tpsVersion)),
                                 ("aggregate_version_max", String(record.maxima.aggregateVersion)),
                                 ("region_list_version_max", String(record.maxima.regionListVersion)),
                                 ("source_file_max", String(record.maxima.sourceFile)),
                                 ("village_rows", String(counts.0)), ("tps_rows", String(counts.1))] {
                try state.run([.text(key), .text(value)])
            }
        }
    }
}

extension ComputedTotals {
    /// One line of text: `tps,results,administrasi,sah,tidak_sah|candidate=votes,...|rule=count,...`,
    /// keys sorted, so equal totals give equal text.
    public var encoded: String {
        let head = [tpsTotal, tpsWithResults, tpsWithAdministrasi, suaraSah, suaraTidakSah].map(String.init).joined(separator: ",")
        let votes = self.votes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        let flags = flagged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return head + "|" + votes + "|" + flags
    }

    /// Reads what `encoded` wrote; nil for anything else. A byte scanner: an incremental build
    /// reads every village's saved totals (83,000 nationally), and splitting the text into
    /// substrings cost most of a second.
    public init?(encoded text: String) {
        var text = text
        guard let totals = text.withUTF8({ ComputedTotals.parse($0) }) else { return nil }
        self = totals
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> ComputedTotals? {
        let comma = UInt8(ascii: ","), bar = UInt8(ascii: "|"), equals = UInt8(ascii: "=")
        var index = 0
        func skip(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        // A decimal integer, negative ones included (sums of published numbers can be).
        func integer() -> Int? {
            let negative = skip(UInt8(ascii: "-"))
            let start = index
            var value = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                let (times, overflow) = value.multipliedReportingOverflow(by: 10)
                let (sum, carry) = times.addingReportingOverflow(Int(bytes[index] - 0x30))
                guard !overflow, !carry else { return nil }
                value = sum
                index += 1
            }
            guard index > start else { return nil }
            return negative ? -value : value
        }
        // `key=value` items separated by commas, up to the next bar or the end.
        func pairs() -> [String: Int]? {
            var out: [String: Int] = [:]
            while index < bytes.count, bytes[index] != bar {
                let start = index
                while index < bytes.count, bytes[index] != equals, bytes[index] != comma, bytes[index] != bar { index += 1 }
                let key = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                guard index > start, skip(equals), let value = integer() else { return nil }
                out[key] = value
                guard index == bytes.count || bytes[index] == bar || skip(comma) else { return nil }
            }
            return out
        }
        var head = (0, 0, 0, 0, 0)
        guard let tps = integer(), skip(comma), let results = integer(), skip(comma), let forms = integer(), skip(comma),
              let sah = integer(), skip(comma), let tidakSah = integer(), skip(bar) else { return nil }
        head = (tps, results, forms, sah, tidakSah)
        guard let votes = pairs(), skip(bar), let flagged = pairs(), index == bytes.count else { return nil }
        var totals = ComputedTotals()
        (totals.tpsTotal, totals.tpsWithResults, totals.tpsWithAdministrasi, totals.suaraSah, totals.suaraTidakSah) = head
        totals.votes = votes
        totals.flagged = flagged
        return totals
    }
}
