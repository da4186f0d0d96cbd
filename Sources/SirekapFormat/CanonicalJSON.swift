import Foundation

/// One fixed serialisation of parsed content, so that two copies of a file saved by different
/// tools (one line, 2-space indent, CRLF, keys re-ordered) compare equal, and a real change does not.
public enum CanonicalJSON {
    public static func encode<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Our own models always encode; a failure here is a programming error, not bad input.
        return try! encoder.encode(value)
    }

    public static func string<T: Encodable>(_ value: T) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }
}
