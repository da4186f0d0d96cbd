import Foundation

/// A Parquet file written a row group at a time: the magic, each encoded row group as it
/// comes, then the footer. Memory holds the footer's metadata only.
public final class ParquetFile {
    public let path: String
    private let columns: [ParquetColumn]
    private let options: ParquetOptions
    private let handle: FileHandle
    private var offset: Int64 = 0
    private var rowGroups: [(chunks: [ChunkMeta], rows: Int64)] = []
    private var totalRows: Int64 = 0

    /// Creates the file; a file already at `path` is replaced by a new one, never written
    /// through (it may be a hard link to a published copy).
    public init(path: String, columns: [ParquetColumn], options: ParquetOptions = ParquetOptions()) throws {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw ParquetError(description: "cannot replace \(path): \(String(cString: strerror(errno)))")
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ParquetError(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        self.path = path
        self.columns = columns
        self.options = options
        try write(Array("PAR1".utf8))
    }

    /// Appends an encoded row group (made from rows of this file's columns and codec).
    public func write(_ group: EncodedRowGroup) throws {
        guard group.rows > 0 else { return }
        guard group.chunks.map(\.name) == columns.map(\.name), group.codec == options.codec else {
            throw ParquetError(description: "\(path): a row group of other columns or another codec")
        }
        rowGroups.append((group.chunks.map { $0.moved(by: offset) }, Int64(group.rows)))
        totalRows += Int64(group.rows)
        for piece in group.pieces { try write(piece) }
    }

    /// Writes the footer and closes the file.
    public func close() throws {
        var footer = ThriftWriter()
        footer.i32(1, 1)
        footer.structList(2, [nil] + columns.map { Optional($0) }) { writer, column in
            guard let column else {
                writer.string(4, "schema")
                writer.i32(5, Int32(self.columns.count))
                return
            }
            ParquetFile.schemaElement(column, into: &writer)
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
        try write(withUnsafeBytes(of: UInt32(footer.bytes.count).littleEndian) { Array($0) })
        try write(Array("PAR1".utf8))
        try handle.close()
    }

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
        if let stats = chunk.statistics {
            writer.structure(12) { s in
                s.i64(3, stats.nulls)
                if let max = stats.max { s.binary(5, max) }
                if let min = stats.min { s.binary(6, min) }
            }
        }
    }

    private func write(_ bytes: [UInt8]) throws {
        try handle.write(contentsOf: bytes)
        offset += Int64(bytes.count)
    }
}

/// Streams whole rows into a Parquet file: rows are buffered per column until `endRowGroup()`
/// (or `close()`), written as one row group, and dropped, so memory holds one row group at most.
public final class ParquetWriter {
    public typealias Options = ParquetOptions

    private let file: ParquetFile
    private let options: ParquetOptions
    private var group: ParquetRowGroup

    public init(path: String, columns: [ParquetColumn], options: ParquetOptions = ParquetOptions()) throws {
        file = try ParquetFile(path: path, columns: columns, options: options)
        self.options = options
        group = ParquetRowGroup(columns: columns)
    }

    public func append(_ row: [ParquetValue]) throws { try group.append(row) }

    /// Writes the buffered rows as one row group (nothing if there are none).
    public func endRowGroup() throws {
        guard !group.isEmpty else { return }
        try file.write(group.encode(options))
        group = ParquetRowGroup(columns: group.columns)
    }

    /// Writes what is buffered and the footer, and closes the file.
    public func close() throws {
        try endRowGroup()
        try file.close()
    }
}
