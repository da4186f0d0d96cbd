import CZlib
import Foundation

// Written by hand because no Swift Parquet writer runs on Linux (the one Swift library found
// compresses only on Apple platforms). It writes the small, widely read subset of the format:
// data page v1, PLAIN values, RLE_DICTIONARY strings, RLE definition levels, min/max statistics
// with column orders, LogicalType and ConvertedType both, and GZIP through the system zlib.
// shared/reference/tech.md section 1 lists the reader pitfalls each choice avoids.

/// A column of a flat Parquet schema.
public struct ParquetColumn: Sendable {
    public enum Kind: Sendable {
        case int32, int64, double, boolean, string
        /// Microseconds since the Unix epoch, UTC.
        case timestampMicrosUTC

        /// Parquet's physical `Type`: BOOLEAN 0, INT32 1, INT64 2, DOUBLE 5, BYTE_ARRAY 6.
        var physicalType: Int32 {
            switch self {
            case .boolean: 0
            case .int32: 1
            case .int64, .timestampMicrosUTC: 2
            case .double: 5
            case .string: 6
            }
        }
    }

    public let name: String
    public let kind: Kind
    /// Nullable (OPTIONAL) or not (REQUIRED).
    public let optional: Bool
    /// Strings only: dictionary-encode (good for low-cardinality text such as region names).
    public let dictionary: Bool

    public init(_ name: String, _ kind: Kind, optional: Bool = true, dictionary: Bool = false) {
        self.name = name
        self.kind = kind
        self.optional = optional
        self.dictionary = dictionary && kind == .string
    }
}

/// One cell. Integers of every integer kind, timestamps included, are `.int`.
public enum ParquetValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case string(String)
}

public struct ParquetError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// Streams rows into a Parquet file: rows are buffered per column until `endRowGroup()` (or
/// `close()`), written as one row group, and dropped, so memory holds one row group at most.
public final class ParquetWriter {
    public enum Codec: Int32, Sendable { case uncompressed = 0, gzip = 2 }

    public struct Options: Sendable {
        public var codec: Codec = .gzip
        /// Min/max/null-count statistics and the column orders that make readers trust them.
        public var statistics = true
        /// `"<app> version <x.y.z> (build <id>)"`: parquet-java ignores string statistics otherwise.
        public var createdBy = "publish version 0.1.0 (build sirekap)"
        public var metadata: [(key: String, value: String)] = []
        public init() {}
    }

    private let columns: [ParquetColumn]
    private let options: Options
    private let handle: FileHandle
    private var offset: Int64 = 0
    private var buffers: [ColumnBuffer]
    private var rowGroups: [RowGroupMeta] = []
    private var rowsInGroup = 0
    private var totalRows: Int64 = 0

    public init(path: String, columns: [ParquetColumn], options: Options = Options()) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw ParquetError(description: "cannot create \(path)")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        self.columns = columns
        self.options = options
        buffers = columns.map { ColumnBuffer(column: $0) }
        try write(Array("PAR1".utf8))
    }

    public func append(_ row: [ParquetValue]) throws {
        guard row.count == columns.count else {
            throw ParquetError(description: "a row of \(row.count) values for \(columns.count) columns")
        }
        for index in row.indices { try buffers[index].append(row[index]) }
        rowsInGroup += 1
    }

    /// Writes the buffered rows as one row group (nothing if there are none).
    public func endRowGroup() throws {
        guard rowsInGroup > 0 else { return }
        var chunks: [ChunkMeta] = []
        for index in buffers.indices {
            chunks.append(try writeChunk(buffers[index]))
            buffers[index] = ColumnBuffer(column: columns[index])
        }
        rowGroups.append(RowGroupMeta(chunks: chunks, rows: Int64(rowsInGroup)))
        totalRows += Int64(rowsInGroup)
        rowsInGroup = 0
    }

    /// Writes what is buffered and the footer, and closes the file.
    public func close() throws {
        try endRowGroup()
        var footer = ThriftWriter()
        footer.i32(1, 1)
        footer.structList(2, [nil] + columns.map { Optional($0) }) { writer, column in
            guard let column else {
                writer.string(4, "schema")
                writer.i32(5, Int32(self.columns.count))
                return
            }
            ParquetWriter.schemaElement(column, into: &writer)
        }
        footer.i64(3, totalRows)
        footer.structList(4, rowGroups) { writer, group in
            writer.structList(1, group.chunks) { writer, chunk in
                writer.i64(2, 0)
                writer.structure(3) { self.columnMetaData(chunk, into: &$0) }
            }
            writer.i64(2, group.chunks.reduce(0) { $0 + $1.uncompressedSize })
            writer.i64(3, group.rows)
            writer.i64(5, group.chunks.first.map { $0.dictionaryOffset ?? $0.dataOffset } ?? 0)
            writer.i64(6, group.chunks.reduce(0) { $0 + $1.compressedSize })
        }
        if !options.metadata.isEmpty {
            footer.structList(5, options.metadata) { writer, pair in
                writer.string(1, pair.key)
                writer.string(2, pair.value)
            }
        }
        footer.string(6, options.createdBy)
        if options.statistics {
            // TYPE_ORDER for every leaf: without it pyarrow ignores min and max.
            footer.structList(7, columns) { writer, _ in writer.structure(1) { _ in } }
        }
        footer.stop()
        try write(footer.bytes)
        var length = UInt32(footer.bytes.count).littleEndian
        try write(withUnsafeBytes(of: &length) { Array($0) })
        try write(Array("PAR1".utf8))
        try handle.close()
    }

    // MARK: Schema

    static func schemaElement(_ column: ParquetColumn, into writer: inout ThriftWriter) {
        writer.i32(1, column.kind.physicalType)
        writer.i32(3, column.optional ? 1 : 0)
        writer.string(4, column.name)
        switch column.kind {
        case .string:
            writer.i32(6, 0)  // UTF8
            writer.structure(10) { $0.structure(1) { _ in } }  // STRING
        case .timestampMicrosUTC:
            writer.i32(6, 10)  // TIMESTAMP_MICROS
            writer.structure(10) { logical in
                logical.structure(8) { timestamp in
                    timestamp.bool(1, true)
                    timestamp.structure(2) { $0.structure(2) { _ in } }  // MICROS
                }
            }
        default:
            break
        }
    }

    func columnMetaData(_ chunk: ChunkMeta, into writer: inout ThriftWriter) {
        writer.i32(1, chunk.physicalType)
        writer.i32List(2, chunk.dictionaryOffset == nil ? [0, 3] : [0, 3, 8])
        writer.stringList(3, [chunk.name])
        writer.i32(4, options.codec.rawValue)
        writer.i64(5, chunk.values)
        writer.i64(6, chunk.uncompressedSize)
        writer.i64(7, chunk.compressedSize)
        writer.i64(9, chunk.dataOffset)
        if let dictionaryOffset = chunk.dictionaryOffset { writer.i64(11, dictionaryOffset) }
        if options.statistics, let stats = chunk.statistics {
            writer.structure(12) { s in
                s.i64(3, stats.nulls)
                if let max = stats.max { s.binary(5, max) }
                if let min = stats.min { s.binary(6, min) }
            }
        }
    }

    // MARK: Pages

    struct ChunkMeta {
        let name: String
        let physicalType: Int32
        let values: Int64
        let dataOffset: Int64
        let dictionaryOffset: Int64?
        let uncompressedSize: Int64
        let compressedSize: Int64
        let statistics: ColumnBuffer.Statistics?
    }

    struct RowGroupMeta {
        let chunks: [ChunkMeta]
        let rows: Int64
    }

    private func writeChunk(_ buffer: ColumnBuffer) throws -> ChunkMeta {
        var uncompressed: Int64 = 0
        var compressed: Int64 = 0
        var dictionaryOffset: Int64?
        var valueBytes: [UInt8]
        var encoding: Int32 = 0
        if let dictionary = buffer.dictionaryEncoding() {
            dictionaryOffset = offset
            let (u, c) = try writePage(dictionary.page, header: { size, compressedSize in
                var h = ThriftWriter()
                h.i32(1, 2)  // DICTIONARY_PAGE
                h.i32(2, Int32(size))
                h.i32(3, Int32(compressedSize))
                h.structure(7) { d in
                    d.i32(1, Int32(dictionary.count))
                    d.i32(2, 0)  // PLAIN
                }
                h.stop()
                return h.bytes
            })
            uncompressed += u
            compressed += c
            valueBytes = dictionary.indices
            encoding = 8
        } else {
            valueBytes = buffer.plainValues()
        }
        let dataOffset = offset
        var payload: [UInt8] = []
        if buffer.column.optional {
            let levels = RLE.encode(buffer.definitionLevels, bitWidth: 1)
            var length = UInt32(levels.count).littleEndian
            payload += withUnsafeBytes(of: &length) { Array($0) }
            payload += levels
        }
        payload += valueBytes
        let count = buffer.count
        let (u, c) = try writePage(payload, header: { size, compressedSize in
            var h = ThriftWriter()
            h.i32(1, 0)  // DATA_PAGE
            h.i32(2, Int32(size))
            h.i32(3, Int32(compressedSize))
            h.structure(5) { d in
                d.i32(1, Int32(count))  // nulls included
                d.i32(2, encoding)
                d.i32(3, 3)  // RLE definition levels
                d.i32(4, 3)  // RLE repetition levels (none written: flat schema)
            }
            h.stop()
            return h.bytes
        })
        uncompressed += u
        compressed += c
        return ChunkMeta(name: buffer.column.name, physicalType: buffer.physicalType, values: Int64(count),
                         dataOffset: dataOffset, dictionaryOffset: dictionaryOffset,
                         uncompressedSize: uncompressed, compressedSize: compressed, statistics: buffer.statistics)
    }

    /// Writes header + (compressed) payload; returns the sizes including the header, as the
    /// column metadata must count them.
    private func writePage(_ payload: [UInt8], header: (Int, Int) -> [UInt8]) throws -> (Int64, Int64) {
        let body = options.codec == .gzip ? try Gzip.compress(payload) : payload
        let head = header(payload.count, body.count)
        try write(head)
        try write(body)
        return (Int64(head.count + payload.count), Int64(head.count + body.count))
    }

    private func write(_ bytes: [UInt8]) throws {
        try handle.write(contentsOf: bytes)
        offset += Int64(bytes.count)
    }
}

/// The values of one column in the current row group.
///
/// Strings are kept as one contiguous byte buffer with end offsets, not an array per value: a
/// province's row group holds up to 140,000 rows, and an allocation per string cell was most of
/// the writer's memory. Dictionary columns keep only the distinct values and one index per row.
struct ColumnBuffer {
    let column: ParquetColumn
    var definitionLevels: [UInt8] = []
    var ints: [Int64] = []
    var doubles: [Double] = []
    var bools: [Bool] = []
    /// Non-dictionary strings: their bytes back to back, and where each one ends.
    var stringBytes: [UInt8] = []
    var stringEnds: [Int] = []
    /// Dictionary strings: distinct values in first-seen order, and each row's index.
    var dictionaryIDs: [[UInt8]: UInt32] = [:]
    var dictionaryValues: [[UInt8]] = []
    var dictionaryIndices: [UInt32] = []
    var count = 0

    init(column: ParquetColumn) { self.column = column }

    var physicalType: Int32 { column.kind.physicalType }

    /// Number of non-null strings held.
    var stringCount: Int { column.dictionary ? dictionaryIndices.count : stringEnds.count }

    /// Calls `body` with each non-null string, in row order.
    func forEachString(_ body: (ArraySlice<UInt8>) -> Void) {
        if column.dictionary {
            for index in dictionaryIndices { body(dictionaryValues[Int(index)][...]) }
        } else {
            var start = 0
            for end in stringEnds {
                body(stringBytes[start..<end])
                start = end
            }
        }
    }

    mutating func append(_ value: ParquetValue) throws {
        count += 1
        if case .null = value {
            guard column.optional else { throw ParquetError(description: "null in required column \(column.name)") }
            definitionLevels.append(0)
            return
        }
        if column.optional { definitionLevels.append(1) }
        switch (column.kind, value) {
        case (.int32, .int(let n)):
            guard n >= Int64(Int32.min) && n <= Int64(Int32.max) else {
                throw ParquetError(description: "\(n) does not fit the INT32 column \(column.name)")
            }
            ints.append(n)
        case (.int64, .int(let n)), (.timestampMicrosUTC, .int(let n)): ints.append(n)
        case (.double, .double(let d)):
            guard !d.isNaN else { throw ParquetError(description: "NaN in column \(column.name)") }
            doubles.append(d)
        case (.boolean, .bool(let b)): bools.append(b)
        case (.string, .string(let s)):
            if column.dictionary {
                let bytes = Array(s.utf8)
                if let id = dictionaryIDs[bytes] {
                    dictionaryIndices.append(id)
                } else {
                    let id = UInt32(dictionaryValues.count)
                    dictionaryIDs[bytes] = id
                    dictionaryValues.append(bytes)
                    dictionaryIndices.append(id)
                }
            } else {
                stringBytes.append(contentsOf: s.utf8)
                stringEnds.append(stringBytes.count)
            }
        default: throw ParquetError(description: "\(value) does not fit the column \(column.name)")
        }
    }

    func plainValues() -> [UInt8] {
        var out: [UInt8] = []
        switch column.kind {
        case .int32:
            out.reserveCapacity(ints.count * 4)
            for n in ints { withUnsafeBytes(of: Int32(n).littleEndian) { out += $0 } }
        case .int64, .timestampMicrosUTC:
            out.reserveCapacity(ints.count * 8)
            for n in ints { withUnsafeBytes(of: n.littleEndian) { out += $0 } }
        case .double:
            out.reserveCapacity(doubles.count * 8)
            for d in doubles { withUnsafeBytes(of: d.bitPattern.littleEndian) { out += $0 } }
        case .boolean:
            out = [UInt8](repeating: 0, count: (bools.count + 7) / 8)
            for (i, b) in bools.enumerated() where b { out[i / 8] |= 1 << (i % 8) }
        case .string:
            out.reserveCapacity(stringBytes.count + 4 * stringCount)
            forEachString { ParquetWriterPlain.appendByteArray($0, to: &out) }
        }
        return out
    }

    struct Dictionary {
        let page: [UInt8]
        let count: Int
        /// Bit width byte + RLE runs of the non-null values' indices.
        let indices: [UInt8]
    }

    /// Dictionary encoding for a string column, unless the dictionary would be too large to pay.
    func dictionaryEncoding() -> Dictionary? {
        guard column.dictionary, dictionaryValues.count <= 65_536 else { return nil }
        var page: [UInt8] = []
        for value in dictionaryValues { ParquetWriterPlain.appendByteArray(value[...], to: &page) }
        let width = dictionaryValues.count <= 1 ? 0 : (Int.bitWidth - (dictionaryValues.count - 1).leadingZeroBitCount)
        return Dictionary(page: page, count: dictionaryValues.count, indices: [UInt8(width)] + RLE.encode(dictionaryIndices, bitWidth: width))
    }

    struct Statistics {
        let nulls: Int64
        let min: [UInt8]?
        let max: [UInt8]?
    }

    /// Min and max in the column's sort order: signed for numbers, unsigned bytes for strings.
    var statistics: Statistics? {
        let nulls = Int64(definitionLevels.filter { $0 == 0 }.count)
        switch column.kind {
        case .int32:
            guard let lo = ints.min(), let hi = ints.max() else { return Statistics(nulls: nulls, min: nil, max: nil) }
            return Statistics(nulls: nulls, min: withUnsafeBytes(of: Int32(lo).littleEndian) { Array($0) },
                              max: withUnsafeBytes(of: Int32(hi).littleEndian) { Array($0) })
        case .int64, .timestampMicrosUTC:
            guard let lo = ints.min(), let hi = ints.max() else { return Statistics(nulls: nulls, min: nil, max: nil) }
            return Statistics(nulls: nulls, min: withUnsafeBytes(of: lo.littleEndian) { Array($0) },
                              max: withUnsafeBytes(of: hi.littleEndian) { Array($0) })
        case .double:
            guard let lo = doubles.min(), let hi = doubles.max() else { return Statistics(nulls: nulls, min: nil, max: nil) }
            // -0.0 and +0.0 compare equal: the spec asks writers to widen the bounds over both.
            let low = lo == 0 ? -0.0 : lo, high = hi == 0 ? 0.0 : hi
            return Statistics(nulls: nulls, min: withUnsafeBytes(of: low.bitPattern.littleEndian) { Array($0) },
                              max: withUnsafeBytes(of: high.bitPattern.littleEndian) { Array($0) })
        case .boolean:
            guard !bools.isEmpty else { return Statistics(nulls: nulls, min: nil, max: nil) }
            return Statistics(nulls: nulls, min: [bools.allSatisfy { $0 } ? 1 : 0], max: [bools.contains(true) ? 1 : 0])
        case .string:
            guard stringCount > 0 else { return Statistics(nulls: nulls, min: nil, max: nil) }
            var lo: ArraySlice<UInt8>?, hi: ArraySlice<UInt8>?
            // For a dictionary column the distinct values decide min and max.
            let visit: (ArraySlice<UInt8>) -> Void = { value in
                if lo == nil || value.lexicographicallyPrecedes(lo!) { lo = value }
                if hi == nil || hi!.lexicographicallyPrecedes(value) { hi = value }
            }
            if column.dictionary { dictionaryValues.forEach { visit($0[...]) } } else { forEachString(visit) }
            return Statistics(nulls: nulls, min: Array(lo!), max: Array(hi!))
        }
    }
}

enum ParquetWriterPlain {
    static func appendByteArray(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) {
        withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { out += $0 }
        out += bytes
    }
}

/// The RLE/bit-packing hybrid, written as RLE runs only (legal, and simple to get right).
enum RLE {
    static func encode<T: BinaryInteger>(_ values: [T], bitWidth: Int) -> [UInt8] {
        var out: [UInt8] = []
        let valueBytes = (bitWidth + 7) / 8
        var index = 0
        while index < values.count {
            var end = index + 1
            while end < values.count && values[end] == values[index] && end - index < (1 << 30) { end += 1 }
            var header = UInt64(end - index) << 1
            while header >= 0x80 {
                out.append(UInt8(header & 0x7F) | 0x80)
                header >>= 7
            }
            out.append(UInt8(header))
            var value = UInt64(values[index])
            for _ in 0..<valueBytes {
                out.append(UInt8(value & 0xFF))
                value >>= 8
            }
            index = end
        }
        return out
    }
}

/// GZIP (RFC 1952) through the system zlib: Parquet's GZIP codec is a gzip member, not a zlib stream.
enum Gzip {
    static func compress(_ input: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        guard czlib_deflate_init_gzip(&stream, 6) == Z_OK else { throw ParquetError(description: "zlib init failed") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        var input = input
        let status = input.withUnsafeMutableBytes { source in
            output.withUnsafeMutableBytes { target in
                stream.next_in = source.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(target.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw ParquetError(description: "zlib deflate failed (\(status))") }
        return Array(output.prefix(Int(stream.total_out)))
    }
}
