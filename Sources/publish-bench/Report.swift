import Foundation

/// The figures of one run and the targets they are held to (issue 7), as Markdown.
struct Report {
    let scope: String
    let command: String
    var mirror: (tps: Int, results: Int, villages: Int, changed: Int, seconds: Double) = (0, 0, 0, 0, 0)
    var importRun: Measurement!
    var python: Measurement!
    var build: Measurement!
    var floor: Measurement!
    /// Every full build's and floor's seconds, in the order they ran (the medians are above).
    var buildRuns: [Double] = []
    var floorRuns: [Double] = []
    var siteFiles = 0
    var siteBytes = 0
    var parquet: Measurement!
    var duckdb: Measurement!
    /// Sizes of the two Parquet files, in bytes.
    var parquetSizes = (ours: 0, duckdb: 0)
    var laterImport: Measurement!
    var rebuild: Measurement?
    /// The import of a second later harvest and the rebuild after it, which starts from the site
    /// the first rebuild kept.
    var secondImport: Measurement?
    var secondRebuild: Measurement?

    static let memoryLimitMB = 512.0

    /// Seconds the floor writer itself reported (its process also lists the site first, which is not timed).
    var floorSeconds: Double { Report.innerSeconds(floor) }

    /// The Parquet export's own timing and DuckDB's, each printed by its process (neither counts
    /// its process's start-up).
    var parquetSeconds: Double { Report.innerSeconds(parquet) }
    var duckdbSeconds: Double { Report.innerSeconds(duckdb) }

    /// The median of an odd number of runs, ordered by the seconds the runs printed
    /// (`innerSeconds`) unless told otherwise; with the highest peak memory of all runs when `peakOfAll`.
    static func median(_ runs: [Measurement], peakOfAll: Bool = false, by seconds: (Measurement) -> Double = innerSeconds) -> Measurement {
        let middle = runs.sorted { seconds($0) < seconds($1) }[runs.count / 2]
        guard peakOfAll else { return middle }
        return Measurement(seconds: middle.seconds, peakBytes: runs.map(\.peakBytes).max() ?? middle.peakBytes,
                           status: middle.status, output: middle.output)
    }

    /// The seconds a step printed as `... 1.234 s`, or its process time when it printed none.
    static func innerSeconds(_ step: Measurement) -> Double {
        let parts = step.output.split(separator: " ")
        return parts.count >= 2 ? Double(parts[parts.count - 2]) ?? step.seconds : step.seconds
    }

    func markdown(machine: String, date: String) -> String {
        func s(_ value: Double) -> String { String(format: "%.1f s", value) }
        func mb(_ measurement: Measurement) -> String { String(format: "%.0f MB", measurement.peakMB) }
        func verdict(_ ok: Bool) -> String { ok ? "**met**" : "**not met**" }
        let buildRatio = build.seconds / floorSeconds
        let memoryOK = importRun.peakMB <= Report.memoryLimitMB && build.peakMB <= Report.memoryLimitMB
            && (rebuild?.peakMB ?? 0) <= Report.memoryLimitMB && (secondRebuild?.peakMB ?? 0) <= Report.memoryLimitMB
        let title = scope == "national" ? "National scale" : "One province (\(scope.replacingOccurrences(of: "province-", with: "")))"
        var lines: [String] = []
        lines.append("### \(title), \(date)")
        lines.append("")
        lines.append("Command: `\(command)`  ")
        lines.append("Machine: \(machine)  ")
        lines.append(String(format: "Input: %d TPS in %d villages (the real region tree), %d with a synthetic result (%.0f%%); "
            + "two later harvests: %d TPS with a newer version in each. Mirror made in %.0f s.", mirror.tps, mirror.villages, mirror.results,
            100 * Double(mirror.results) / Double(max(mirror.tps, 1)), mirror.changed, mirror.seconds))
        lines.append(String(format: "Site: %d files, %.2f GB.", siteFiles, Double(siteBytes) / 1e9))
        lines.append("")
        lines.append("| step | time | peak memory | target | |")
        lines.append("|---|---:|---:|---|---|")
        lines.append("| `publish import` (mirror; median of 3) | \(s(importRun.seconds)) | \(mb(importRun)) | faster than the Python pass; ≤ 512 MB | "
            + verdict(importRun.seconds < python.seconds && importRun.peakMB <= Report.memoryLimitMB) + " |")
        lines.append("| Python `json.load` of the same files (median of 3, taken in turn with ours) | \(s(python.seconds)) | \(mb(python)) | | |")
        lines.append("| `publish build` (full; median of 3) | \(s(build.seconds)) | \(mb(build)) | ≤ 2× the floor (\(String(format: "%.1f×", buildRatio))); ≤ 512 MB | "
            + verdict(buildRatio <= 2 && build.peakMB <= Report.memoryLimitMB) + " |")
        lines.append("| file-output floor (same files, 2 threads, no rendering; median of 3, taken in turn with the builds) | \(s(floorSeconds)) | \(mb(floor)) | | |")
        lines.append("| `publish import` (later harvest) | \(s(laterImport.seconds)) | \(mb(laterImport)) | | |")
        if let rebuild {
            func rebuildLine(_ label: String, _ measurement: Measurement) -> String {
                let share = measurement.seconds / build.seconds
                return "| `publish build` \(label) | \(s(measurement.seconds)) | \(mb(measurement)) | ≤ 10% of the full build "
                    + "(\(String(format: "%.0f%%", 100 * share))) | " + verdict(share <= 0.10 && measurement.peakMB <= Report.memoryLimitMB) + " |"
            }
            lines.append(rebuildLine("after 1% of TPS changed (the first rebuild: links every file of the site)", rebuild))
            if let secondImport, let secondRebuild {
                lines.append("| `publish import` (second later harvest) | \(s(secondImport.seconds)) | \(mb(secondImport)) | | |")
                lines.append(rebuildLine("after another 1% of TPS changed (starts from the site the first rebuild kept)", secondRebuild))
            }
        } else {
            lines.append("| `publish build` after 1% of TPS changed | not run (`--skip-rebuild`) | | ≤ 10% of the full build | **not measured** |")
        }
        lines.append("| our Parquet export, national TPS table (store to file; median of 3) | \(s(parquetSeconds)) | \(mb(parquet)) | faster than DuckDB's COPY | "
            + verdict(parquetSeconds < duckdbSeconds) + " |")
        let duckdbVersion = duckdb.output.split(separator: "\n").last?.split(separator: " ").first.map(String.init) ?? ""
        lines.append("| DuckDB \(duckdbVersion) `COPY` from `ppwp-tps.csv` (Snappy: its default, and our codec; median of 3, taken in turn with ours) | \(s(duckdbSeconds)) | \(mb(duckdb)) | | |")
        lines.append("")
        if !buildRuns.isEmpty {
            lines.append("Full builds, in the order run: " + buildRuns.map(s).joined(separator: ", ") + "; floors: "
                + floorRuns.map(s).joined(separator: ", ") + ".")
        }
        lines.append(String(format: "Parquet files: ours %.1f MB, DuckDB's %.1f MB.", Double(parquetSizes.ours) / 1e6, Double(parquetSizes.duckdb) / 1e6))
        lines.append("Memory: " + (memoryOK ? "every publish step stayed within 512 MB." : "a publish step went over 512 MB."))
        return lines.joined(separator: "\n")
    }

    /// Puts `text` between this scope's markers in `file`, replacing an earlier run's figures.
    static func record(_ text: String, scope: String, in file: String) throws {
        let begin = "<!-- bench:\(scope) -->", end = "<!-- /bench:\(scope) -->"
        var document = (try? String(contentsOfFile: file, encoding: .utf8)) ?? "# Benchmarks\n"
        let block = begin + "\n" + text + "\n" + end
        if let start = document.range(of: begin), let stop = document.range(of: end, range: start.upperBound..<document.endIndex) {
            document.replaceSubrange(start.lowerBound..<stop.upperBound, with: block)
        } else {
            document += (document.hasSuffix("\n") ? "\n" : "\n\n") + block + "\n"
        }
        try document.write(toFile: file, atomically: true, encoding: .utf8)
    }
}

enum Machine {
    /// The type of the file system holding `path`, from /proc/mounts (the longest mount point that contains it).
    static func fileSystem(of path: String) -> String? {
        let mounts = (try? String(contentsOfFile: "/proc/mounts", encoding: .utf8)) ?? ""
        var best: (point: String, type: String)?
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { continue }
            let point = String(fields[1]), type = String(fields[2])
            let contains = point == "/" || path == point || path.hasPrefix(point + "/")
            if contains && point.count >= (best?.point.count ?? -1) { best = (point, type) }
        }
        return best?.type
    }

    /// CPU model, cores, memory and kernel, read from /proc.
    static func describe(work: String) -> String {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let memory = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("MemTotal") }?
            .split(separator: " ").dropFirst().first.flatMap { Double($0) }.map { String(format: "%.0f GiB", $0 / 1_048_576) } ?? "?"
        var name = utsname()
        uname(&name)
        let kernel = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let tmpfs = fileSystem(of: work) == "tmpfs"
        return "\(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(memory) RAM, Linux \(kernel); "
            + "scratch folder \(work)" + (tmpfs ? " (tmpfs, memory-backed)" : " (not tmpfs: disk timings swing)")
    }
}
