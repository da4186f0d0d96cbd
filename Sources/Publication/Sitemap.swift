import Output

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

    init(output: OutputFolder, baseURL: String?, limit: Int = 50_000) {
        self.output = output
        self.baseURL = baseURL
        self.limit = max(1, limit)
    }

    /// A page's folder relative to the site root (`""` for the home page, `ppwp/31/` for a province).
    func add(_ folder: String) throws {
        guard let baseURL else { return }
        if current == nil || inCurrent == limit {
            try closeCurrent()
            let name = "sitemaps/sitemap-\(files.count + 1).xml"
            files.append(name)
            current = try output.stream(name)
            try current!.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n", countsAsRow: false)
        }
        try current!.append("<url><loc>" + Self.escape(baseURL + "/" + folder) + "</loc></url>\n")
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
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
