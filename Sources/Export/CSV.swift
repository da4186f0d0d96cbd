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

    public static func row(_ fields: [String?]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
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
