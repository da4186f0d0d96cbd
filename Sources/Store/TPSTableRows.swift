import CSQLite
import Foundation
import SirekapFormat

/// Bytes of one column of the row SQLite is on; valid until that statement steps again.
public typealias ColumnBytes = UnsafeBufferPointer<UInt8>

extension Store {
    /// One TPS as the download tables list it: its code and listed name, and its current
    /// version's stored values and first source, as views into SQLite's own row buffers.
    ///
    /// The national table has 823,000 rows: making a result model, a string per cell and a
    /// dictionary per chart for each was most of its cost. The views are valid only inside the
    /// callback of `forEachTPSTableRow`.
    public struct TPSTableRow {
        public let code: ColumnBytes
        /// The name from the region list; nil for a TPS known only from a result.
        public let name: ColumnBytes?
        /// Distinct versions held (0: listed, no result).
        public let versionCount: Int
        /// The current version (newest `ts`, then last imported); nil when none is held.
        public let current: Current?
    }

    public struct Current {
        public let ts: ColumnBytes
        public let mode: ColumnBytes?
        public let psu: ColumnBytes?
        public let statusSuara: Bool
        public let statusAdm: Bool
        let chart: ColumnBytes?
        let administrasi: ColumnBytes?
        /// The first saved copy of this version's bytes.
        public let sourceSHA256: ColumnBytes
        public let sourceURL: ColumnBytes
        /// When those bytes were taken (the download time where known, else the import time).
        public let retrieved: ColumnBytes

        public var hasChart: Bool { chart != nil }
        public var hasAdministrasi: Bool { administrasi != nil }

        /// The votes of `candidates` (UTF-8 ids) into `slots`, in that order; nil where the chart
        /// gives null or lacks the candidate, and everywhere when there is no chart.
        public func votes(of candidates: [[UInt8]], into slots: inout [Int?]) throws {
            for index in slots.indices { slots[index] = nil }
            guard let chart else { return }
            let scanned = StoredJSON.scanIntegerObject(chart) { key, value in
                for index in candidates.indices where Store.equal(candidates[index], key) { slots[index] = value }
            }
            guard !scanned else { return }
            // Not the plain shape the importer writes: let JSONDecoder read (or reject) it.
            let votes = try StoredJSON.candidateVotes(String(decoding: chart, as: UTF8.self), decoder: JSONDecoder())
            for (index, candidate) in candidates.enumerated() { slots[index] = votes[String(decoding: candidate, as: UTF8.self)] }
        }

        /// The administrative form's values into `slots`, in `Administrasi.fieldNames` order; all
        /// nil when the form is not held.
        public func administrasi(into slots: inout [Int?]) throws {
            guard let administrasi else {
                for index in slots.indices { slots[index] = nil }
                return
            }
            guard !StoredJSON.scanAdministrasi(administrasi, into: &slots) else { return }
            let form = try StoredJSON.administrasi(administrasi)
            for index in slots.indices { slots[index] = index < form.slots.count ? form.slots[index] : nil }
        }
    }

    /// Calls `body` with every TPS in code order (only those whose code starts with
    /// `province`, if given): each listed TPS, and each TPS known only from a result. Two
    /// streams merged in one pass (the listed TPS, and every version newest first, each with its
    /// first copy's provenance beside it), so memory holds one row.
    public func forEachTPSTableRow(province: String? = nil, _ body: (TPSTableRow) throws -> Void) throws {
        let range = province.map(Store.prefixRange) ?? [.text(""), .text("\u{7F}")]
        // `+level`: read the table in key order over the code range (a few percent of its rows
        // are not TPS), not through the level index with a key lookup per TPS, about twice as slow.
        let listed = try db.statement("SELECT code, name_raw FROM region WHERE +level = 5 AND code >= ? AND code < ? ORDER BY code")
        let versions = try db.statement("""
            SELECT code, ts, mode, psu, chart, administrasi, first_raw_sha256, first_url, first_retrieved_at,
                   status_suara, status_adm
            FROM tps_version
            WHERE code >= ? AND code < ?
            ORDER BY code, ts DESC, id DESC
            """)
        try listed.bind(range)
        try versions.bind(range)
        defer {
            listed.reset()
            versions.reset()
        }
        var hasListed = try listed.step()
        var hasVersion = try versions.step()
        // The current version's columns, copied so that its older versions can be stepped over
        // (and counted) before the row is handed on.
        var copy = RowCopy()
        while hasListed || hasVersion {
            let order: Int32
            if hasListed && hasVersion {
                order = Store.compare(listed.bytes(0), versions.bytes(0))
            } else {
                order = hasListed ? -1 : 1
            }
            var versionCount = 0
            if order >= 0 {
                guard !versions.isNull(6), !versions.isNull(7), !versions.isNull(8) else {
                    throw SQLiteError(code: 0, message: "TPS \(String(decoding: versions.bytes(0), as: UTF8.self)): a version with no source file")
                }
                copy.take(versions, columns: 9)
                copy.flags = (versions.int(9) != 0, versions.int(10) != 0)
                repeat {
                    versionCount += 1
                    hasVersion = try versions.step()
                } while hasVersion && copy.equal(0, versions.bytes(0))
            }
            try copy.bytes.withUnsafeBufferPointer { buffer in
                let current = versionCount == 0 ? nil : Current(
                    ts: copy.view(1, buffer)!, mode: copy.view(2, buffer), psu: copy.view(3, buffer),
                    statusSuara: copy.flags.suara, statusAdm: copy.flags.adm,
                    chart: copy.view(4, buffer), administrasi: copy.view(5, buffer),
                    sourceSHA256: copy.view(6, buffer)!, sourceURL: copy.view(7, buffer)!, retrieved: copy.view(8, buffer)!)
                try body(TPSTableRow(code: order <= 0 ? listed.bytes(0) : copy.view(0, buffer)!,
                                     name: order <= 0 ? listed.bytes(1) : nil, versionCount: versionCount, current: current))
            }
            if order <= 0 { hasListed = try listed.step() }
        }
    }

    /// TPS listed under a province (those known only from a result are not counted): a size hint.
    public func tpsCount(province: String) throws -> Int {
        try db.statement("SELECT count(*) FROM region WHERE level = 5 AND code >= ? AND code < ?")
            .rows(Store.prefixRange(province)) { $0.int(0) }.first ?? 0
    }

    /// The codes starting with `prefix` (ASCII) lie in [prefix, prefix with its last byte + 1).
    static func prefixRange(_ prefix: String) -> [SQLValue] {
        var end = Array(prefix.utf8)
        end[end.count - 1] += 1
        return [.text(prefix), .text(String(decoding: end, as: UTF8.self))]
    }

    /// The two-letter province prefixes of every TPS held (listed or with a result), in order.
    /// Found by jumping from one province to the next in the indexes (a few dozen seeks), not by
    /// reading every code.
    public func tpsProvinces() throws -> [String] {
        var provinces = Set<String>()
        for sql in ["SELECT code FROM region WHERE level = 5 AND code >= ? ORDER BY code LIMIT 1",
                    "SELECT code FROM tps_version WHERE code >= ? ORDER BY code LIMIT 1"] {
            let next = try db.statement(sql)
            var from = ""
            while let code = try next.rows([.text(from)], { $0.text(0) }).first, code.utf8.count >= 2 {
                let province = String(code.prefix(2))
                provinces.insert(province)
                guard case .text(let end) = Store.prefixRange(province)[1] else { break }
                from = end
            }
        }
        return provinces.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Whether two byte strings are the same.
    public static func equal(_ a: [UInt8], _ b: ColumnBytes) -> Bool {
        a.count == b.count && a.withUnsafeBufferPointer { a in a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 }
    }

    /// Byte order of two codes, as `ORDER BY` sorts text.
    static func compare(_ a: ColumnBytes, _ b: ColumnBytes) -> Int32 {
        let shared = min(a.count, b.count)
        let order = shared == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, shared)
        if order != 0 { return order < 0 ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    /// Raw names of every region above TPS level, by code.
    public func regionRawNames() throws -> [String: String] {
        var names: [String: String] = [:]
        for (code, name) in try db.statement("SELECT code, name_raw FROM region WHERE level < 5").rows([], { ($0.text(0), $0.text(1)) }) {
            names[code] = name
        }
        return names
    }

    /// The display names of the regions of one level the region lists name (as `RegionTree`
    /// names them; a region no list named goes by its code there).
    public func regionNames(at level: Level) throws -> [RegionCode: String] {
        var names: [RegionCode: String] = [:]
        for (code, name) in try db.statement("SELECT code, name FROM region WHERE level = ?")
            .rows([.int(level.rawValue)], { ($0.text(0), $0.text(1)) }) {
            if let code = RegionCode(code) { names[code] = name }
        }
        return names
    }
}

/// Columns of one row copied out of SQLite's buffers (which the next step overwrites).
struct RowCopy {
    var bytes: [UInt8] = []
    /// Start and end of each column in `bytes`; a negative start for NULL.
    var bounds: [(start: Int, end: Int)] = []
    var flags = (suara: false, adm: false)

    mutating func take(_ row: Statement, columns: Int32) {
        bytes.removeAll(keepingCapacity: true)
        bounds.removeAll(keepingCapacity: true)
        for column in 0..<columns {
            // sqlite3_column_text gives a null pointer for NULL only (empty text is ""): one call
            // tells both, where asking the type first would be another per column.
            guard let text = row.textBytes(column) else {
                bounds.append((-1, -1))
                continue
            }
            let start = bytes.count
            bytes.append(contentsOf: text)
            bounds.append((start, bytes.count))
        }
    }

    func view(_ column: Int, _ buffer: UnsafeBufferPointer<UInt8>) -> ColumnBytes? {
        let (start, end) = bounds[column]
        return start < 0 ? nil : ColumnBytes(rebasing: buffer[start..<end])
    }

    func equal(_ column: Int, _ other: ColumnBytes) -> Bool {
        let (start, end) = bounds[column]
        guard start >= 0, end - start == other.count else { return false }
        return bytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + start, other.baseAddress!, other.count) == 0 }
    }
}

extension Statement {
    /// The column's text as bytes, valid until the next step; empty for NULL.
    func bytes(_ column: Int32) -> ColumnBytes {
        // Text first, then its length: SQLite's documented order (the length is of the converted text).
        guard let start = sqlite3_column_text(pointer, column) else { return ColumnBytes(start: nil, count: 0) }
        return ColumnBytes(start: start, count: Int(sqlite3_column_bytes(pointer, column)))
    }

    /// The column's text as bytes, nil for NULL, in two calls into SQLite (not three).
    func textBytes(_ column: Int32) -> ColumnBytes? {
        guard let start = sqlite3_column_text(pointer, column) else { return nil }
        return ColumnBytes(start: start, count: Int(sqlite3_column_bytes(pointer, column)))
    }
}
