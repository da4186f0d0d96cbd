import ArgumentParser
import Foundation
import SirekapFormat
import Store

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Read saved Sirekap JSON mirrors into the store.",
        discussion: """
            Each ROOT is a folder laid out like https://sirekap-obj-data.kpu.go.id/ \
            (wilayah/pemilu/ppwp/... region lists, pemilu/hhcw/ppwp... aggregates and TPS results). \
            Every distinct content becomes a version of its node; another copy of content already held \
            (another serialisation, another mirror) only adds provenance. Importing the same roots again \
            changes nothing, and an interrupted import is completed by running it again.

            A broken file (empty, truncated, not JSON, a value of the wrong type, a bad code, a folder \
            that does not match its code) is reported on stderr and skipped whole; the command then exits 65. \
            Other contests (pdpd, pdpr, ...) are skipped with one notice per folder.

            Provenance times are the clock's, or SOURCE_DATE_EPOCH when set.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp(
        "When the mirrors were downloaded from KPU (ISO 8601 UTC, e.g. 2024-03-08T00:00:00Z); shown as the retrieval time.",
        valueName: "time"))
    var retrieved: String?

    @Argument(help: ArgumentHelp("Folders holding a mirror of the Sirekap API.", valueName: "root"))
    var roots: [String]

    func validate() throws {
        if let retrieved, !Clock.isISO8601UTC(retrieved) {
            throw ValidationError("--retrieved takes a UTC time such as 2024-03-08T00:00:00Z, not '\(retrieved)'")
        }
    }

    func run() throws {
        let store = try Store(path: self.store.db)
        let importer = Importer(store: store, importedAt: Clock.nowISO8601(), retrievedAt: retrieved)
        let progress = ProgressLine(label: "import")
        let summary: ImportSummary
        do {
            summary = try importer.run(roots: roots) { event in
                switch event {
                case .rejected(let file, let reason):
                    progress.message("error: \(file): \(reason)")
                case .skippedFolder(let name, let first):
                    progress.message("note: skipping \(name) (not the presidential count), first file \(first)")
                case .progress(let summary):
                    progress.update("\(summary.files + summary.rejected) files read")
                }
            }
        } catch let error as ImportError {
            progress.finish()
            printError("error: \(error)")
            throw ExitStatus.missingInput
        }
        progress.finish()
        printError(Self.describe(summary, db: self.store.db))
        if summary.rejected > 0 { throw ExitStatus.rejectedInput }
    }

    static func describe(_ summary: ImportSummary, db: String) -> String {
        var lines = ["Imported \(summary.files) files into \(db): \(summary.newVersions) new versions, "
            + "\(summary.newCopies) new copies of known versions, \(summary.unchanged) already held."]
        if summary.rejected > 0 { lines.append("Rejected \(summary.rejected) files (listed above); nothing of them was stored.") }
        for (name, count) in summary.skipped.sorted(by: { $0.key < $1.key }) {
            lines.append("Skipped \(count) files of \(name).")
        }
        if summary.ignored > 0 { lines.append("Ignored \(summary.ignored) files that are not at Sirekap API paths.") }
        return lines.joined(separator: "\n")
    }
}
