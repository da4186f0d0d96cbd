import Crypto
import Foundation
import Publication
import Testing
import TestSupport

/// The audit section as a reader meets it, built from the repository's own bundled findings.
@Suite struct AuditSiteTests {
    static let bundledAudit = PublishBinary.packageRoot.appendingPathComponent("Publish/audit").path

    /// A workspace whose publication carries a copy of the bundled audit folder.
    static func workspace() throws -> Workspace {
        let workspace = try Workspace()
        try FileManager.default.copyItem(atPath: bundledAudit, toPath: workspace.folder.sub("publication/audit"))
        return workspace
    }

    @Test func theSectionHasItsOverviewFindingDomainAndLegalPagesWithTwins() throws {
        let workspace = try AuditSiteTests.workspace()
        let site = try workspace.build()
        let findings = try FileManager.default.contentsOfDirectory(atPath: AuditSiteTests.bundledAudit + "/findings")
            .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
        #expect(findings.count >= 4)
        var pages = ["audit/", "audit/hukum/", "audit/domain/sirekap-web.kpu.go.id/", "audit/domain/pemilu2024.kpu.go.id/"]
        pages += findings.map { "audit/\($0)/" }
        for page in pages {
            #expect(site.exists(page + "index.html"), "\(page)")
            _ = try site.json(page + "index.json")
        }
        let overview = try site.text("audit/index.html")
        for id in findings { #expect(overview.contains("href=\"../audit/\(id)/\""), "\(id)") }
        let twin = try site.json("audit/index.json")
        #expect((twin["findings"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == findings)
        #expect(try site.text("index.html").contains("href=\"audit/\""))
        #expect(try site.brokenLinks().isEmpty)

        let legal = try site.text("audit/hukum/index.html")
        for needle in ["14 Tahun 2008", "Nomor 1 Tahun 2021", "002/KIP-PSIP-A/II/2024"] { #expect(legal.contains(needle), "\(needle)") }
        let domain = try site.text("audit/domain/sirekap-web.kpu.go.id/index.html")
        #expect(domain.contains("170.33.13.55") && domain.contains("href=\"../../../audit/KPU-INFRA-2024-001/\""))
    }

    /// Every evidence file is published byte for byte, its SHA-256 shown beside it and listed in SHA256SUMS.
    @Test func evidenceIsCopiedUnchangedWithItsHashBesideIt() throws {
        let workspace = try AuditSiteTests.workspace()
        let site = try workspace.build()
        let evidence = AuditSiteTests.bundledAudit + "/evidence/examples"
        let sums = try site.text("audit/evidence/SHA256SUMS")
        let page = try site.text("audit/CONTOH-2026-001/index.html")
        let names = try FileManager.default.contentsOfDirectory(atPath: evidence).sorted()
        #expect(names.count == 5)
        for name in names {
            let original = try Data(contentsOf: URL(fileURLWithPath: evidence + "/" + name))
            let published = try Data(contentsOf: URL(fileURLWithPath: site.root + "/audit/evidence/examples/" + name))
            #expect(published == original, "\(name)")
            let hash = SHA256.hash(data: original).map { String(format: "%02x", $0) }.joined()
            #expect(sums.contains("\(hash)  examples/\(name)\n"), "\(name)")
            // The hash sits in the same evidence block as the link to the raw file.
            let link = "href=\"../../audit/evidence/examples/\(name)\""
            let block = try #require(page.components(separatedBy: "<article ").first { $0.contains(link) }, "\(name)")
            #expect(block.contains(hash), "\(name)")
        }
    }

    /// A file of a type the build does not parse (a document, a screenshot) is published as is, with its hash.
    @Test func otherFilesArePublishedAsTheyAreWithTheirHash() throws {
        let workspace = try AuditSiteTests.workspace()
        let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0xFF]
        try Data(bytes).write(to: URL(fileURLWithPath: workspace.folder.sub("publication/audit/evidence/examples/screen.png")))
        let hash = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        let findingPath = workspace.folder.sub("publication/audit/findings/CONTOH-2026-001.yaml")
        let text = try String(contentsOfFile: findingPath, encoding: .utf8)
        try text.replacingOccurrences(of: "\nsources:\n", with: """

              - id: E6
                path: examples/screen.png
                sha256: \(hash)
                type: screenshot
                tool: {name: chromium, version: "120"}
                command: "chromium --headless --screenshot https://sirekap.example/"
                captured_at: 2026-11-25T19:10:00Z
                vantage: {network: "AS64501", country: ZZ}
                example: true
            sources:

            """).write(toFile: findingPath, atomically: true, encoding: .utf8)
        let site = try workspace.build()
        #expect(try Data(contentsOf: URL(fileURLWithPath: site.root + "/audit/evidence/examples/screen.png")) == Data(bytes))
        #expect(try site.text("audit/evidence/SHA256SUMS").contains("\(hash)  examples/screen.png\n"))
        let page = try site.text("audit/CONTOH-2026-001/index.html")
        let block = try #require(page.components(separatedBy: "<article ").first { $0.contains("examples/screen.png") })
        #expect(block.contains(hash) && !block.contains("<table>"))
    }

    @Test func theNmapScanIsShownParsed() throws {
        let site = try AuditSiteTests.workspace().build()
        let page = try site.text("audit/CONTOH-2026-001/index.html")
        let block = try #require(page.components(separatedBy: "<article ").first { $0.contains("nmap-sirekap.example.xml") })
        for needle in [
            "192.0.2.10", "<code>sirekap.example</code>", "<code>edge-10.cdn.example</code>", // host, hostnames
            "<td>80/tcp</td><td>open</td>", "<td>443/tcp</td><td>open</td>", "<td>Tengine</td>", // open ports, products
            "commonName=sirekap.example, countryName=ID, organizationName=Contoh Penyelenggara", // certificate subject
            "<dt>Penerbit</dt><dd>commonName=sirekap.example", // issuer
            "<dt>Berlaku sampai</dt><dd>2027-02-23T19:09:37</dd>", // notAfter
            "DNS:sirekap.example, DNS:www.sirekap.example, IP Address:192.0.2.10", // SANs
        ] {
            #expect(block.contains(needle), "\(needle)")
        }
        let twin = try site.json("audit/CONTOH-2026-001/index.json")
        let evidence = try #require(twin["evidence"] as? [[String: Any]])
        let nmap = try #require(evidence.first { $0["type"] as? String == "nmap-xml" }?["parsed"] as? [String: Any])
        let ports = try #require((nmap["hosts"] as? [[String: Any]])?.first?["ports"] as? [[String: Any]])
        #expect(ports.compactMap { $0["port"] as? Int } == [80, 443])
        let certificate = try #require(ports[1]["ssl_cert"] as? [String: Any])
        #expect(certificate["not_after"] as? String == "2027-02-23T19:09:37")
    }

    /// Captured headers are hostile input: markup in them must come out as text, in the page and its twin.
    @Test func capturedMarkupIsEscaped() throws {
        let site = try AuditSiteTests.workspace().build()
        let page = try site.text("audit/CONTOH-2026-001/index.html")
        #expect(!page.contains("<script>"))
        #expect(page.contains("&lt;script&gt;alert(&quot;headers are hostile input&quot;)&lt;/script&gt;"))
    }

    @Test func aFlippedEvidenceByteFailsTheBuildNamingTheFileAndKeepsTheOldSite() throws {
        let workspace = try AuditSiteTests.workspace()
        try workspace.build()
        let before = try Data(contentsOf: URL(fileURLWithPath: workspace.folder.sub("site/audit/index.html")))
        let path = workspace.folder.sub("publication/audit/evidence/examples/dig-sirekap.example.txt")
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[10] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect {
            try SiteBuild(options: workspace.options()).run()
        } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("CONTOH-2026-001")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: workspace.folder.sub("site/audit/index.html"))) == before)
    }

    @Test func aPublicationWithoutAuditFolderBuildsWithoutTheSection() throws {
        let site = try Workspace().build()
        #expect(!site.exists("audit/index.html"))
        #expect(try !site.text("index.html").contains("href=\"audit/\""))
    }
}
