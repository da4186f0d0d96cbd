// Written by hand because no Swift Parquet writer runs on Linux (the one Swift library found
// compresses only on Apple platforms). It writes the small, widely read subset of the format:
// data page v1, PLAIN values, RLE_DICTIONARY strings, RLE definition levels, min/max statistics
// with column orders, LogicalType and ConvertedType both, and SNAPPY or GZIP through the system
// libsnappy and zlib.
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
    /// Dictionary-encode: strings (good for low-cardinality text such as region names) and
    /// INT32/INT64 (counts); a chunk whose dictionary would not pay is written PLAIN.
    public let dictionary: Bool

    public init(_ name: String, _ kind: Kind, optional: Bool = true, dictionary: Bool = false) {
        self.name = name
        self.kind = kind
        self.optional = optional
        self.dictionary = dictionary && [.string, .int32, .int64].contains(kind)
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

/// How pages are compressed, and what the file says about itself.
public struct ParquetOptions: Sendable {
    public enum Codec: Int32, Sendable { case uncompressed = 0, snappy = 1, gzip = 2 }

    public var codec: Codec = .gzip
    /// zlib level for GZIP pages.
    public var gzipLevel: Int32 = 6
    /// Min/max/null-count statistics and the column orders that make readers trust them.
    public var statistics = true
    /// `"<app> version <x.y.z> (build <id>)"`: parquet-java ignores string statistics otherwise.
    public var createdBy = "publish version 0.1.0 (build sirekap)"
    public var metadata: [(key: String, value: String)] = []
    /// Threads that compress a row group's column chunks; the bytes do not depend on it.
    public var threads = 1
    public init() {}
}
