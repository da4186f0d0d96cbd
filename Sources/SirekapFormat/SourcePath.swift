/// Where a saved file sits in a mirror of `https://sirekap-obj-data.kpu.go.id/`, and so what it holds.
///
/// Every public scraper saved the API as files laid out by URL path; the path alone says which
/// node a file describes. Paths that contradict themselves (a folder that is not the parent of the
/// file's code) are errors, because they would file numbers under the wrong region.
public enum SourcePath: Equatable, Sendable {
    /// `wilayah/pemilu/ppwp/0.json` (parent nil: the provinces) or `wilayah/pemilu/ppwp/{…}/{code}.json`
    /// (the children of `code`).
    case regionList(parent: RegionCode?)
    /// `pemilu/hhcw/ppwp.json` (region nil: national) or `pemilu/hhcw/ppwp/{…}/{code}.json`, levels 1 to 4.
    case aggregate(region: RegionCode?)
    /// `pemilu/hhcw/ppwp/{…}/{13-char code}.json`.
    case tpsResult(tps: RegionCode)
    /// A file of another contest (`pdpd`, `pdpr`, …) or another part of the API: skipped with a notice.
    case otherContest(String)
    /// Not a path of the Sirekap API at all.
    case unrecognized

    /// Base of the public object store that every path is relative to.
    public static let apiBase = "https://sirekap-obj-data.kpu.go.id/"

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Classifies a path relative to the root of a mirror, such as
    /// `pemilu/hhcw/ppwp/11/1101/110101/1101012001/1101012001001.json`.
    public init(relativePath: String) throws(Invalid) {
        // The common case first, without splitting the path: a file under pemilu/hhcw/ppwp/ that
        // sits exactly where KPU serves its code (every TPS result of a mirror, once per file).
        let contest = "pemilu/hhcw/ppwp/"
        if relativePath.hasPrefix(contest), relativePath.hasSuffix(".json"), let slash = relativePath.lastIndex(of: "/"),
           let code = RegionCode(relativePath[relativePath.index(after: slash)...].dropLast(5)),
           relativePath == contest + code.path + ".json" {
            self = code.level == .tps ? .tpsResult(tps: code) : .aggregate(region: code)
            return
        }
        let parts = relativePath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let last = parts.last, last.hasSuffix(".json"), parts.count >= 2 else {
            self = .unrecognized
            return
        }
        let stem = String(last.dropLast(5))

        switch (parts[0], parts.count) {
        case ("wilayah", _):
            guard parts.count >= 4, parts[1] == "pemilu" else { self = .unrecognized; return }
            guard parts[2] == "ppwp" else { self = .otherContest("wilayah/pemilu/\(parts[2])"); return }
            if parts.count == 4 && stem == "0" {
                self = .regionList(parent: nil)
                return
            }
            let code = try SourcePath.code(stem, in: relativePath, contest: "wilayah/pemilu/ppwp/")
            guard code.level < .tps else {
                throw Invalid(description: "a region list is named after a region of level 1 to 4, not a TPS code")
            }
            self = .regionList(parent: code)
        case ("pemilu", 3) where parts[1] == "hhcw" && stem == "ppwp":
            self = .aggregate(region: nil)
        case ("pemilu", 3) where parts[1] == "hhcw":
            self = .otherContest("pemilu/hhcw/\(stem)")
        case ("pemilu", _):
            guard parts.count >= 4, parts[1] == "hhcw" else {
                self = .otherContest("pemilu/\(parts.count > 2 ? parts[1] : stem)")
                return
            }
            guard parts[2] == "ppwp" else { self = .otherContest("pemilu/hhcw/\(parts[2])"); return }
            let code = try SourcePath.code(stem, in: relativePath, contest: "pemilu/hhcw/ppwp/")
            self = code.level == .tps ? .tpsResult(tps: code) : .aggregate(region: code)
        default:
            self = .unrecognized
        }
    }

    /// Checks that `stem` is a code and that the folders above it are exactly its ancestors: the
    /// path must be the one KPU serves for the code (one string compare; this runs for every file).
    private static func code(_ stem: String, in relativePath: String, contest: String) throws(Invalid) -> RegionCode {
        guard let code = RegionCode(stem) else {
            throw Invalid(description: "\"\(stem)\" is not a region code (2, 4, 6, 10 or 13 digits or capital letters)")
        }
        guard relativePath != contest + code.path + ".json" else { return code }
        let ancestors = code.lineage.dropLast().map(\.rawValue)
        let expected = ancestors.isEmpty ? "directly in the contest folder" : "under \(ancestors.joined(separator: "/"))/"
        throw Invalid(description: "the folders do not match code \(code); it belongs \(expected)")
    }

    /// The relative path KPU serves for a node, the inverse of `init(relativePath:)`.
    public var relativePath: String? {
        switch self {
        case .regionList(nil): "wilayah/pemilu/ppwp/0.json"
        case .regionList(let code?): "wilayah/pemilu/ppwp/\(code.path).json"
        case .aggregate(nil): "pemilu/hhcw/ppwp.json"
        case .aggregate(let code?): "pemilu/hhcw/ppwp/\(code.path).json"
        case .tpsResult(let code): "pemilu/hhcw/ppwp/\(code.path).json"
        case .otherContest, .unrecognized: nil
        }
    }

    /// The public URL this file is a copy of.
    public var url: String? { relativePath.map { SourcePath.apiBase + $0 } }
}
