import Foundation
import Parquet
import Testing
import TestSupport

@Suite(.enabled(if: ParquetReaders.python != nil || ParquetReaders.required, "needs pyarrow and duckdb (.ci/run installs them)"))
struct ReaderTests {
    let folder: TemporaryFolder
    init() throws { folder = try TemporaryFolder() }

    @Test(arguments: [ParquetOptions.Codec.gzip, .snappy])
    func pyarrowAndDuckDBReadEveryTypeWithNullsStatisticsAndCompression(codec: ParquetOptions.Codec) throws {
        let path = folder.sub("types.parquet")
        var options = ParquetWriter.Options()
        options.codec = codec
        options.metadata = [(key: "source", value: "test")]
        let writer = try ParquetWriter(path: path, columns: [
            ParquetColumn("code", .string, optional: false),
            ParquetColumn("province", .string, dictionary: true),
            ParquetColumn("votes", .int32),
            ParquetColumn("big", .int64),
            ParquetColumn("flag", .boolean),
            ParquetColumn("ts_utc", .timestampMicrosUTC),
            ParquetColumn("persen", .double),
        ], options: options)
        let rows: [[ParquetValue]] = [
            [.string("3101011001001"), .string("DKI JAKARTA"), .int(120), .int(5_000_000_000), .bool(true), .int(1_708_408_800_000_000), .double(78.82)],
            [.string("3101011001002"), .string("DKI JAKARTA"), .null, .int(-7), .bool(false), .null, .null],
            [.string("99AA010001001"), .string("Luar Negeri"), .int(0), .null, .null, .int(0), .double(0.07)],
            [.string("1101012001001"), .null, .int(-5), .int(0), .bool(true), .int(1), .double(100)],
        ]
        for row in rows.prefix(2) { try writer.append(row) }
        try writer.endRowGroup()
        for row in rows.dropFirst(2) { try writer.append(row) }
        try writer.close()

        let seen = try ParquetReaders.read(path)
        #expect(seen["arrow_types"] as? [String] == ["string", "string", "int32", "int64", "bool", "timestamp[us, tz=UTC]", "double"])
        #expect(seen["duck_types"] as? [String] == ["VARCHAR", "VARCHAR", "INTEGER", "BIGINT", "BOOLEAN", "TIMESTAMP WITH TIME ZONE", "DOUBLE"])
        #expect(seen["row_groups"] as? Int == 2)
        #expect(seen["metadata"] as? [String: String] == ["source": "test"])
        let arrowRows = try #require(seen["rows"] as? [[String: Any]])
        #expect(arrowRows.map { $0["code"] as? String } == ["3101011001001", "3101011001002", "99AA010001001", "1101012001001"])
        #expect(arrowRows.map { $0["votes"] as? Int } == [120, nil, 0, -5])
        #expect(arrowRows.map { $0["big"] as? Int } == [5_000_000_000, -7, nil, 0])
        #expect(arrowRows.map { $0["province"] as? String } == ["DKI JAKARTA", "DKI JAKARTA", "Luar Negeri", nil])
        #expect(arrowRows.map { $0["flag"] as? Bool } == [true, false, nil, true])
        #expect(arrowRows.map { $0["persen"] as? Double } == [78.82, nil, 0.07, 100])
        let duckRows = try #require(seen["duck_rows"] as? [[Any]]).map { $0.map { $0 as? String } }
        #expect(duckRows.count == 4)
        #expect(duckRows[0][5]?.hasPrefix("2024-02-20 06:00:00") == true)
        #expect(duckRows[1][2] == nil)
        let stats = try #require(seen["stats"] as? [[String: Any]])
        #expect(stats.allSatisfy { ($0["codec"] as? String) == (codec == .gzip ? "GZIP" : "SNAPPY") })
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

    /// Integer dictionaries with bit-packed indices (counts), their fallback to PLAIN when the
    /// values are too many, and bit-packed definition levels, as readers see them.
    @Test func integerDictionariesAndBitPackedRunsRoundTrip() throws {
        let path = folder.sub("counts.parquet")
        let writer = try ParquetWriter(path: path, columns: [
            ParquetColumn("votes", .int64, dictionary: true),
            ParquetColumn("small", .int32, dictionary: true),
            ParquetColumn("unique", .int64, dictionary: true),
            ParquetColumn("same", .int64, dictionary: true),
        ])
        var expected: [[Int?]] = []
        for n in 0..<100_000 {
            // Scrambled but fixed values: a multiplicative hash of n.
            let scrambled = (n &* 2_654_435_761) & 0xFFFF_FFFF
            let votes: Int? = n % 3 == 1 ? nil : scrambled % 1000 - (n % 97 == 0 ? 5_000_000_000 : 0)
            let small: Int? = scrambled % 5 == 0 ? nil : (scrambled >> 8) % 3
            let row = [votes, small, n * 7919, 42]
            expected.append(row)
            try writer.append(row.map { $0.map { .int(Int64($0)) } ?? .null })
            if n == 60_000 { try writer.endRowGroup() }
        }
        try writer.close()
        let seen = try ParquetReaders.runScript("""
            import json, sys, pyarrow.parquet as pq, duckdb
            p = sys.argv[1]
            f = pq.ParquetFile(p)
            md = f.metadata
            encodings = {}
            for g in range(md.num_row_groups):
                for c in range(md.num_columns):
                    col = md.row_group(g).column(c)
                    encodings.setdefault(col.path_in_schema, set()).update(col.encodings)
            sums = duckdb.connect().execute(f"SELECT sum(votes), sum(small), sum(\\"unique\\"), sum(same) FROM read_parquet('{p}')").fetchone()
            print(json.dumps({"rows": f.read().to_pylist(), "duck_sums": [int(x) for x in sums],
                              "encodings": {k: sorted(v) for k, v in encodings.items()}}))
            """, [path])
        let rows = try #require(seen["rows"] as? [[String: Any]])
        #expect(rows.count == expected.count)
        var mismatches = 0
        for (row, want) in zip(rows, expected) {
            let got = ["votes", "small", "unique", "same"].map { row[$0] as? Int }
            if got != want { mismatches += 1 }
        }
        #expect(mismatches == 0)
        let duckSums = try #require(seen["duck_sums"] as? [Int])
        #expect(duckSums == [0, 1, 2, 3].map { column in expected.reduce(0) { $0 + ($1[column] ?? 0) } })
        let encodings = try #require(seen["encodings"] as? [String: [String]])
        #expect(encodings["votes"]?.contains("RLE_DICTIONARY") == true)
        #expect(encodings["unique"]?.contains("RLE_DICTIONARY") == false)
    }
}
