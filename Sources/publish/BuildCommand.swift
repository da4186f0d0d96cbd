import ArgumentParser
import Foundation
import Publication
import Store

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Render the store into a static site.",
        discussion: """
            Writes a page and a JSON twin for the nation, every region and every TPS at \
            /ppwp/{2}/{4}/{6}/{10}/{13}/ (the codes of KPU's own API paths), data-quality pages \
            (/anomali/, /metodologi/), CSV and Parquet downloads with SHA256SUMS in /downloads/, \
            /datapackage.json and /CITATION.cff, /sitemap.xml with sitemaps/ (50,000 URLs a file) and /robots.txt, the audit section (/audit/) when the publication has \
            audit findings, and copies the static assets. Every audit evidence file must match its \
            recorded SHA-256, or the build stops before rendering and names the file. Mirrors listed under "import" in the \
            publication's publication.json are imported first (the bundled demo is one).

            The site is built in a staging folder beside the output and swapped in only when the \
            build succeeds: a failed build leaves the previous site whole. The same store always \
            gives byte-identical files.

            A rebuild after an import that only added TPS results or KPU aggregates is incremental: \
            it starts from hard links to the previous site and rewrites only the pages of the changed \
            TPS, the regions above them, and the downloads that hold them, with the same bytes a full \
            build would write. Anything else (a new region list, another program, configuration, \
            template, asset or audit file, an output folder that is not the last build's) makes a \
            full build; --full asks for one. An incremental build keeps the site it replaced beside \
            the output (.NAME.previous, sharing the files it did not rewrite): the next one starts \
            from it and links only what changed in between. Safe to delete; never upload it.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Where the site is written.", valueName: "dir"))
    var output: String = "_site"

    @Option(help: ArgumentHelp("The publication folder (publication.json, demo mirror).", valueName: "dir"))
    var publication: String = "Publish"

    @Option(help: ArgumentHelp("The page templates (Mustache).", valueName: "dir"))
    var templates: String = "Templates"

    @Option(help: ArgumentHelp("Static assets copied into the site as they are.", valueName: "dir"))
    var assets: String = "Site"

    @Option(help: ArgumentHelp("Threads that render pages (default: one per core). The files are the same for any number.",
                               valueName: "n"))
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Rebuild every page and download, even when only some TPS changed since the last build.")
    var full = false

    func run() throws {
        let build = SiteBuild(options: .init(
            publicationFolder: publication, storePath: store.db, outputFolder: output,
            templatesFolder: templates, assetsFolder: assets, importedAt: Clock.nowISO8601(), jobs: jobs, full: full))
        let progress = ProgressLine(label: "build")
        let summary: SiteBuild.Summary
        do {
            summary = try build.run { event in
                switch event {
                case .stepStarted(let name): progress.update(name)
                case .progress(let text): progress.update(text)
                case .stepFinished(let name, let seconds):
                    progress.message(String(format: "build: %@ (%.2f s)", name, seconds))
                case .importEvent(.rejected(let file, let reason)): progress.message("error: \(file): \(reason)")
                case .importEvent: break
                }
            }
        } catch {
            progress.finish()
            printError("error: \(error)")
            printError("The previous output in \(output) (if any) was left as it was.")
            throw ExitCode.failure
        }
        progress.finish()
        switch summary.scope {
        case .full(let reason):
            printError("Built \(output) (full build: \(reason)): \(summary.regionPages) region pages, \(summary.tpsPages) TPS pages "
                + "(\(summary.tpsWithResults) with results), \(summary.downloads.count) downloads.")
        case .incremental(let changes):
            printError("Built \(output) (incremental: \(changes.tps.count) TPS changed since the last build): "
                + "\(summary.regionPages) region pages and \(summary.tpsPages) TPS pages rewritten, "
                + "\(summary.filesWritten) files written, every other file the previous site's "
                + "(\(summary.filesLinked) links made to stage it), \(summary.downloads.count) downloads.")
        }
    }
}
