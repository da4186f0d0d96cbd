import ArgumentParser
import Audit
import Foundation

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Work with the infrastructure-audit findings.",
        subcommands: [Verify.self]
    )

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every finding and evidence hash without building the site.",
            discussion: """
                Reads audit/findings/*.yaml, audit/legal.yaml and audit/reference/references.yaml in the \
                publication folder; checks every field, every source reference, and that every evidence \
                file and reference table exists, matches its recorded SHA-256 and parses as its declared \
                type. Every problem is printed with its file (and line, where there is one).

                Exit codes: 0 all verified; 65 problems found (listed); 66 the publication has no audit folder.
                """
        )

        @Option(help: ArgumentHelp("The publication folder holding audit/.", valueName: "dir"))
        var publication: String = "Publish"

        func run() throws {
            let audit: AuditPublication
            do {
                guard let loaded = try AuditPublication.load(publicationFolder: publication) else {
                    printError("error: \(publication)/audit: no audit folder")
                    throw ExitStatus.missingInput
                }
                audit = loaded
            } catch let problems as AuditPublication.Problems {
                for problem in problems.problems { printError("error: \(problem)") }
                printError("\(problems.problems.count) problem(s) in \(publication)/audit.")
                throw ExitStatus.rejectedInput
            }
            for verified in audit.findings {
                let files = verified.evidence.count
                print("\(verified.finding.id): \(verified.finding.status.rawValue), "
                    + (files == 0 ? "no evidence files (evidence_note given)" : "\(files) evidence file(s), SHA-256 verified and parsed"))
            }
            for reference in audit.references {
                print("reference \(reference.table.id): \(reference.lookup.entries.count) ranges, snapshot \(reference.table.snapshot), SHA-256 verified")
            }
            let files = audit.findings.reduce(0) { $0 + $1.evidence.count }
            print("Verified \(audit.findings.count) findings and \(files) evidence files in \(publication)/audit.")
        }
    }
}
