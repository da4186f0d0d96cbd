import Foundation

/// pyarrow and DuckDB, from the project's Python venv (`.ci/run` makes it). The tests below skip
/// only when the readers are absent on a developer's machine; under CI they must run.
public enum ParquetReaders {
    public static var python: String? {
        let candidates = [ProcessInfo.processInfo.environment["PUBLISH_PYTHON"],
                          PublishBinary.packageRoot.appendingPathComponent(".venv/bin/python").path].compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) && check($0) }
    }

    static func check(_ python: String) -> Bool {
        (try? run(python, ["-c", "import pyarrow, duckdb"]).status) == 0
    }

    public static var required: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    public static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Reads `path` with both readers and returns what they saw, as JSON.
    public static func read(_ path: String) throws -> [String: Any] {
        try runScript(readScript, [path])
    }

    static let readScript = """
            import json, sys, pyarrow.parquet as pq, duckdb
            p = sys.argv[1]
            f = pq.ParquetFile(p)
            t = f.read()
            md = f.metadata
            stats = []
            for g in range(md.num_row_groups):
                for c in range(md.num_columns):
                    col = md.row_group(g).column(c)
                    s = col.statistics
                    stats.append({"column": col.path_in_schema, "codec": col.compression,
                                  "has_min_max": bool(s is not None and s.has_min_max),
                                  "nulls": s.null_count if s is not None else None,
                                  "min": str(s.min) if s is not None and s.has_min_max else None,
                                  "max": str(s.max) if s is not None and s.has_min_max else None})
            con = duckdb.connect()
            duck = con.execute(f"SELECT * FROM read_parquet('{p}')").fetchall()
            duck_types = [r[1] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{p}')").fetchall()]
            kv = {k.decode(): v.decode() for k, v in (md.metadata or {}).items()}
            print(json.dumps({"arrow_types": [str(x.type) for x in t.schema], "rows": t.to_pylist(),
                              "row_groups": md.num_row_groups, "stats": stats, "metadata": kv,
                              "duck_types": duck_types, "duck_rows": [[str(v) if v is not None else None for v in r] for r in duck]},
                             default=str))
            """

    /// Runs a Python script (in the venv with pyarrow and DuckDB) that prints one JSON object.
    public static func runScript(_ script: String, _ arguments: [String]) throws -> [String: Any] {
        guard let python else { throw ReaderError(description: "pyarrow and duckdb are not installed (run .ci/run)") }
        let result = try run(python, ["-c", script] + arguments)
        guard result.status == 0, let data = result.output.data(using: .utf8),
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ReaderError(description: "the readers failed: \(result.output)")
        }
        return object
    }

    public struct ReaderError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Compares every Parquet download in `folder` with its CSV twin, value by value (pyarrow),
    /// and by row count and sums (DuckDB); checks codecs, statistics and the province partition.
    public static func compareDownloads(_ folder: String) throws -> [String: Any] {
        try runScript(compareScript, [folder])
    }

    static let compareScript = """
        import csv, datetime, glob, json, os, sys
        import pyarrow.parquet as pq, duckdb
        folder = sys.argv[1]
        def text(v):
            if v is None: return ""
            if isinstance(v, bool): return "true" if v else "false"
            if isinstance(v, datetime.datetime): return v.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            if isinstance(v, float): return repr(v)
            return str(v)
        report = {"files": {}}
        con = duckdb.connect()
        for path in sorted(glob.glob(os.path.join(folder, "*.parquet"))):
            name = os.path.basename(path)
            with open(path[:-8] + ".csv", newline="", encoding="utf-8") as f:
                rows = list(csv.reader(f))
            header, body = rows[0], rows[1:]
            pf = pq.ParquetFile(path)
            table = pf.read()
            mismatches = []
            if table.column_names != header: mismatches.append("columns differ")
            for i, row in enumerate(table.to_pylist()):
                got = [text(row[c]) for c in header]
                if i >= len(body) or got != body[i]:
                    mismatches.append(f"row {i}")
                    if len(mismatches) > 5: break
            md = pf.metadata
            codecs, stats_ok = set(), True
            for g in range(md.num_row_groups):
                for c in range(md.num_columns):
                    col = md.row_group(g).column(c)
                    codecs.add(col.compression)
                    s = col.statistics
                    if s is None or s.null_count is None: stats_ok = False
                    elif s.null_count < col.num_values and not s.has_min_max: stats_ok = False
            vote_columns = [c for c in header if c.startswith("votes_")]
            duck = con.execute(f"SELECT count(*)" + "".join(f", sum({c})" for c in vote_columns) + f" FROM read_parquet('{path}')").fetchone()
            csv_sums = [sum(int(r[header.index(c)]) for r in body if r[header.index(c)] != "") for c in vote_columns]
            report["files"][name] = {
                "rows": table.num_rows, "csv_rows": len(body), "mismatches": mismatches,
                "codecs": sorted(codecs), "stats_ok": stats_ok, "row_groups": md.num_row_groups,
                "types": {f.name: str(f.type) for f in table.schema},
                "duck_rows": duck[0], "duck_sums": [int(x) if x is not None else 0 for x in duck[1:]], "csv_sums": csv_sums,
            }
        parts = []
        for path in sorted(glob.glob(os.path.join(folder, "ppwp-tps-*.parquet"))):
            parts += pq.read_table(path).to_pylist()
        national = pq.read_table(os.path.join(folder, "ppwp-tps.parquet")).to_pylist() if os.path.exists(os.path.join(folder, "ppwp-tps.parquet")) else []
        report["partition_ok"] = parts == national and len(national) > 0
        print(json.dumps(report))
        """
}
