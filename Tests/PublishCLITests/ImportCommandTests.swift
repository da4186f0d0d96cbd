import Foundation
import SirekapFormat
import Store
import Testing
import TestSupport

@Suite struct ImportCommandTests {
    let folder: TemporaryFolder
    init() throws { folder = try TemporaryFolder() }

    @Test func goodMirrorExitsZeroWithASummary() throws {
        let mirror = try Mirror.smallVillage(at: folder.sub("mirror"))
        let outcome = try PublishBinary.run(["import", "--db", folder.sub("s.sqlite"), mirror.root])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("Imported 8 files"))
    }

    @Test func rejectedFileExitsWith65AndNamesTheFileAndLine() throws {
        let mirror = try Mirror.smallVillage(at: folder.sub("mirror"))
        let broken = "pemilu/hhcw/ppwp/31/3101/310101/3101011001/3101011001002.json"
        try mirror.write(broken, Mirror.tpsJSON(votes: [1, 2, 3]).replacingOccurrences(of: "\"psu\": null,", with: "\"psu\": null,,"))
        let outcome = try PublishBinary.run(["import", "--db", folder.sub("s.sqlite"), mirror.root])
        #expect(outcome.status == 65)
        #expect(outcome.stderr.contains("error: \(mirror.root)/\(broken): not valid JSON at line 14"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("Rejected 1 files"))
    }

    @Test func missingRootExitsWith66() throws {
        let outcome = try PublishBinary.run(["import", "--db", folder.sub("s.sqlite"), folder.sub("absent")])
        #expect(outcome.status == 66)
        #expect(outcome.stderr.contains("absent: not a folder"))
    }

    @Test func noRootIsAUsageError() throws {
        let outcome = try PublishBinary.run(["import", "--db", folder.sub("s.sqlite")])
        #expect(outcome.status == 64)
    }

    @Test func helpExplainsTheCommand() throws {
        let outcome = try PublishBinary.run(["import", "--help"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("sirekap-obj-data.kpu.go.id"))
        #expect(outcome.stdout.contains("--db"))
    }

    /// Kills the import at an arbitrary moment, then checks the store is whole and that running
    /// the same import again completes it to exactly what an uninterrupted import gives.
    @Test(arguments: [0.05, 0.3, 0.8])
    func killedImportLeavesAConsistentStoreAndResumes(after seconds: Double) throws {
        let mirror = try Mirror(at: folder.sub("mirror"))
        let village = "3101011001"
        try mirror.regionList(parent: village, (1...600).map { n in
            let code = village + String(format: "%03d", n)
            return (code, "TPS \(String(format: "%03d", n))", n)
        })
        for n in 1...600 {
            try mirror.tps(village + String(format: "%03d", n), votes: [n, n % 7, n % 13], form: Mirror.form(valid: n + n % 7 + n % 13))
        }
        let db = folder.sub("s.sqlite")
        let process = PublishBinary.start(["import", "--db", db, mirror.root])
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: seconds)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        do {
            let store = try Store(path: db)
            // Whatever was stored is whole: each version has its source, and no source lacks a version.
            let versions = try (1...600).flatMap { try store.tpsVersions(RegionCode(village + String(format: "%03d", $0))!) }
            #expect(versions.allSatisfy { $0.sources.count == 1 })
            #expect(versions.allSatisfy { $0.result.chart?["100025"] == Int($0.code.rawValue.suffix(3)) })
        }
        let again = try PublishBinary.run(["import", "--db", db, mirror.root])
        #expect(again.status == 0, "\(again.stderr)")
        let store = try Store(path: db)
        #expect(try store.tpsWithResultsCount() == 600)
        #expect(try store.regionCount(level: .tps) == 600)
    }
}
