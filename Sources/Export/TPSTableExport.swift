import Foundation
import Parquet
import SirekapFormat
import Store

/// Where bytes of a CSV go (an output file that hashes as it writes, say).
public protocol ByteSink: AnyObject {
    func append(_ bytes: UnsafeBufferPointer<UInt8>) throws
}

/// Writes the national TPS table (`ppwp-tps.csv` and `.parquet`) and, if asked, each province's
/// part, from the store.
///
/// The table is the largest thing the build makes (823,000 rows), so it is written straight
/// from SQLite's bytes, with no model or string made per cell, and provinces are written side
/// by side, each worker on its own read-only connection. A province is one row group: encoded
/// once by its worker, then written in code order into the national file and its own. Its CSV
/// rows go to the province's file as they are made, and are copied into the national CSV in
/// the same order. The cells are those of `TPSTable.cells`, which the tests hold this writer to.
public struct TPSTableExport {
    public let table: TPSTable
    public let parquetOptions: ParquetOptions
    /// Provinces written at once; the files are the same for any number.
    public let jobs: Int

    public init(table: TPSTable, parquetOptions: ParquetOptions, jobs: Int = 1) {
        self.table = table
        self.parquetOptions = parquetOptions
        self.jobs = max(1, jobs)
    }

    /// The files of one province.
    public struct ProvinceFiles {
        /// Its CSV, written by one worker; complete once `provinceDone` returns. Nil: the
        /// province's files are kept as they are (nothing in it changed since they were written).
        public let csv: ByteSink?
        /// Where that CSV is, to copy its rows into the national CSV after `provinceDone`.
        public let csvPath: String
        public let parquetPath: String
        public init(csv: ByteSink?, csvPath: String, parquetPath: String) {
            self.csv = csv
            self.csvPath = csvPath
            self.parquetPath = parquetPath
        }
    }

    /// Rows written: the national total and each province's, in code order.
    public struct Written: Sendable {
        public var rows = 0
        public var provinces: [(code: RegionCode, rows: Int)] = []
    }

    /// Writes the national Parquet file at `parquetPath`; with `province`, each province's files
    /// too (or keeps them, when it gives no CSV sink), and with `csv` as well the national CSV
    /// (assembled from the province CSVs): `province` is called (from any worker, at once) when
    /// a province starts, `provinceDone` in code order once its rows are all written, before its
    /// CSV is copied into the national one.
    public func write(from store: Store, parquetPath: String, csv: ByteSink? = nil,
                      province: (@Sendable (RegionCode) throws -> ProvinceFiles)? = nil,
                      provinceDone: ((RegionCode, Int) throws -> Void)? = nil) throws -> Written {
        guard csv == nil || province != nil else {
            throw ExportError("the national CSV is assembled from the province CSVs: give the province files too")
        }
        let columns = ParquetTableWriter.parquetColumns(table.schema)
        let national = try ParquetFile(path: parquetPath, columns: columns, options: parquetOptions)
        let names = try store.regionRawNames()
        let provinces = try store.tpsProvinces()
        let header = Array(table.header.utf8)
        if let csv { try header.withUnsafeBufferPointer { try csv.append($0) } }
        let options = parquetOptions

        /// A province made by a worker, waiting for its turn to be written.
        struct Made {
            let code: RegionCode
            let group: EncodedRowGroup
            let files: ProvinceFiles?
        }
        final class Shared: @unchecked Sendable {
            let lock = NSLock()
            var next = 0
            var made: [Int: Made] = [:]
            var written = 0
            var result = Written()
            var failure: Error?
        }
        let shared = Shared()

        // Writes every made province whose turn has come; called under the lock.
        func writeReady() throws {
            while let made = shared.made.removeValue(forKey: shared.written) {
                try national.write(made.group)
                if let files = made.files {
                    if files.csv != nil {
                        let file = try ParquetFile(path: files.parquetPath, columns: columns, options: parquetOptions)
                        try file.write(made.group)
                        try file.close()
                    }
                    try provinceDone?(made.code, made.group.rows)
                    if let csv { try TPSTableExport.copyRows(from: files.csvPath, skipping: header.count, to: csv) }
                }
                shared.result.rows += made.group.rows
                shared.result.provinces.append((made.code, made.group.rows))
                shared.written += 1
            }
        }

        let path = store.path
        let table = self.table
        nonisolated(unsafe) let writeReadyUnderLock = writeReady
        DispatchQueue.concurrentPerform(iterations: min(jobs, max(provinces.count, 1))) { _ in
            do {
                let connection = try Store(readingFrom: path)
                // One encoder per worker, emptied between provinces: its buffers are allocated once.
                var encoder = TPSRowEncoder(table: table, columns: columns, names: names)
                while true {
                    shared.lock.lock()
                    let index = shared.next
                    shared.next += 1
                    let stop = shared.failure != nil
                    shared.lock.unlock()
                    guard !stop, index < provinces.count else { return }

                    guard let code = RegionCode(provinces[index]) else { throw ExportError("\(provinces[index]) is not a province code") }
                    let files = try province?(code)
                    let sink = files?.csv
                    if let sink { try header.withUnsafeBufferPointer { try sink.append($0) } }
                    encoder.start(csv: sink != nil, rows: try connection.tpsCount(province: provinces[index]))
                    try connection.forEachTPSTableRow(province: provinces[index]) { tps in
                        try encoder.add(tps)
                        if let sink { try encoder.row.bytes.withUnsafeBufferPointer { try sink.append($0) } }
                    }
                    let group = try encoder.group.encode(options)

                    shared.lock.lock()
                    defer { shared.lock.unlock() }
                    shared.made[index] = Made(code: code, group: group, files: files)
                    try writeReadyUnderLock()
                }
            } catch {
                shared.lock.lock()
                if shared.failure == nil { shared.failure = error }
                shared.lock.unlock()
            }
        }
        if let failure = shared.failure { throw failure }
        try national.close()
        return shared.result
    }

    /// Appends a written CSV's rows (all but its first `skipping` bytes, the header) to `sink`.
    static func copyRows(from path: String, skipping: Int, to sink: ByteSink) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ExportError("cannot read \(path) back") }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(skipping))
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            try chunk.withUnsafeBytes { try sink.append($0.bindMemory(to: UInt8.self)) }
        }
    }
}

/// Turns one TPS row into its CSV bytes and its Parquet values. A struct with mutating
/// methods, not closures over local variables: those cost a heap box and a runtime
/// exclusivity check on every cell.
struct TPSRowEncoder {
    var group: ParquetRowGroup
    var row = CSVRowBuffer()
    /// False: only the Parquet values are made, and no CSV call is made per cell.
    private var csv = false
    private var column = 0
    private let candidates: [[UInt8]]
    private let names: [String: String]
    private var votes: [Int?]
    private var form = [Int?](repeating: nil, count: Administrasi.fieldNames.count)
    /// The four levels above the TPS being written, (code, raw name) as bytes, kept while the
    /// village does not change.
    private var villageKey: [UInt8] = []
    private var ancestors: [(code: [UInt8], name: [UInt8])] = []

    init(table: TPSTable, columns: [ParquetColumn], names: [String: String]) {
        group = ParquetRowGroup(columns: columns)
        candidates = table.candidates.map { Array($0.utf8) }
        votes = [Int?](repeating: nil, count: table.candidates.count)
        self.names = names
    }

    /// Begins a row group, keeping the buffers of the last one. `csv` false: only the Parquet
    /// values are made. `rows`: the rows expected, to size the buffers.
    mutating func start(csv: Bool, rows: Int) {
        if group.isEmpty {  // nothing held, no buffers worth keeping
            group = ParquetRowGroup(columns: group.columns, capacity: rows)
        } else {
            group.removeAll()
        }
        self.csv = csv
        villageKey = []
    }

    mutating func add(_ tps: Store.TPSTableRow) throws {
        guard tps.code.count == Level.tps.codeLength else {
            throw ExportError("TPS code \(String(decoding: tps.code, as: UTF8.self)) is not 13 characters")
        }
        // The previous row's TPS was in the same village: its ancestors' cells repeat.
        let sameVillage = !group.isEmpty && Store.equal(villageKey, ColumnBytes(rebasing: tps.code.prefix(Level.village.codeLength)))
        if !sameVillage {
            let code = String(decoding: tps.code, as: UTF8.self)
            guard let tpsCode = RegionCode(code) else { throw ExportError("\(code) is not a TPS code") }
            villageKey = Array(tps.code.prefix(Level.village.codeLength))
            ancestors = tpsCode.lineage.dropLast().map { (Array($0.rawValue.utf8), Array((names[$0.rawValue] ?? $0.rawValue).utf8)) }
        }
        if csv { row.reset() }
        column = 0
        try text(tps.code)
        if let name = tps.name {
            try text(name)
        } else {
            var name = RegionTree.unlistedTPSName(RegionCode(String(decoding: tps.code, as: UTF8.self))!)
            try name.withUTF8 { try text($0) }
        }
        if sameVillage {
            try group.repeatPrevious(column..<(column + 2 * ancestors.count))
            column += 2 * ancestors.count
            if csv {
                for index in ancestors.indices {
                    ancestors[index].code.withUnsafeBufferPointer { row.field($0) }
                    ancestors[index].name.withUnsafeBufferPointer { row.field($0) }
                }
            }
        } else {
            for index in ancestors.indices {
                try ancestors[index].code.withUnsafeBufferPointer { try text($0) }
                try ancestors[index].name.withUnsafeBufferPointer { try text($0) }
            }
        }
        let current = tps.current
        if let current {
            try current.votes(of: candidates, into: &votes)
            try current.administrasi(into: &form)
        } else {
            for index in votes.indices { votes[index] = nil }
            for index in form.indices { form[index] = nil }
        }
        try integers(votes)
        try integers(form)
        try text(current?.psu)
        try text(current?.ts)
        if let ts = current?.ts {
            guard let seconds = KPUTimestamp.unixSeconds(utf8: ts) else {
                throw ExportError("TPS \(String(decoding: tps.code, as: UTF8.self)): stored ts \(String(decoding: ts, as: UTF8.self)) is not a KPU timestamp")
            }
            if csv {
                var iso = KPUTimestamp.iso8601(unixSeconds: seconds)
                iso.withUTF8 { row.field($0) }
            }
            try group.append(column, int: Int64(seconds) * 1_000_000)
            column += 1
        } else {
            try null()
        }
        try text(current?.mode)
        try flag(current?.statusSuara)
        try flag(current?.statusAdm)
        try integer(tps.versionCount)
        try text(current?.sourceSHA256)
        try text(current?.sourceURL)
        try text(current?.retrieved)
        try group.endRow()
        if csv { row.end() }
    }

    private mutating func null() throws {
        if csv { row.empty() }
        try group.appendNull(column)
        column += 1
    }

    private mutating func text(_ bytes: UnsafeBufferPointer<UInt8>?) throws {
        guard let bytes else { return try null() }
        if csv { row.field(bytes) }
        try group.append(column, utf8: bytes)
        column += 1
    }

    private mutating func integer(_ value: Int?) throws {
        guard let value else { return try null() }
        if csv { row.field(value) }
        try group.append(column, int: Int64(value))
        column += 1
    }

    /// A run of integer cells, in one call to the row group.
    private mutating func integers(_ values: [Int?]) throws {
        if csv {
            for value in values {
                if let value { row.field(value) } else { row.empty() }
            }
        }
        try group.append(column, ints: values)
        column += values.count
    }

    private mutating func flag(_ value: Bool?) throws {
        guard let value else { return try null() }
        if csv { row.field(value) }
        try group.append(column, bool: value)
        column += 1
    }
}

public struct ExportError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
