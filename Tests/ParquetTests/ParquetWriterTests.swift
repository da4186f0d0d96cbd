import Foundation
import Parquet
import Testing
import TestSupport

@Suite struct ParquetWriterTests {
    let folder: TemporaryFolder
    init() throws { folder = try TemporaryFolder() }

    /// The byte-level vector of shared/reference/tech.md 1.12, verified there with pyarrow, DuckDB,
    /// polars and fastparquet: one REQUIRED INT64 column [1, 2, 3], uncompressed, no statistics.
    @Test func writesTheReferenceVectorByteForByte() throws {
        var options = ParquetWriter.Options()
        options.codec = .uncompressed
        options.statistics = false
        options.createdBy = "t version 1 (build x)"
        let path = folder.sub("vector.parquet")
        let writer = try ParquetWriter(path: path, columns: [ParquetColumn("a", .int64, optional: false)], options: options)
        for n in [1, 2, 3] { try writer.append([.int(Int64(n))]) }
        try writer.close()
        let expected = """
            50 41 52 31 15 00 15 30 15 30 2c 15 06 15 00 15 06 15 06 00 00
            01 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 03 00 00 00 00 00 00 00
            15 02 19 2c 48 06 73 63 68 65 6d 61 15 02 00 15 04 25 00 18 01 61 00 16 06 19 1c 19 1c 26 00 1c 15 04 19 25 00 06
            19 18 01 61 15 00 16 06 16 52 16 52 26 08 00 00 16 52 16 06 26 08 16 52 00 28 15 74 20 76 65 72 73 69 6f 6e 20 31
            20 28 62 75 69 6c 64 20 78 29 00 57 00 00 00 50 41 52 31
            """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { UInt8($0, radix: 16)! }
        let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(written.count == 140)
        #expect(written == expected)
    }

    @Test func rejectsValuesThatDoNotFit() throws {
        let writer = try ParquetWriter(path: folder.sub("x.parquet"), columns: [
            ParquetColumn("n", .int32, optional: false), ParquetColumn("s", .string),
        ])
        #expect(throws: ParquetError.self) { try writer.append([.null, .string("a")]) }
        #expect(throws: ParquetError.self) { try writer.append([.int(1 << 40), .string("a")]) }
        #expect(throws: ParquetError.self) { try writer.append([.int(1)]) }
    }
}
