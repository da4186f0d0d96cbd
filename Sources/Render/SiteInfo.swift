import Quality
import SirekapFormat

/// What every page needs to know about the publication (from `Publish/publication.json`).
public struct SiteInfo: Sendable {
    public var title: String
    public var description: String
    /// Where the site is served, without a trailing slash (`https://example.org/pemilu2024`);
    /// used for the permanent URLs in "cite this". Nil: pages cite the path alone.
    public var baseURL: String?
    /// True when the results are invented demo numbers: every results page says so.
    public var demo: Bool
    public var candidates: [Candidate]
    public var license: String

    public init(title: String, description: String, baseURL: String?, demo: Bool, candidates: [Candidate], license: String) {
        self.title = title
        self.description = description
        self.baseURL = baseURL
        self.demo = demo
        self.candidates = candidates
        self.license = license
    }

    public func candidate(_ id: String) -> Candidate {
        candidates.first { $0.id == id } ?? Candidate(id: id, number: 0, name: "Calon \(id)")
    }

    /// Candidates to show for a chart: the configured ones, then any other id the data holds.
    public func candidates(including ids: [String]) -> [Candidate] {
        candidates + ids.filter { id in !candidates.contains { $0.id == id } }.sorted().map(candidate)
    }

    /// The permanent address of a site path.
    public func permanentURL(_ path: String) -> String {
        (baseURL ?? "") + "/" + path
    }
}

/// A presidential candidate pair, under KPU's id.
public struct Candidate: Sendable, Hashable, Codable {
    public let id: String
    /// Ballot number (nomor urut).
    public let number: Int
    public let name: String

    public init(id: String, number: Int, name: String) {
        self.id = id
        self.number = number
        self.name = name
    }
}

/// The site's URL scheme: paths derived from official codes alone, the same as KPU's API paths.
public enum SitePath {
    /// `ppwp/` for the nation, `ppwp/31/3101/310101/3101011001/3101011001001/` for a TPS.
    public static func folder(_ code: RegionCode?) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(48)
        appendFolder(code, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `folder(code)`'s bytes, appended: for writers of every page's URL (the sitemaps).
    public static func appendFolder(_ code: RegionCode?, to out: inout [UInt8]) {
        out.append(contentsOf: "ppwp/".utf8)
        guard let code else { return }
        code.appendPath(to: &out)
        out.append(UInt8(ascii: "/"))
    }

    /// The list of TPS a rule flags: national (`anomali/SUM_NE_SAH/`) or in one province
    /// (`anomali/SUM_NE_SAH/31/`); later pages add `p2/`, `p3/`, ...
    public static func anomalyList(_ rule: Rule, province: RegionCode? = nil, page: Int = 1) -> String {
        "anomali/\(rule.id)/" + (province.map { $0.rawValue + "/" } ?? "") + (page > 1 ? "p\(page)/" : "")
    }

    /// `../` repeated up to the site root from a page in `folder`.
    public static func root(from folder: String) -> String {
        // One `../` per folder name: count the non-empty parts between slashes, without splitting.
        var depth = 0
        var inName = false
        for byte in folder.utf8 {
            if byte == UInt8(ascii: "/") {
                inName = false
            } else if !inName {
                inName = true
                depth += 1
            }
        }
        return String(repeating: "../", count: depth)
    }

    /// KPU's own page for a region or TPS.
    public static func kpuPage(_ code: RegionCode?) -> String {
        "https://pemilu2024.kpu.go.id/pilpres/hitung-suara/" + (code?.path ?? "")
    }

    /// KPU's raw JSON for a TPS or region.
    public static func kpuJSON(_ code: RegionCode?) -> String {
        if let code, code.level == .tps { return SourcePath.tpsResult(tps: code).url! }
        return SourcePath.aggregate(region: code).url!
    }
}
