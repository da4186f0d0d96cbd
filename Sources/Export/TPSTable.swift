import SirekapFormat
import Store

/// The national TPS table (`ppwp-tps.csv`): one row per TPS the store knows, with or without a
/// result, holding the current version's raw values and where they came from.
public struct TPSTable {
    /// Candidate ids, in column order (`votes_{id}`).
    public let candidates: [String]

    public init(candidates: [String]) { self.candidates = candidates }

    public var columns: [String] {
        ["tps_code", "tps_name", "province_code", "province_name", "regency_code", "regency_name",
         "district_code", "district_name", "village_code", "village_name"]
            + candidates.map { "votes_\($0)" }
            + Administrasi.fieldNames
            + ["psu", "ts", "ts_utc", "mode", "status_suara", "status_adm", "versions", "source_sha256", "source_url", "retrieved"]
    }

    public var header: String { CSV.row(columns) }

    /// One TPS. `current` is nil for a TPS listed by KPU with no result held.
    public func row(code: RegionCode, tree: RegionTree, current: Store.TPSVersion?, versionCount: Int) -> [String?] {
        var fields: [String?] = [code.rawValue, tree.rawName(of: code)]
        for ancestor in code.lineage.dropLast() {
            fields.append(ancestor.rawValue)
            fields.append(tree.rawName(of: ancestor))
        }
        let result = current?.result
        for candidate in candidates {
            fields.append(result?.chart?[candidate].map(String.init))
        }
        for name in Administrasi.fieldNames {
            fields.append(result?.administrasi?[name].map(String.init))
        }
        let source = current?.sources.first
        fields += [
            result?.psu, result?.ts.text, result?.ts.iso8601UTC, result?.mode,
            result.map { String($0.statusSuara) }, result.map { String($0.statusAdm) },
            String(versionCount), source?.rawSHA256, source?.url, source?.retrieved,
        ]
        return fields
    }
}
