import ArgumentParser

@main
struct Publish: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish the Sirekap 2024 real count as a static open-data website.",
        discussion: """
            Typical use: `publish import MIRROR...` reads saved copies of the Sirekap public JSON \
            into a local SQLite store, then `publish build` renders the site into _site/ for any static host. \
            `publish audit verify` checks the infrastructure-audit findings and their evidence hashes on their own.

            Exit codes: 0 success; 1 failure; 64 bad command line; 65 some input files were \
            rejected (the rest was imported); 66 an input folder does not exist.
            """,
        subcommands: [ImportCommand.self, BuildCommand.self, AuditCommand.self]
    )
}

/// Exit codes scripts can rely on (the BSD sysexits values where one fits).
enum ExitStatus {
    static let rejectedInput = ExitCode(65)
    static let missingInput = ExitCode(66)
}

/// Options every command that touches the store shares.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite store.", valueName: "path"))
    var db: String = ".publish/store.sqlite"
}
