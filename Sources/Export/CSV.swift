import SirekapFormat

/// RFC 4180 CSV: CRLF line ends, fields quoted only when they hold a comma, quote, CR or LF,
/// quotes doubled. A nil field is an empty cell (null), distinct from no row at all.
public enum CSV {
    public static func field(_ value: String?) -> String {
        guard let value else { return "" }
        let needsQuotes = value.utf8.contains(where: isSpecial)
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A byte that makes a field need quotes: comma, quote, CR or LF.
    static func isSpecial(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D
    }

    /// `isSpecial` of every byte, for scans that run over every cell of the TPS tables.
    static let special: [Bool] = (0..<256).map { isSpecial(UInt8($0)) }

    public static func row(_ fields: [String?]) -> String {
        var out: [UInt8] = []
        append(fields, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends one row to `out`, byte by byte: the same bytes as `row`, without a string per field
    /// (region pages write a CSV of their children, about 92,000 of them).
    public static func append(_ fields: [String?], to out: inout [UInt8]) {
        for (index, value) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            guard var value else { continue }
            value.withUTF8 { bytes in
                guard bytes.contains(where: isSpecial) else { return out.append(contentsOf: bytes) }
                out.append(UInt8(ascii: "\""))
                for byte in bytes {
                    out.append(byte)
                    if byte == UInt8(ascii: "\"") { out.append(byte) }
                }
                out.append(UInt8(ascii: "\""))
            }
        }
        out.append(contentsOf: [0x0D, 0x0A])
    }

    /// Records in CSV text made by `row`: line ends outside quoted fields.
    public static func records(in text: String) -> Int {
        var count = 0
        var quoted = false
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if byte == 0x0A && previous == 0x0D && !quoted { count += 1 }
            previous = byte
        }
        return count
    }
}

/// One CSV row written straight as bytes, field by field, in the form `CSV.row` gives (no string
/// made per number, no array of fields per row).
public struct CSVRowBuffer {
    public private(set) var bytes: [UInt8] = []
    private var fields = 0

    public init() {}

    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        fields = 0
    }

    private mutating func separate() {
        if fields > 0 { bytes.append(UInt8(ascii: ",")) }
        fields += 1
    }

    public mutating func empty() { separate() }

    public mutating func field(_ text: String) {
        var text = text
        text.withUTF8 { field($0) }
    }

    public mutating func field(_ value: UnsafeBufferPointer<UInt8>) {
        separate()
        var plain = true
        CSV.special.withUnsafeBufferPointer { special in  // read once: a static's every access is a call
            for byte in value where special[Int(byte)] {
                plain = false
                break
            }
        }
        guard !plain else {
            bytes.append(contentsOf: value)
            return
        }
        bytes.append(UInt8(ascii: "\""))
        for byte in value {
            if byte == UInt8(ascii: "\"") { bytes.append(byte) }
            bytes.append(byte)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func field(_ value: Int) {
        separate()
        DecimalText.append(value, to: &bytes)
    }

    public mutating func field(_ value: Bool) { field(value ? "true" : "false") }

    public mutating func end() {
        bytes.append(0x0D)
        bytes.append(0x0A)
    }
}
