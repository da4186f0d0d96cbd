import Foundation
import Parquet
import Testing
import TestSupport

/// pyarrow and DuckDB, from the project's Python venv (`.ci/run` makes it). The tests below skip
/// only when the readers are absent on a developer's machine; under CI they must run.
enum ParquetReaders {
    static var python: String? {
        let candidates = [ProcessInfo.processInfo.environment["PUBLISH_PYTHON"],
                          PublishBinary.packageRoot.appendingPathComponent(".venv/bin/python").path].compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) && check($0) }
    }

    static func check(_ python: String) -> Bool {
        (try? run(python, ["-c", "import pyarrow, duckdb"]).status) == 0
    }

    static var required: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
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
    static func read(_ path: String) throws -> [String: Any] {
        guard let python else { throw ParquetError(description: "pyarrow and duckdb are not installed (run .ci/run)") }
        let script = """
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
        let result = try run(python, ["-c", script, path])
        guard result.status == 0, let data = result.output.data(using: .utf8),
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ParquetError(description: "readers failed on \(path): \(result.output)")
        }
        return object
    }
}

@Suite(.enabled(if: ParquetReaders.python != nil || ParquetReaders.required, "needs pyarrow and duckdb (.ci/run installs them)"))
struct ReaderTests {
    let folder: TemporaryFolder
    init() throws { folder = try TemporaryFolder() }

    @Test func pyarrowAndDuckDBReadEveryTypeWithNullsStatisticsAndGzip() throws {
        let path = folder.sub("types.parquet")
        var options = ParquetWriter.Options()
        options.metadata = [(key: "source", value: "test")]
        let writer = try ParquetWriter(path: path, columns: [
            ParquetColumn("code", .string, optional: false),
            ParquetColumn("province", .string, dictionary: true),
            ParquetColumn("votes", .int32),
            ParquetColumn("big", .int64),
            ParquetColumn("flag", .boolean),
            ParquetColumn("ts_utc", .timestampMicrosUTC),
        ], options: options)
        let rows: [[ParquetValue]] = [
            [.string("3101011001001"), .string("DKI JAKARTA"), .int(120), .int(5_000_000_000), .bool(true), .int(1_708_408_800_000_000)],
            [.string("3101011001002"), .string("DKI JAKARTA"), .null, .int(-7), .bool(false), .null],
            [.string("99AA010001001"), .string("Luar Negeri"), .int(0), .null, .null, .int(0)],
            [.string("1101012001001"), .null, .int(-5), .int(0), .bool(true), .int(1)],
        ]
        for row in rows.prefix(2) { try writer.append(row) }
        try writer.endRowGroup()
        for row in rows.dropFirst(2) { try writer.append(row) }
        try writer.close()

        let seen = try ParquetReaders.read(path)
        #expect(seen["arrow_types"] as? [String] == ["string", "string", "int32", "int64", "bool", "timestamp[us, tz=UTC]"])
        #expect(seen["duck_types"] as? [String] == ["VARCHAR", "VARCHAR", "INTEGER", "BIGINT", "BOOLEAN", "TIMESTAMP WITH TIME ZONE"])
        #expect(seen["row_groups"] as? Int == 2)
        #expect(seen["metadata"] as? [String: String] == ["source": "test"])
        let arrowRows = try #require(seen["rows"] as? [[String: Any]])
        #expect(arrowRows.map { $0["code"] as? String } == ["3101011001001", "3101011001002", "99AA010001001", "1101012001001"])
        #expect(arrowRows.map { $0["votes"] as? Int } == [120, nil, 0, -5])
        #expect(arrowRows.map { $0["big"] as? Int } == [5_000_000_000, -7, nil, 0])
        #expect(arrowRows.map { $0["province"] as? String } == ["DKI JAKARTA", "DKI JAKARTA", "Luar Negeri", nil])
        #expect(arrowRows.map { $0["flag"] as? Bool } == [true, false, nil, true])
        let duckRows = try #require(seen["duck_rows"] as? [[Any]]).map { $0.map { $0 as? String } }
        #expect(duckRows.count == 4)
        #expect(duckRows[0][5]?.hasPrefix("2024-02-20 06:00:00") == true)
        #expect(duckRows[1][2] == nil)
        let stats = try #require(seen["stats"] as? [[String: Any]])
        #expect(stats.allSatisfy { ($0["codec"] as? String) == "GZIP" })
        let votesFirstGroup = try #require(stats.first { ($0["column"] as? String) == "votes" })
        #expect(votesFirstGroup["has_min_max"] as? Bool == true)
        #expect(votesFirstGroup["nulls"] as? Int == 1)
        #expect(votesFirstGroup["min"] as? String == "120" && votesFirstGroup["max"] as? String == "120")
        let codes = stats.filter { ($0["column"] as? String) == "code" }
        #expect(codes.last?["min"] as? String == "1101012001001" && codes.last?["max"] as? String == "99AA010001001")
    }

    @Test func largeDictionaryColumnRoundTrips() throws {
        let path = folder.sub("many.parquet")
        let writer = try ParquetWriter(path: path, columns: [ParquetColumn("name", .string, dictionary: true), ParquetColumn("n", .int64, optional: false)])
        for n in 0..<3000 { try writer.append([n % 7 == 0 ? .null : .string("TPS \(n % 300)"), .int(Int64(n))]) }
        try writer.close()
        let rows = try #require(try ParquetReaders.read(path)["rows"] as? [[String: Any]])
        #expect(rows.count == 3000)
        var mismatches = 0
        for (n, row) in rows.enumerated() {
            let expected: String? = n % 7 == 0 ? nil : "TPS \(n % 300)"
            if row["name"] as? String != expected || row["n"] as? Int != n { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }
}
