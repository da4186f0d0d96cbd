import Foundation
import Testing
import TestSupport

@Suite struct AuditCommandTests {
    let folder: TemporaryFolder
    init() throws {
        folder = try TemporaryFolder()
        try FileManager.default.copyItem(atPath: PublishBinary.packageRoot.appendingPathComponent("Publish/audit").path,
                                         toPath: folder.sub("publication/audit"))
    }

    @Test func theBundledFindingsVerify() throws {
        let outcome = try PublishBinary.run(["audit", "verify", "--publication", folder.sub("publication")])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("CONTOH-2026-001: example, 5 evidence file(s), SHA-256 verified and parsed"))
        #expect(outcome.stdout.contains("Verified "))
    }

    @Test func aChangedEvidenceFileExits65NamingItAndItsFinding() throws {
        let path = folder.sub("publication/audit/evidence/examples/headers-sirekap.example.txt")
        try (String(contentsOfFile: path, encoding: .utf8) + "x").write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = try PublishBinary.run(["audit", "verify", "--publication", folder.sub("publication")])
        #expect(outcome.status == 65)
        #expect(outcome.stderr.contains("error: \(path): SHA-256 is "), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("finding CONTOH-2026-001"))
        #expect(outcome.stderr.contains("1 problem(s)"))
    }

    @Test func aPublicationWithoutAuditExits66() throws {
        let outcome = try PublishBinary.run(["audit", "verify", "--publication", folder.sub("elsewhere")])
        #expect(outcome.status == 66)
        #expect(outcome.stderr.contains("no audit folder"))
    }
}
