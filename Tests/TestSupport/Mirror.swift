import Foundation
import Store

/// A throw-away folder for one test, removed when the test ends.
public final class TemporaryFolder {
    public let path: String

    /// A folder under `base` when that exists and is writable (`/dev/shm` for big outputs), else under the temporary folder.
    public init(preferring base: String? = nil) throws {
        let parent = base.flatMap { FileManager.default.isWritableFile(atPath: $0) ? URL(fileURLWithPath: $0) : nil }
            ?? FileManager.default.temporaryDirectory
        path = parent.appendingPathComponent("publish-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func sub(_ name: String) -> String { path + "/" + name }

    nonisolated(unsafe) private static var atExit: [String] = []

    /// Removes `path` when the process exits (for folders held in static storage).
    public static func removeAtExit(_ path: String) {
        if atExit.isEmpty {
            atexit {
                for path in TemporaryFolder.atExit { try? FileManager.default.removeItem(atPath: path) }
            }
        }
        atExit.append(path)
    }
}

/// Builds a small mirror of the Sirekap API on disk, in KPU's raw byte format
/// (4-space indent, LF, no trailing newline). All numbers are invented.
public struct Mirror {
    public let root: String

    public init(at root: String) throws {
        self.root = root
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    public func write(_ relativePath: String, _ text: String) throws {
        let url = URL(fileURLWithPath: root + "/" + relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    public func remove(_ relativePath: String) throws {
        try FileManager.default.removeItem(atPath: root + "/" + relativePath)
    }

    /// `wilayah/pemilu/ppwp/{parent path}.json` listing `children` as (code, name, id).
    public func regionList(parent: String?, _ children: [(String, String, Int)]) throws {
        let level = (parent.map { [2: 2, 4: 3, 6: 4, 10: 5][$0.count]! }) ?? 1
        let entries = children.map { code, name, id in
            """
                {
                    "nama": \(Mirror.quote(name)),
                    "id": \(id),
                    "kode": "\(code)",
                    "tingkat": \(level)
                }
            """
        }
        let path = parent.map { "wilayah/pemilu/ppwp/\(Mirror.path($0)).json" } ?? "wilayah/pemilu/ppwp/0.json"
        try write(path, "[\n" + entries.joined(separator: ",\n") + "\n]")
    }

    /// A TPS result. `votes` nil writes `"chart": null`; `form` nil writes `"administrasi": null`.
    public func tps(_ code: String, votes: [Int]?, form: [String: Int]? = nil, ts: String = "2024-02-16 16:25:10") throws {
        try write("pemilu/hhcw/ppwp/\(Mirror.path(code)).json", Mirror.tpsJSON(votes: votes, form: form, ts: ts))
    }

    public static func tpsJSON(votes: [Int]?, form: [String: Int]? = nil, ts: String = "2024-02-16 16:25:10") -> String {
        let chart = votes.map { v in
            """
            {
                    "null": null,
                    "100025": \(v[0]),
                    "100026": \(v[1]),
                    "100027": \(v[2])
                }
            """
        } ?? "null"
        let administrasi = form.map { form in
            "{\n" + administrasiFields.map { "        \"\($0)\": \(form[$0].map(String.init) ?? "null")" }
                .joined(separator: ",\n") + "\n    }"
        } ?? "null"
        return """
            {
                "chart": \(chart),
                "images": [
                    null,
                    null,
                    null
                ],
                "administrasi": \(administrasi),
                "psu": null,
                "ts": "\(ts)",
                "status_suara": \(votes != nil),
                "status_adm": \(form != nil)
            }
            """
    }

    public static let administrasiFields = [
        "suara_sah", "suara_total", "pemilih_dpt_j", "pemilih_dpt_l", "pemilih_dpt_p",
        "pengguna_dpt_j", "pengguna_dpt_l", "pengguna_dpt_p", "pengguna_dptb_j", "pengguna_dptb_l",
        "pengguna_dptb_p", "suara_tidak_sah", "pengguna_total_j", "pengguna_total_l", "pengguna_total_p",
        "pengguna_non_dpt_j", "pengguna_non_dpt_l", "pengguna_non_dpt_p",
    ]

    /// A consistent form for `valid` valid votes.
    public static func form(valid: Int, invalid: Int = 1, dpt: Int = 300) -> [String: Int] {
        let total = valid + invalid
        return [
            "suara_sah": valid, "suara_total": total,
            "pemilih_dpt_j": dpt, "pemilih_dpt_l": dpt / 2, "pemilih_dpt_p": dpt - dpt / 2,
            "pengguna_dpt_j": total, "pengguna_dpt_l": total / 2, "pengguna_dpt_p": total - total / 2,
            "pengguna_dptb_j": 0, "pengguna_dptb_l": 0, "pengguna_dptb_p": 0,
            "suara_tidak_sah": invalid,
            "pengguna_total_j": total, "pengguna_total_l": total / 2, "pengguna_total_p": total - total / 2,
            "pengguna_non_dpt_j": 0, "pengguna_non_dpt_l": 0, "pengguna_non_dpt_p": 0,
        ]
    }

    public static func path(_ code: String) -> String {
        [2, 4, 6, 10, 13].filter { $0 <= code.count }.map { String(code.prefix($0)) }.joined(separator: "/")
    }

    public static func quote(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed, .withoutEscapingSlashes]),
               as: UTF8.self)
    }

    /// One village, 31/3101/310101/3101011001, with three TPS; region lists at every level.
    public static func smallVillage(at root: String) throws -> Mirror {
        let mirror = try Mirror(at: root)
        try mirror.regionList(parent: nil, [("31", "DKI JAKARTA", 1), ("99", "Luar Negeri", 2)])
        try mirror.regionList(parent: "31", [("3101", "ADM. KEP. SERIBU", 3)])
        try mirror.regionList(parent: "3101", [("310101", "KEPULAUAN SERIBU UTARA", 4)])
        try mirror.regionList(parent: "310101", [("3101011001", " PULAU PANGGANG.", 5)])
        try mirror.regionList(parent: "3101011001", [
            ("3101011001001", "TPS 001", 6), ("3101011001002", "TPS 002", 7), ("3101011001003", "TPS 003", 8),
        ])
        try mirror.tps("3101011001001", votes: [120, 45, 9], form: form(valid: 174))
        try mirror.tps("3101011001002", votes: [80, 60, 20], form: form(valid: 160))
        try mirror.tps("3101011001003", votes: nil)
        return mirror
    }
}

extension Importer {
    /// Runs an import and collects its events.
    public func runCollecting(_ roots: [String]) throws -> (ImportSummary, [ImportEvent]) {
        var events: [ImportEvent] = []
        let summary = try run(roots: roots) { events.append($0) }
        return (summary, events)
    }
}

extension ImportEvent {
    public var rejection: (file: String, reason: String)? {
        if case .rejected(let file, let reason) = self { return (file, reason) }
        return nil
    }
}
