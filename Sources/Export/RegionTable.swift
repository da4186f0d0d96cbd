import SirekapFormat
import Store

/// `ppwp-regions.csv` / `.parquet`: every region with our computed totals and, where the store
/// holds it, KPU's own aggregate, side by side and never mixed.
public struct RegionTable: Sendable {
    public let candidates: [String]

    public init(candidates: [String]) { self.candidates = candidates }

    public var schema: [TableColumn] {
        [
            TableColumn("code", .string, "Region code (empty for the nation)"),
            TableColumn("level", .integer, "0 nation, 1 province, 2 regency, 3 district, 4 village"),
            TableColumn("name", .string, "Name, verbatim as published"),
            TableColumn("parent_code", .string, "Code of the region above", repetitive: true),
            TableColumn("tps_total", .integer, "TPS known under the region"),
            TableColumn("tps_with_results", .integer, "TPS whose current version has vote counts"),
            TableColumn("tps_with_administrasi", .integer, "TPS whose current version has the C1 form data"),
        ]
        + candidates.map { TableColumn("votes_\($0)", .integer, "Our sum of candidate pair \($0)'s votes over the current TPS results") }
        + [
            TableColumn("suara_sah", .integer, "Our sum of suara_sah"),
            TableColumn("suara_tidak_sah", .integer, "Our sum of suara_tidak_sah"),
            TableColumn("kpu_ts", .string, "ts of KPU's aggregate for the region, null if none is held"),
        ]
        + candidates.map { TableColumn("kpu_votes_\($0)", .integer, "Candidate pair \($0)'s votes in KPU's aggregate") }
        + [
            TableColumn("kpu_progres", .integer, "TPS counted, per KPU's aggregate"),
            TableColumn("kpu_progres_total", .integer, "TPS in the region, per KPU's aggregate"),
            TableColumn("kpu_persen", .number, "KPU's published percentage of TPS counted"),
            TableColumn("kpu_source_sha256", .string, "SHA-256 of the raw bytes of KPU's aggregate file"),
        ]
    }

    public func cells(_ node: RegionTree.Node, kpu: Store.AggregateVersion?) -> [Cell] {
        let totals = node.totals
        var cells: [Cell] = [
            .text(node.code?.rawValue ?? ""), .int(node.code?.level.rawValue ?? 0), .text(node.rawName),
            .text(node.code.map { $0.parent?.rawValue ?? "" }),
            .int(totals.tpsTotal), .int(totals.tpsWithResults), .int(totals.tpsWithAdministrasi),
        ]
        cells += candidates.map { .int(totals.votes[$0] ?? 0) }
        cells += [.int(totals.suaraSah), .int(totals.suaraTidakSah), .text(kpu?.aggregate.ts.text)]
        cells += candidates.map { .int(kpu?.aggregate.chart?.votes[$0]) }
        cells += [
            .int(kpu?.aggregate.progres?.progres), .int(kpu?.aggregate.progres?.total),
            kpu?.aggregate.chart?.persen.map(Cell.number) ?? .null, .text(kpu?.sources.first?.rawSHA256),
        ]
        return cells
    }
}
