@testable import Audit
import Crypto
import Foundation
import TestSupport
import Testing

@Suite struct AuditPublicationTests {
    @Test func theBundledPublicationLoadsAndVerifies() throws {
        let audit = try AuditPublication.load(folder: Bundled.audit)
        #expect(audit.findings.count >= 4)
        #expect(audit.findings.map(\.finding.id) == audit.findings.map(\.finding.id).sorted())
        #expect(audit.domains.contains("sirekap-web.kpu.go.id") && audit.domains.contains("pemilu2024.kpu.go.id"))
        // Real findings hold no example evidence; the example finding holds one file of every parsed type.
        for finding in audit.findings where finding.finding.status != .example {
            #expect(finding.evidence.allSatisfy { !$0.item.example })
        }
        let example = try #require(audit.findings.first { $0.finding.status == .example })
        let parsedTypes = Set(example.evidence.map(\.item.type))
        #expect(parsedTypes == [.dig, .nmapXML, .httpHeaders, .pemCertificate, .testsslJSON])
        #expect(audit.legal.instruments.count >= 3)
        #expect(audit.references.count == 1)
        #expect(audit.attribution(of: "192.0.2.10", example: true).first?.entry?.asn == 64500)
        #expect(audit.attribution(of: "170.33.13.55", example: true).first?.entry == nil)
        // The bundled table is an example: it never answers for the real findings' addresses.
        #expect(audit.attribution(of: "170.33.13.55", example: false).isEmpty)
    }

    /// Copies the bundled audit folder to change one thing in it.
    func copy() throws -> (TemporaryFolder, String) {
        let folder = try TemporaryFolder()
        let audit = folder.sub("audit")
        try FileManager.default.copyItem(atPath: Bundled.audit, toPath: audit)
        return (folder, audit)
    }

    func problems(in folder: String) -> [AuditProblem] {
        do {
            _ = try AuditPublication.load(folder: folder)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func oneFlippedByteInEvidenceIsNamedWithItsFinding() throws {
        let (holder, audit) = try copy()
        defer { withExtendedLifetime(holder) {} }
        let path = audit + "/evidence/examples/nmap-sirekap.example.xml"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[200] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let found = problems(in: audit)
        #expect(found.count == 1)
        #expect(found.first?.file == path)
        #expect(found.first?.message.contains("CONTOH-2026-001") == true)
        #expect(found.first?.message.contains(Hex.string(SHA256.hash(data: bytes))) == true)
    }

    @Test func aMissingEvidenceFileIsNamed() throws {
        let (holder, audit) = try copy()
        defer { withExtendedLifetime(holder) {} }
        let path = audit + "/evidence/examples/dig-sirekap.example.txt"
        try FileManager.default.removeItem(atPath: path)
        let found = problems(in: audit)
        #expect(found.map(\.file) == [path])
        #expect(found.first?.message.hasPrefix("missing: evidence E1 of finding CONTOH-2026-001") == true)
    }

    @Test func evidenceThatDoesNotParseAsItsTypeIsRefused() throws {
        let (holder, audit) = try copy()
        defer { withExtendedLifetime(holder) {} }
        let findingPath = audit + "/findings/CONTOH-2026-001.yaml"
        // Declare the dig capture as nmap XML (and keep its hash right): the parse must fail.
        var text = try String(contentsOfFile: findingPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "type: dig\n", with: "type: nmap-xml\n")
        try text.write(toFile: findingPath, atomically: true, encoding: .utf8)
        let found = problems(in: audit)
        #expect(found.count == 1)
        #expect(found.first?.message.contains("declared nmap-xml but does not parse") == true)
    }

    @Test func yamlMistakesAreReportedAtTheirLine() throws {
        let (holder, audit) = try copy()
        defer { withExtendedLifetime(holder) {} }
        let path = audit + "/findings/KPU-INFRA-2024-002.yaml"
        let original = try String(contentsOfFile: path, encoding: .utf8)
        let lines = original.components(separatedBy: "\n")
        let statusLine = try #require(lines.firstIndex { $0.hasPrefix("status:") }) + 1

        try original.replacingOccurrences(of: "status: reported", with: "statuss: reported").write(toFile: path, atomically: true, encoding: .utf8)
        var found = problems(in: audit)
        #expect(found.count == 1)
        #expect(found.first?.line == statusLine)
        #expect(found.first?.message.contains("unknown key `statuss`") == true)

        try original.replacingOccurrences(of: "status: reported", with: "status: rumoured").write(toFile: path, atomically: true, encoding: .utf8)
        found = problems(in: audit)
        #expect(found.first?.line == statusLine)
        #expect(found.first?.message.contains("status") == true)

        try original.replacingOccurrences(of: "status: reported", with: "status: [reported").write(toFile: path, atomically: true, encoding: .utf8)
        found = problems(in: audit)
        #expect(found.first?.message.hasPrefix("YAML syntax") == true)
        #expect(found.first?.line != nil)
    }

    @Test func semanticRulesAreReportedTogether() throws {
        let (holder, audit) = try copy()
        defer { withExtendedLifetime(holder) {} }
        let path = audit + "/findings/KPU-INFRA-2024-001.yaml"
        let original = try String(contentsOfFile: path, encoding: .utf8)
        try original.replacingOccurrences(of: "sources: [S2, S4]", with: "sources: [S2, S9]")
            .replacingOccurrences(of: "address: 170.33.97.36", with: "address: 170.33.97")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let changed = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        let found = problems(in: audit)
        #expect(found.count == 2)
        // Each problem points at the line of the value it is about.
        let citing = try #require(found.first { $0.message.contains("cites source S9, which `sources` does not list") })
        #expect(citing.line.map { changed[$0 - 1].contains("[S2, S9]") } == true)
        let address = try #require(found.first { $0.message.contains("`170.33.97` is not an IP address") })
        #expect(address.line.map { changed[$0 - 1].contains("address: 170.33.97") } == true)

        // A finding without evidence must say why: drop the evidence_note block.
        let start = try #require(original.range(of: "evidence_note:"))
        let end = try #require(original.range(of: "\nsources:", range: start.upperBound..<original.endIndex))
        try (String(original[..<start.lowerBound]) + "sources:" + String(original[end.upperBound...]))
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect(problems(in: audit).map(\.message).contains { $0.contains("needs an evidence_note") })
    }

    @Test func evidencePathsStayInsideTheEvidenceFolder() throws {
        let (holder, audit) = try copy()
        defer { withExtendedLifetime(holder) {} }
        let path = audit + "/findings/CONTOH-2026-001.yaml"
        let original = try String(contentsOfFile: path, encoding: .utf8)
        for bad in ["../findings/x.txt", "/etc/passwd", "examples/./dig.txt", "SHA256SUMS", "examples/a b.txt"] {
            try original.replacingOccurrences(of: "path: examples/dig-sirekap.example.txt", with: "path: \(bad)")
                .write(toFile: path, atomically: true, encoding: .utf8)
            let messages = problems(in: audit).map(\.message)
            #expect(messages.count == 1 && messages[0].contains("evidence E1: path"), "\(bad): \(messages)")
        }
    }

    @Test func exampleEvidenceCannotBackARealFinding() throws {
        let (holder, audit) = try copy()
        defer { withExtendedLifetime(holder) {} }
        let path = audit + "/findings/CONTOH-2026-001.yaml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "status: example", with: "status: reported").write(toFile: path, atomically: true, encoding: .utf8)
        let messages = problems(in: audit).map(\.message)
        #expect(messages.count == 5)
        #expect(messages.allSatisfy { $0.contains("examples belong only to findings with status: example") })
    }

    @Test func aChangedReferenceTableIsRefused() throws {
        let (holder, audit) = try copy()
        defer { withExtendedLifetime(holder) {} }
        let path = audit + "/reference/ip2asn-v4.example.tsv"
        try (String(contentsOfFile: path, encoding: .utf8) + "1.1.1.0\t1.1.1.255\t13335\tUS\tCLOUDFLARENET\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let found = problems(in: audit)
        #expect(found.map(\.file) == [path])
        #expect(found.first?.message.contains("ip2asn-example") == true)
    }
}
