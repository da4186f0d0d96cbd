import Output
import Render
import SirekapFormat

/// Sitemaps for search engines and archivers (sitemaps.org protocol 0.9): `sitemaps/sitemap-N.xml`
/// files of at most `limit` URLs each (the protocol's maximum is 50,000), listed by the index
/// `/sitemap.xml`, and `/robots.txt` pointing at it. Pages are added in build order, which is
/// fixed, so the files are the same on every build. URLs must be absolute, so without a
/// `base_url` only robots.txt is written.
final class SitemapWriter {
    let output: OutputFolder
    let baseURL: String?
    let limit: Int
    private var current: StreamFile?
    private var inCurrent = 0
    private(set) var files: [String] = []
    private(set) var urls = 0

    /// `<url><loc>` and the escaped base URL with its slash, the same for every URL.
    private let linePrefix: [UInt8]
    private var line: [UInt8] = []

    init(output: OutputFolder, baseURL: String?, limit: Int = 50_000) {
        self.output = output
        self.baseURL = baseURL
        self.limit = max(1, limit)
        linePrefix = Array(("<url><loc>" + Self.escape((baseURL ?? "") + "/")).utf8)
    }

    /// A page's folder relative to the site root (`""` for the home page, `ppwp/31/` for a province).
    func add(_ folder: String) throws {
        guard baseURL != nil else { return }
        // Bytes, not strings: a build lists every page (over 900,000 nationally), every build.
        line.removeAll(keepingCapacity: true)
        line.append(contentsOf: linePrefix)
        Self.escape(folder, into: &line)
        try addLine()
    }

    /// A region's or TPS's page, `SitePath.folder(code)`, written from the code's digits: nothing to
    /// escape, and no string made for each of the 915,000 pages.
    func add(_ code: RegionCode?) throws {
        guard baseURL != nil else { return }
        line.removeAll(keepingCapacity: true)
        line.append(contentsOf: linePrefix)
        SitePath.appendFolder(code, to: &line)
        try addLine()
    }

    /// Ends `line` (the URL so far) and writes it, starting a new file at the limit.
    private func addLine() throws {
        line.append(contentsOf: "</loc></url>\n".utf8)
        if current == nil || inCurrent == limit {
            try closeCurrent()
            let name = "sitemaps/sitemap-\(files.count + 1).xml"
            files.append(name)
            current = try output.stream(name)
            try current!.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n", countsAsRow: false)
        }
        try current!.append(line[...])
        inCurrent += 1
        urls += 1
    }

    private func closeCurrent() throws {
        guard let open = current else { return }
        try open.append("</urlset>\n", countsAsRow: false)
        _ = try open.close()
        current = nil
        inCurrent = 0
    }

    /// Closes the last file and writes the index and robots.txt.
    func finish() throws {
        try closeCurrent()
        var robots = "User-agent: *\nAllow: /\n"
        if let baseURL {
            var index = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
            for file in files { index += "<sitemap><loc>" + Self.escape(baseURL + "/" + file) + "</loc></sitemap>\n" }
            index += "</sitemapindex>\n"
            try output.write("sitemap.xml", index)
            robots += "Sitemap: \(baseURL)/sitemap.xml\n"
        }
        try output.write("robots.txt", robots)
    }

    static func escape(_ text: String) -> String {
        var out: [UInt8] = []
        escape(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// XML escaping at the byte level (the five characters are ASCII, so UTF-8 passes through).
    static func escape(_ text: String, into out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): out.append(contentsOf: "&apos;".utf8)
            default: out.append(byte)
            }
        }
    }
}
