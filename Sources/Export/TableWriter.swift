import Parquet

/// Writes one table as Parquet from the same typed cells as its CSV.
public final class ParquetTableWriter {
    private let writer: ParquetWriter
    private let schema: [TableColumn]

    public init(path: String, schema: [TableColumn], metadata: [(key: String, value: String)]) throws {
        self.schema = schema
        writer = try ParquetWriter(path: path, columns: ParquetTableWriter.parquetColumns(schema),
                                   options: ParquetTableWriter.options(metadata: metadata))
    }

    /// Every Parquet download's settings. Snappy, the codec pyarrow, DuckDB and Spark write by
    /// default: it compresses the national TPS table several times faster than GZIP at zlib's
    /// fastest level, and readers decompress it faster, for a file about half as large again.
    /// `threads`: column chunks compressed side by side (the bytes are the same for any number).
    public static func options(metadata: [(key: String, value: String)], threads: Int = 1) -> ParquetOptions {
        var options = ParquetOptions()
        options.codec = .snappy
        options.metadata = metadata
        options.threads = threads
        return options
    }

    /// The Parquet columns of a table's schema.
    static func parquetColumns(_ schema: [TableColumn]) -> [ParquetColumn] {
        schema.map { column in
            switch column.kind {
            // Counts as 64-bit integers: whatever KPU published fits, nothing is ever narrowed.
            case .integer: ParquetColumn(column.name, .int64, dictionary: true)
            case .number: ParquetColumn(column.name, .double)
            case .boolean: ParquetColumn(column.name, .boolean)
            case .datetime: ParquetColumn(column.name, .timestampMicrosUTC)
            case .string: ParquetColumn(column.name, .string, dictionary: column.repetitive)
            }
        }
    }

    public func append(_ cells: [Cell]) throws {
        try writer.append(cells.map { cell in
            switch cell {
            case .null: .null
            case .int(let n): .int(Int64(n))
            case .text(let s): .string(s)
            case .bool(let b): .bool(b)
            case .timestamp(let seconds): .int(Int64(seconds) * 1_000_000)
            case .number(let d): .double(d)
            }
        })
    }

    public func endRowGroup() throws { try writer.endRowGroup() }
    public func close() throws { try writer.close() }
}
