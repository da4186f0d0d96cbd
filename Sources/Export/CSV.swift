/// RFC 4180 CSV: CRLF line ends, fields quoted only when they hold a comma, quote, CR or LF,
/// quotes doubled. A nil field is an empty cell (null), distinct from no row at all.
public enum CSV {
    public static func field(_ value: String?) -> String {
        guard let value else { return "" }
        let needsQuotes = value.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func row(_ fields: [String?]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }
}
