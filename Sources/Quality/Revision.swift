import SirekapFormat

/// What changed in a TPS result from one version to the next, field by field.
public struct Revision: Hashable, Sendable {
    public let fromTS: String
    public let toTS: String
    public let changes: [Change]

    /// One field's old and new value as published; nil is `null` (or absent).
    public struct Change: Hashable, Sendable {
        public let field: String
        public let old: String?
        public let new: String?
    }

    /// Every change from `older` to `newer`, in a fixed field order: chart by candidate, the
    /// 18 form fields, images by slot, then psu, mode, status_suara, status_adm.
    public init(from older: TPSResult, to newer: TPSResult) {
        fromTS = older.ts.text
        toTS = newer.ts.text
        var changes: [Change] = []
        func compare(_ field: String, _ old: String?, _ new: String?) {
            if old != new { changes.append(Change(field: field, old: old, new: new)) }
        }
        let candidates = Set((older.chart?.candidates ?? []) + (newer.chart?.candidates ?? []))
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        if (older.chart == nil) != (newer.chart == nil) {
            compare("chart", older.chart == nil ? nil : "{…}", newer.chart == nil ? nil : "{…}")
        }
        for candidate in candidates {
            compare("chart.\(candidate)", older.chart?[candidate].map(String.init), newer.chart?[candidate].map(String.init))
        }
        if (older.administrasi == nil) != (newer.administrasi == nil) {
            compare("administrasi", older.administrasi == nil ? nil : "{…}", newer.administrasi == nil ? nil : "{…}")
        }
        for field in Administrasi.fieldNames {
            compare("administrasi.\(field)", older.administrasi?[field].map(String.init), newer.administrasi?[field].map(String.init))
        }
        for slot in 0..<max(older.images.count, newer.images.count) {
            compare("images[\(slot)]", slot < older.images.count ? older.images[slot] : nil,
                    slot < newer.images.count ? newer.images[slot] : nil)
        }
        compare("psu", older.psu, newer.psu)
        compare("mode", older.mode, newer.mode)
        compare("status_suara", String(older.statusSuara), String(newer.statusSuara))
        compare("status_adm", String(older.statusAdm), String(newer.statusAdm))
        self.changes = changes
    }

    /// The revisions of a TPS from its versions, newest first as the store gives them; the
    /// result is newest first too (each entry compares a version with the one before it).
    public static func history(_ newestFirst: [TPSResult]) -> [Revision] {
        guard newestFirst.count > 1 else { return [] }
        return (0..<(newestFirst.count - 1)).map { Revision(from: newestFirst[$0 + 1], to: newestFirst[$0]) }
    }
}
