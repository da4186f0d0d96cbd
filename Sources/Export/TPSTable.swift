import SirekapFormat
import Store

/// One typed value of a download table. The CSV and the Parquet file are both written from
/// these, so they cannot disagree.
public enum Cell: Equatable, Sendable {
    case null
    case int(Int)
    case text(String)
    case bool(Bool)
    /// Seconds since the Unix epoch, UTC; written as ISO 8601 in CSV.
    case timestamp(Int)
    /// A published fraction (KPU's percentages): the shortest text that reads back as the same double.
    case number(Double)

    /// The CSV form: decimal integers, `true`/`false`, ISO 8601 UTC, empty for null.
    public var csv: String? {
        switch self {
        case .null: nil
        case .int(let n): String(n)
        case .text(let s): s
        case .bool(let b): String(b)
        case .timestamp(let seconds): KPUTimestamp.iso8601(unixSeconds: seconds)
        case .number(let d): "\(d)"
        }
    }

    static func int(_ value: Int?) -> Cell { value.map(Cell.int) ?? .null }
    static func text(_ value: String?) -> Cell { value.map(Cell.text) ?? .null }
}

/// A column of a download table: its name, type and meaning (for the data package and the
/// downloads page).
public struct TableColumn: Sendable {
    public enum Kind: String, Sendable { case integer, string, boolean, datetime, number }
    public let name: String
    public let kind: Kind
    public let description: String
    /// Few distinct values (codes, names): worth a dictionary in Parquet.
    public let repetitive: Bool

    init(_ name: String, _ kind: Kind, _ description: String, repetitive: Bool = false) {
        self.name = name
        self.kind = kind
        self.description = description
        self.repetitive = repetitive
    }
}

/// The national TPS table (`ppwp-tps.csv`, `ppwp-tps.parquet`): one row per TPS the store
/// knows, with or without a result, holding the current version's raw values and their source.
public struct TPSTable: Sendable {
    /// Candidate ids, in column order (`votes_{id}`).
    public let candidates: [String]

    public init(candidates: [String]) { self.candidates = candidates }

    static let levelNames: [(String, String)] = [
        ("province", "provinsi"), ("regency", "kabupaten/kota"), ("district", "kecamatan"), ("village", "kelurahan/desa"),
    ]

    public var schema: [TableColumn] {
        var columns = [
            TableColumn("tps_code", .string, "KPU's 13-character TPS code (a string: overseas codes hold letters)"),
            TableColumn("tps_name", .string, "TPS name as KPU published it", repetitive: true),
        ]
        for (level, term) in TPSTable.levelNames {
            columns.append(TableColumn("\(level)_code", .string, "Code of the \(term)", repetitive: true))
            columns.append(TableColumn("\(level)_name", .string, "Name of the \(term), verbatim as published", repetitive: true))
        }
        columns += candidates.map { TableColumn("votes_\($0)", .integer, "Votes for candidate pair \($0) (chart), null if not published") }
        columns += Administrasi.fieldNames.map { TableColumn($0, .integer, "C1 form field \($0) (administrasi), null if not published") }
        columns += [
            TableColumn("psu", .string, "Re-vote or recount kind (psu), null for a regular vote", repetitive: true),
            TableColumn("ts", .string, "KPU's ts of the current version, as published (WIB, UTC+7)"),
            TableColumn("ts_utc", .datetime, "The same time in UTC"),
            TableColumn("mode", .string, "KPU's optional mode field", repetitive: true),
            TableColumn("status_suara", .boolean, "KPU's status_suara"),
            TableColumn("status_adm", .boolean, "KPU's status_adm"),
            TableColumn("versions", .integer, "Distinct versions of this TPS held"),
            TableColumn("source_sha256", .string, "SHA-256 of the raw bytes of the current version's file"),
            TableColumn("source_url", .string, "The KPU URL the file was published at"),
            TableColumn("retrieved", .string, "When those bytes were taken (ISO 8601 UTC)", repetitive: true),
        ]
        return columns
    }

    public var columns: [String] { schema.map(\.name) }

    public var header: String { CSV.row(columns) }

    /// One TPS, from the decoded model. `current` is nil for a TPS listed by KPU with no result
    /// held. This is the table's definition; the build writes the same cells straight from the
    /// store's bytes (`TPSTableExport`), and the tests hold that writer to this.
    public func cells(code: RegionCode, tree: RegionTree, current: Store.TPSVersion?, versionCount: Int) -> [Cell] {
        var cells: [Cell] = [.text(code.rawValue), .text(tree.rawName(of: code))]
        for ancestor in code.lineage.dropLast() {
            cells += [.text(ancestor.rawValue), .text(tree.rawName(of: ancestor))]
        }
        let result = current?.result
        cells += candidates.map { .int(result?.chart?[$0]) }
        cells += Administrasi.fieldNames.map { .int(result?.administrasi?[$0]) }
        let source = current?.sources.first
        cells += [
            .text(result?.psu), .text(result?.ts.text), result.map { .timestamp($0.ts.unixSeconds) } ?? .null,
            .text(result?.mode), result.map { .bool($0.statusSuara) } ?? .null, result.map { .bool($0.statusAdm) } ?? .null,
            .int(versionCount), .text(source?.rawSHA256), .text(source?.url), .text(source?.retrieved),
        ]
        return cells
    }

    public func row(code: RegionCode, tree: RegionTree, current: Store.TPSVersion?, versionCount: Int) -> [String?] {
        cells(code: code, tree: tree, current: current, versionCount: versionCount).map(\.csv)
    }
}
