import Quality
import SirekapFormat
import Store

/// `ppwp-anomalies.csv`: one row per (TPS, rule that flags its current version).
public enum AnomalyTable {
    public static let columns = [
        "tps_code", "tps_name", "province_code", "province_name", "regency_code", "regency_name",
        "district_code", "district_name", "village_code", "village_name", "rule", "detail",
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
    public static let columns = ["tps_code", "from_ts", "to_ts", "field", "old", "new"]

    public static func row(code: RegionCode, revision: Revision, change: Revision.Change) -> [String?] {
        [code.rawValue, revision.fromTS, revision.toTS, change.field, change.old, change.new]
    }
}
