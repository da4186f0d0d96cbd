import ArgumentParser
import Dispatch
import Export
import Foundation
import Parquet
import SirekapFormat
import Store

@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish-bench",
        abstract: "Measure publish at national scale against the file-output floor, Python and DuckDB.",
        discussion: """
            `publish-bench run` makes a national-scale mirror (the real region tree from the archived \
            harvest, seeded synthetic results), then times, each as its own process with its peak memory: \
            `publish import`, a plain Python json.load pass over the same files, `publish build`, the \
            file-output floor (the built site's files, same paths and sizes, written by two threads with \
            no rendering), our Parquet export of the national TPS table against DuckDB's COPY from the \
            same CSV, and an import plus rebuild after 1% of TPS get a newer version. Results are printed \
            and, with --record, written into BENCHMARKS.md. Build both binaries in release mode first: \
            swift build -c release --product publish && swift build -c release --product publish-bench
            """,
        subcommands: [Run.self, Mirror.self, Floor.self, ParquetExport.self],
        defaultSubcommand: Run.self
    )
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the whole benchmark (the default).")

    @Option(help: ArgumentHelp("Scratch folder, memory-backed so disk speed does not swing the figures.", valueName: "dir"))
    var work: String?

    @OptionGroup var inputs: InputOptions

    @Option(help: ArgumentHelp("Python with duckdb installed (the test venv).", valueName: "path"))
    var python = ".venv/bin/python"

    @Option(help: ArgumentHelp("Write the results into this Markdown file, replacing the previous run of the same scope.", valueName: "file"))
    var record: String?

    @Flag(help: "Keep the scratch folder afterwards.")
    var keep = false

    @Flag(help: "Skip the rebuild after 1% of TPS change.")
    var skipRebuild = false

    func run() throws {
        let scope = inputs.province.map { "province-\($0)" } ?? "national"
        let work = self.work ?? "/dev/shm/publish-bench-\(scope)"
        let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let publish = binaries + "/publish"
        let bench = binaries + "/publish-bench"
        guard FileManager.default.isExecutableFile(atPath: publish) else { throw BenchError("\(publish): build it first") }
        try prepare(work)
        defer { if !keep { try? FileManager.default.removeItem(atPath: work) } }
        let environment = ["SOURCE_DATE_EPOCH": "1735689600"]
        var report = Report(scope: scope, command: CommandLine.arguments.joined(separator: " "))

        report.mirror = try Inputs.make(in: work, options: inputs)
        try checkRoom(work, tps: report.mirror.tps)

        let store = work + "/store.sqlite"
        // Three imports, each into a new store, taken in turn with three Python passes; the medians
        // are compared (single runs of a few seconds swing by a fifth here), the peak memory is the
        // highest of the three. The build reads the last import's store.
        var imports: [Measurement] = [], pythons: [Measurement] = []
        for _ in 0..<3 {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store + suffix) }
            imports.append(try Measure.require("import", [publish, "import", "--db", store, work + "/mirror"], environment: environment))
            pythons.append(try Measure.require("python json.load", [python, "-c", Self.pythonParse, work + "/mirror"]))
        }
        report.importRun = Report.median(imports, peakOfAll: true)
        report.python = Report.median(pythons, peakOfAll: true)
        // The builds do not read the mirror; at national scale it is 3 GB of this machine's memory,
        // which the builds and floors below need.
        try FileManager.default.removeItem(atPath: work + "/mirror")
        let build = [publish, "build", "--db", store, "--output", work + "/site", "--publication", work + "/publication"]
        // Full builds and floors, three of each taken in turn, medians compared: from one minute to
        // the next this machine swings by a quarter, so a single build against a single floor says
        // more about the minute than about the build. The floor writes the same files again (from a
        // listing saved after the first build); site and copy are never both in memory. The third
        // round writes the floor first, so that the last build's site stays for what follows.
        let listing = work + "/site-listing.tsv"
        var builds: [Measurement] = [], floors: [Measurement] = []
        func fullBuild() throws {
            builds.append(try Measure.require("build", build + ["--full"], environment: environment))
        }
        func floor() throws {
            floors.append(try Measure.require("floor", [bench, "floor", "--listing", listing, work + "/floor"]))
            try Self.remove(work + "/floor")
        }
        try fullBuild()
        // A child process lists: a spawned process's peak memory counts this one's size at the
        // spawn, so this one stays small.
        let listed = try Measure.require("list the site", [bench, "floor", "--save-listing", listing, work + "/site"])
        let counts = listed.output.split(separator: " ")
        report.siteFiles = counts.count > 2 ? Int(counts[0]) ?? 0 : 0
        report.siteBytes = counts.count > 2 ? Int(counts[2]) ?? 0 : 0
        try Self.remove(work + "/site")
        try floor()
        try fullBuild()
        try Self.remove(work + "/site")
        try floor()
        try floor()
        try fullBuild()
        report.build = Report.median(builds, peakOfAll: true, by: \.seconds)
        report.floor = Report.median(floors, peakOfAll: true)
        report.buildRuns = builds.map(\.seconds)
        report.floorRuns = floors.map(Report.innerSeconds)
        let csv = work + "/ppwp-tps.csv"
        try FileManager.default.copyItem(atPath: work + "/site/downloads/ppwp-tps.csv", toPath: csv)
        // Three runs of each, taken in turn, and the median of each: a single pair of a few
        // seconds each swings by a fifth on a shared machine.
        var ours: [Measurement] = [], duckdb: [Measurement] = []
        for _ in 0..<3 {
            ours.append(try Measure.require("our Parquet export", [bench, "parquet-export", "--db", store, "--output", work + "/ours.parquet"]))
            duckdb.append(try Measure.require("DuckDB COPY", [python, "-c", Self.duckdbCopy, csv, work + "/duckdb.parquet", "snappy"]))
        }
        report.parquet = Report.median(ours)
        report.duckdb = Report.median(duckdb)
        report.parquetSizes = (try Self.size(work + "/ours.parquet"), try Self.size(work + "/duckdb.parquet"))
        report.laterImport = try Measure.require("import of the later harvest",
                                                 [publish, "import", "--db", store, work + "/mirror-later"], environment: environment)
        if !skipRebuild {
            report.rebuild = try Measure.require("rebuild", build, environment: environment)
            report.secondImport = try Measure.require("import of the second later harvest",
                                                      [publish, "import", "--db", store, work + "/mirror-later-2"], environment: environment)
            report.secondRebuild = try Measure.require("second rebuild", build, environment: environment)
        }

        let text = report.markdown(machine: Machine.describe(work: work), date: Self.today())
        print(text)
        if let record { try Report.record(text, scope: scope, in: record) }
    }

    /// The site (about 2 files and 1 folder per TPS) and the floor's copy of it must fit in the
    /// scratch file system's free inodes: /dev/shm's default (half the RAM pages) holds about 3
    /// million, too few for the whole country. Say so before spending minutes on import and build.
    func checkRoom(_ work: String, tps: Int) throws {
        var stats = statvfs()
        guard statvfs(work, &stats) == 0 else { return }
        let needed = UInt64(tps) * 7
        guard UInt64(stats.f_favail) >= needed else {
            throw BenchError("""
                \(work) has \(stats.f_favail) free inodes; this run needs about \(needed). Use a larger tmpfs, e.g.
                  sudo mkdir -p /mnt/bench && sudo mount -t tmpfs -o size=22G,nr_inodes=16M tmpfs /mnt/bench
                and pass --work /mnt/bench/run
                """)
        }
    }

    /// Refuses to clear a folder the benchmark did not make.
    func prepare(_ work: String) throws {
        let marker = work + "/.publish-bench"
        if FileManager.default.fileExists(atPath: work) {
            guard FileManager.default.fileExists(atPath: marker) else {
                throw BenchError("\(work) exists and was not made by publish-bench: choose another --work")
            }
            try FileManager.default.removeItem(atPath: work)
        }
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: marker, contents: Data())
    }

    static func today() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }

    /// What a plain Python script does with the same files: open and json.load every one.
    static let pythonParse = """
        import json, os, sys
        count = 0
        for folder, _, files in os.walk(sys.argv[1]):
            for name in files:
                if name.endswith('.json'):
                    with open(os.path.join(folder, name), 'rb') as f:
                        json.load(f)
                    count += 1
        print(count)
        """

    /// Removes a folder of up to millions of files (`rm -rf` is several times faster at it than
    /// Foundation on Linux).
    static func remove(_ path: String) throws {
        let removed = try Measure.run(["/bin/rm", "-rf", path])
        guard removed.status == 0 else { throw BenchError("cannot remove \(path)") }
    }

    static func size(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
    }

    /// DuckDB reading our national CSV and writing Parquet, with the given codec. It prints its
    /// version and the COPY's own time (as our export prints its own): Python's start-up and
    /// DuckDB's import are not DuckDB's work and are left out, as our process's start is.
    static let duckdbCopy = """
        import duckdb, sys, time
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        start = time.monotonic()
        con.execute(f"COPY (SELECT * FROM read_csv('{sys.argv[1]}', header=true, quote='\\\"', escape='\\\"')) TO '{sys.argv[2]}' (FORMAT parquet, COMPRESSION {sys.argv[3]})")
        print(f"{duckdb.__version__} {time.monotonic() - start:.3f} s")
        """
}

/// What the synthetic inputs are made from (`run` and `mirror` take the same options).
struct InputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only this province (two-digit code, e.g. 32 for Jawa Barat).", valueName: "code"))
    var province: String?

    @Option(help: "Seed of the synthetic results.")
    var seed: UInt64 = 2024

    @Option(help: ArgumentHelp("Percentage of TPS given a result.", valueName: "percent"))
    var withResults: Int = 80

    @Option(help: ArgumentHelp("The archived harvest of every region list.", valueName: "file"))
    var archive = "../shared/corpus/archives/ridwaanhall_pemilu2024.kpu.go.id__wilayah_pemilu_ppwp_FULL.tar.gz"
}

/// The benchmark's inputs: the mirror, the two later harvests and the publication folder.
enum Inputs {
    static func make(in work: String, options: InputOptions) throws
        -> (tps: Int, results: Int, villages: Int, changed: Int, seconds: Double) {
        let (archive, seed, withResults, province) = (options.archive, options.seed, options.withResults, options.province)
        FileHandle.standardError.write(Data("bench: making the mirror in \(work)...\n".utf8))
        let start = DispatchTime.now().uptimeNanoseconds
        let mirror = NationalMirror(archive: archive, root: work + "/mirror", seed: seed, withResults: withResults, province: province)
        let made = try mirror.make()
        let later = try NationalMirror.laterHarvest(codes: made.resultCodes, count: made.resultCodes.count / 100, seed: seed,
                                                    root: work + "/mirror-later")
        _ = try NationalMirror.laterHarvest(codes: made.resultCodes, count: made.resultCodes.count / 100, seed: seed ^ 0xA11,
                                            day: 21, root: work + "/mirror-later-2")
        try writePublication(work + "/publication")
        return (made.tps, made.results, made.regionLists, later.count, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// A publication as a real one is set up: with a base URL, so every build writes the sitemaps.
    static func writePublication(_ folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("""
            {
                "title": "publish-bench (synthetic results)",
                "description": "Benchmark input: the real region tree with invented results.",
                "base_url": "https://pemilu.example",
                "demo": true,
                "import": [],
                "license": "Benchmark data, no licence.",
                "candidates": [
                    {"id": "100025", "number": 1, "name": "Calon 1"},
                    {"id": "100026", "number": 2, "name": "Calon 2"},
                    {"id": "100027", "number": 3, "name": "Calon 3"}
                ]
            }
            """.utf8).write(to: URL(fileURLWithPath: folder + "/publication.json"))
    }

}

/// Makes the inputs alone, for profiling one step by hand (`publish import`, `publish build`).
struct Mirror: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Only make the inputs: mirror/, mirror-later/, mirror-later-2/ and publication/ in --work.",
        discussion: "The same inputs as `run` with the same options, kept for timing or profiling one step by hand.")

    @Option(help: ArgumentHelp("Folder to make (must not exist).", valueName: "dir"))
    var work: String

    @OptionGroup var inputs: InputOptions

    func run() throws {
        guard !FileManager.default.fileExists(atPath: work) else { throw BenchError("\(work) exists") }
        let made = try Inputs.make(in: work, options: inputs)
        print("\(made.tps) TPS, \(made.results) with a result, \(made.changed) in each later harvest: \(work)")
    }
}

/// Writes a site's files again, same paths and sizes, with no rendering (run as its own process).
struct Floor: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Time the file-output floor for a built site.")

    @Option(help: "A listing saved by `run` (path TAB size per line) instead of a built site.")
    var listing: String?

    @Option(help: "Only list the site's files into this file (path TAB size) and print the totals.")
    var saveListing: String?
    @Argument(help: "A built site (unless --listing), then where to write the copy (must not exist).")
    var folders: [String]

    func run() throws {
        if let saveListing {
            guard folders.count == 1 else { throw ValidationError("--save-listing takes the site folder only") }
            let files = FloorWriter.list(folders[0])
            try FloorWriter.save(files, to: saveListing)
            print("\(files.files.count) files \(files.bytes) bytes")
            return
        }
        guard let target = folders.last, folders.count == (listing == nil ? 2 : 1) else {
            throw ValidationError("give a site and a target folder, or --listing FILE and a target folder")
        }
        guard !FileManager.default.fileExists(atPath: target) else { throw BenchError("\(target) exists") }
        let files = try listing.map(FloorWriter.load) ?? FloorWriter.list(folders[0])
        let seconds = try FloorWriter.write(files, to: target)
        print("\(files.files.count) files, \(files.bytes) bytes, " + String(format: "%.3f s", seconds))
    }
}

/// Our Parquet export of the national TPS table, the way the build writes it (`TPSTableExport`):
/// every TPS from the store in code order, one row group per province, on every core.
struct ParquetExport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "parquet-export", abstract: "Time our national Parquet export.")

    @Option var db: String
    @Option var output: String

    func run() throws {
        let store = try Store(path: db)
        let table = TPSTable(candidates: ["100025", "100026", "100027"])
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let options = ParquetTableWriter.options(metadata: [(key: "source", value: SourcePath.apiBase)], threads: cores)
        let start = DispatchTime.now().uptimeNanoseconds
        let written = try TPSTableExport(table: table, parquetOptions: options, jobs: cores)
            .write(from: store, parquetPath: output)
        print(String(format: "%d rows, %.3f s", written.rows, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
    }
}
