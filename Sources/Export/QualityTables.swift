import Quality
import SirekapFormat
import Store

/// `ppwp-anomalies.csv`: one row per (TPS, rule that flags its current version).
public enum AnomalyTable {
    public static let columns = schema.map(\.name)

    public static let schema: [TableColumn] = [
        TableColumn("tps_code", .string, "KPU's TPS code"),
        TableColumn("tps_name", .string, "TPS name as published"),
        TableColumn("province_code", .string, "Province code"), TableColumn("province_name", .string, "Province name"),
        TableColumn("regency_code", .string, "Regency code"), TableColumn("regency_name", .string, "Regency name"),
        TableColumn("district_code", .string, "District code"), TableColumn("district_name", .string, "District name"),
        TableColumn("village_code", .string, "Village code"), TableColumn("village_name", .string, "Village name"),
        TableColumn("rule", .string, "Id of the data-quality rule (see /metodologi/)"),
        TableColumn("detail", .string, "The numbers that made the rule fire"),
    ]

    public static func row(code: RegionCode, anomaly: Anomaly, tree: RegionTree) -> [String?] {
        var fields: [String?] = [code.rawValue, tree.rawName(of: code)]
        for ancestor in code.lineage.dropLast() {
            fields += [ancestor.rawValue, tree.rawName(of: ancestor)]
        }
        return fields + [anomaly.rule.id, anomaly.detail]
    }
}

/// `ppwp-revisions.csv`: one row per field that changed between two consecutive versions of a TPS.
public enum RevisionTable {
    public static let columns = schema.map(\.name)

    public static let schema: [TableColumn] = [
        TableColumn("tps_code", .string, "KPU's TPS code"),
        TableColumn("from_ts", .string, "ts of the earlier version"),
        TableColumn("to_ts", .string, "ts of the later version"),
        TableColumn("field", .string, "What changed: chart.{candidate}, administrasi.{field}, images[i], psu, mode, status_suara, status_adm"),
        TableColumn("old", .string, "Value before (empty: null)"),
        TableColumn("new", .string, "Value after (empty: null)"),
    ]

    public static func row(code: RegionCode, revision: Revision, change: Revision.Change) -> [String?] {
        [code.rawValue, revision.fromTS, revision.toTS, change.field, change.old, change.new]
    }
}
