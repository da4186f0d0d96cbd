import Foundation
import Parquet
import Testing
import TestSupport

/// The row-group level API the TPS table is written with: typed appends, encoding on several
/// threads, and one encoded group written into two files.
@Suite struct RowGroupTests {
    let folder: TemporaryFolder
    init() throws { folder = try TemporaryFolder() }

    static let columns = [
        ParquetColumn("code", .string, optional: false),
        ParquetColumn("name", .string, dictionary: true),
        ParquetColumn("votes", .int64),
        ParquetColumn("flag", .boolean),
        ParquetColumn("share", .double),
    ]

    /// Row n of a table with every kind of value and some nulls.
    static func row(_ n: Int) -> [ParquetValue] {
        [.string(String(format: "32%011d", n)), n % 11 == 0 ? .null : .string("DESA \(n % 37)"),
         n % 5 == 0 ? .null : .int(Int64(n * 3 - 40)), n % 7 == 0 ? .null : .bool(n % 2 == 0),
         n % 13 == 0 ? .null : .double(Double(n) / 8)]
    }

    static func typed(_ group: inout ParquetRowGroup, _ row: [ParquetValue]) throws {
        for (column, value) in row.enumerated() {
            switch value {
            case .null: try group.appendNull(column)
            case .int(let n): try group.append(column, int: n)
            case .double(let d): try group.append(column, double: d)
            case .bool(let b): try group.append(column, bool: b)
            case .string(let s): try group.append(column, string: s)
            }
        }
        try group.endRow()
    }

    func bytes(_ path: String) throws -> [UInt8] { try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) }

    @Test func typedAppendsAndThreadsGiveTheSameBytesAsWholeRows() throws {
        let whole = folder.sub("whole.parquet")
        let writer = try ParquetWriter(path: whole, columns: Self.columns)
        for n in 0..<5000 { try writer.append(Self.row(n)) }
        try writer.close()

        var options = ParquetOptions()
        options.threads = 4
        let typedPath = folder.sub("typed.parquet")
        let file = try ParquetFile(path: typedPath, columns: Self.columns, options: options)
        var group = ParquetRowGroup(columns: Self.columns)
        for n in 0..<5000 { try Self.typed(&group, Self.row(n)) }
        try file.write(group.encode(options))
        try file.close()
        #expect(try bytes(typedPath) == bytes(whole))
    }

    /// A group emptied with `removeAll` and filled again (as each worker reuses its buffers from
    /// one province to the next) encodes exactly as a new group of the same rows.
    @Test(arguments: [ParquetOptions.Codec.gzip, .snappy])
    func anEmptiedGroupEncodesAsANewOne(codec: ParquetOptions.Codec) throws {
        var options = ParquetOptions()
        options.codec = codec
        var reused = ParquetRowGroup(columns: Self.columns, capacity: 100)
        for n in 0..<3000 { try Self.typed(&reused, Self.row(n * 7 + 1)) }
        _ = try reused.encode(options)
        reused.removeAll()
        #expect(reused.isEmpty)
        var fresh = ParquetRowGroup(columns: Self.columns)
        for n in 0..<2000 {
            try Self.typed(&reused, Self.row(n))
            try Self.typed(&fresh, Self.row(n))
        }
        let paths = [folder.sub("reused.parquet"), folder.sub("fresh.parquet")]
        for (path, group) in zip(paths, [reused, fresh]) {
            let file = try ParquetFile(path: path, columns: Self.columns, options: options)
            try file.write(group.encode(options))
            try file.close()
        }
        #expect(try bytes(paths[0]) == bytes(paths[1]))
    }

    /// A run of integer columns in one call and a repeat of the previous row's values give the
    /// same bytes as a value at a time; a run that does not fit stores nothing.
    @Test func integerRunsAndRepeatsGiveTheSameBytes() throws {
        let columns = [
            ParquetColumn("village", .string, dictionary: true),
            ParquetColumn("note", .string),
            ParquetColumn("a", .int64, dictionary: true),
            ParquetColumn("b", .int32),
            ParquetColumn("c", .int64, optional: false),
        ]
        var one = ParquetRowGroup(columns: columns)
        var bulk = ParquetRowGroup(columns: columns)
        for n in 0..<4000 {
            let village: String? = n % 29 == 0 ? nil : "DESA \(n / 10)"
            let note: String? = n % 3 == 0 ? nil : "n\(n / 10)"
            let counts: [Int?] = [n % 4 == 0 ? nil : n * 5, n % 6 == 0 ? nil : -n, n]
            let repeats = n % 10 != 0 && n % 29 != 0 && (n - 1) % 29 != 0 && n % 3 != 0 && (n - 1) % 3 != 0
            for (column, text) in [village, note].enumerated() {
                if let text { try one.append(column, string: text) } else { try one.appendNull(column) }
            }
            if repeats {
                try bulk.repeatPrevious(0..<2)
            } else {
                for (column, text) in [village, note].enumerated() {
                    if let text { try bulk.append(column, string: text) } else { try bulk.appendNull(column) }
                }
            }
            for (offset, count) in counts.enumerated() {
                if let count { try one.append(2 + offset, int: Int64(count)) } else { try one.appendNull(2 + offset) }
            }
            try bulk.append(2, ints: counts)
            try one.endRow()
            try bulk.endRow()
        }
        let paths = [folder.sub("one.parquet"), folder.sub("bulk.parquet")]
        for (path, group) in zip(paths, [one, bulk]) {
            let file = try ParquetFile(path: path, columns: columns, options: ParquetOptions())
            try file.write(group.encode(ParquetOptions()))
            try file.close()
        }
        #expect(try bytes(paths[0]) == bytes(paths[1]))

        var refused = ParquetRowGroup(columns: columns)
        #expect(throws: ParquetError.self) { try refused.repeatPrevious(0..<2) }
        try refused.append(0, string: "x")
        try refused.appendNull(1)
        #expect(throws: ParquetError.self) { try refused.append(2, ints: [1, Int(Int32.max) + 1, 3]) }
        #expect(throws: ParquetError.self) { try refused.append(2, ints: [1, 2, nil]) }
        try refused.append(2, ints: [1, 2, 3])
        try refused.endRow()
        #expect(refused.rows == 1)
        try refused.append(0, string: "y")
        #expect(throws: ParquetError.self) { try refused.repeatPrevious(0..<2) }  // column 0 has its value
        try refused.repeatPrevious(1..<2)
    }

    @Test func aRowMissingAValueIsRefused() throws {
        var group = ParquetRowGroup(columns: Self.columns)
        try group.append(0, string: "3201")
        try group.appendNull(1)
        #expect(throws: ParquetError.self) { try group.endRow() }
        var other = ParquetRowGroup(columns: Self.columns)
        #expect(throws: ParquetError.self) { try other.appendNull(0) }  // required column
        #expect(throws: ParquetError.self) { try other.append(2, string: "x") }
        #expect(throws: ParquetError.self) { try other.append(4, double: .nan) }
    }

    @Test func aWholeRowThatDoesNotFitStoresNothing() throws {
        var group = ParquetRowGroup(columns: Self.columns)
        #expect(throws: ParquetError.self) { try group.append([.string("a"), .string("b"), .string("not a number"), .null, .null]) }
        try group.append(Self.row(1))
        #expect(group.rows == 1)
        let path = folder.sub("one.parquet")
        let file = try ParquetFile(path: path, columns: Self.columns)
        try file.write(group.encode(ParquetOptions()))
        try file.close()
        let writer = try ParquetWriter(path: folder.sub("expected.parquet"), columns: Self.columns)
        try writer.append(Self.row(1))
        try writer.close()
        #expect(try bytes(path) == bytes(folder.sub("expected.parquet")))
    }

    @Test(.enabled(if: ParquetReaders.python != nil || ParquetReaders.required, "needs pyarrow and duckdb (.ci/run installs them)"))
    func oneEncodedGroupServesTwoFiles() throws {
        var first = ParquetRowGroup(columns: Self.columns)
        for n in 0..<300 { try first.append(Self.row(n)) }
        var second = ParquetRowGroup(columns: Self.columns)
        for n in 300..<700 { try second.append(Self.row(n)) }
        let options = ParquetOptions()
        let (a, b) = (try first.encode(options), try second.encode(options))
        // The national file holds both groups; the "province" file only the second, at another offset.
        let national = try ParquetFile(path: folder.sub("national.parquet"), columns: Self.columns)
        try national.write(a)
        try national.write(b)
        try national.close()
        let province = try ParquetFile(path: folder.sub("province.parquet"), columns: Self.columns)
        try province.write(b)
        try province.close()

        let all = try #require(try ParquetReaders.read(folder.sub("national.parquet"))["rows"] as? [[String: Any]])
        let part = try #require(try ParquetReaders.read(folder.sub("province.parquet"))["rows"] as? [[String: Any]])
        #expect(all.count == 700 && part.count == 400)
        #expect(all.map { $0["code"] as? String } == (0..<700).map { String(format: "32%011d", $0) })
        #expect(part.map { $0["votes"] as? Int } == all.suffix(400).map { $0["votes"] as? Int })
        #expect(part.map { $0["name"] as? String } == (300..<700).map { $0 % 11 == 0 ? nil : "DESA \($0 % 37)" })
    }
}
