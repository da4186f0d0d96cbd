import Foundation

/// Why a saved file cannot be read as what its path says it is. The text names the place in
/// the file (line and column for broken JSON, the key path for a value of the wrong type).
public struct FormatError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Decoding of raw API bytes with errors a person can act on.
///
/// Foundation's `JSONDecoder` does the parsing (strict about types: a string where a count belongs
/// is an error, which is what we want); this only turns its errors into precise messages.
public enum RawJSON {
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(FormatError) -> T {
        if data.isEmpty { throw FormatError("the file is empty") }
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw FormatError("the file holds only white space")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw FormatError(describe(error, data: data))
        } catch {
            throw FormatError("\(error)")
        }
    }

    static func describe(_ error: DecodingError, data: Data) -> String {
        switch error {
        case .typeMismatch(let type, let context):
            return "\(at(context)): expected \(name(of: type)), found \(found(context))"
        case .valueNotFound(let type, let context):
            return "\(at(context)): expected \(name(of: type)), found null"
        case .keyNotFound(let key, let context):
            let path = context.codingPath.isEmpty ? "the top-level object" : "\(at(context))"
            return "\(path): required key \"\(key.stringValue)\" is missing"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                // Foundation also says "not valid JSON" for a fraction where an integer belongs.
                if let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
                   let path = firstNonInteger(in: object, path: "") {
                    return "at \(path.dropFirst()): expected an integer, found a fraction or an out-of-range number"
                }
                return "not valid JSON" + syntaxLocation(in: data)
            }
            return "\(at(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    /// Path of the first number that cannot be an integer count. `persen` is KPU's rounded
    /// percentage and legitimately fractional, so it is passed over.
    static func firstNonInteger(in object: Any, path: String) -> String? {
        if let dictionary = object as? [String: Any] {
            for key in dictionary.keys.sorted() where key != "persen" {
                if let found = firstNonInteger(in: dictionary[key]!, path: path + "." + quotedKey(key)) { return found }
            }
        } else if let array = object as? [Any] {
            for (index, item) in array.enumerated() {
                if let found = firstNonInteger(in: item, path: path + "[\(index)]") { return found }
            }
        } else if let number = object as? NSNumber, !(object is Bool) {
            let value = number.doubleValue
            if value != value.rounded() || abs(value) >= 9.2e18 { return path }
        }
        return nil
    }

    static func quotedKey(_ text: String) -> String {
        let plain = text.first.map { $0.isLetter || $0 == "_" } ?? false
            && text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
        return plain ? text : "\"\(text)\""
    }

    /// `chart."100025"`-style path of the offending value.
    static func at(_ context: DecodingError.Context) -> String {
        let parts = context.codingPath.map { key -> String in
            if let index = key.intValue { return "[\(index)]" }
            return "." + quotedKey(key.stringValue)
        }
        let joined = parts.joined()
        return joined.hasPrefix(".") ? "at " + joined.dropFirst() : (joined.isEmpty ? "at the top level" : "at " + joined)
    }

    static func name(of type: Any.Type) -> String {
        switch type {
        case is Int.Type: "an integer"
        case is Double.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        default:
            "\(type)".contains("Dictionary") ? "an object" : ("\(type)".contains("Array") ? "an array" : "\(type)")
        }
    }

    static func found(_ context: DecodingError.Context) -> String {
        // Foundation says e.g. "Expected to decode Int but found a string instead."
        let text = context.debugDescription
        if let range = text.range(of: "but found ") {
            return text[range.upperBound...].replacingOccurrences(of: " instead.", with: "")
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        return text
    }

    /// Line and column of a syntax error. `JSONDecoder` reports none, so ask `JSONSerialization`,
    /// which names a character offset, and count lines up to it.
    static func syntaxLocation(in data: Data) -> String {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return ""
        } catch {
            let message = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            if message.contains("end of file") || message.contains("Unexpected end") {
                return " (it ends too early: truncated?)"
            }
            guard let range = message.range(of: "character "),
                  let offset = Int(message[range.upperBound...].prefix(while: \.isNumber))
            else { return " (\(message))" }
            var line = 1, column = 1
            for byte in data.prefix(offset) {
                if byte == 0x0A { line += 1; column = 1 } else { column += 1 }
            }
            let detail = message.replacingOccurrences(of: " around character \(offset)", with: "")
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
            return " at line \(line), column \(column) (\(detail))"
        }
    }
}

/// A coding key for objects whose keys are data (candidate ids, child region codes).
struct DynamicKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

extension KeyedDecodingContainer where K == DynamicKey {
    /// Rejects keys a schema does not know, so that a changed API format is noticed, not half-read.
    func rejectUnknownKeys(allowed: Set<String>) throws {
        for key in allKeys where !allowed.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: codingPath + [key],
                debugDescription: "unexpected key \"\(key.stringValue)\" (not in the Sirekap format)"
            ))
        }
    }

    func ts(_ name: String) throws -> KPUTimestamp {
        let key = DynamicKey(name)
        let text = try decode(String.self, forKey: key)
        guard let ts = KPUTimestamp(text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: codingPath + [key],
                debugDescription: "\"\(text)\" is not a KPU timestamp (YYYY-MM-DD HH:MM:SS)"
            ))
        }
        return ts
    }

    func optional<T: Decodable>(_ type: T.Type, _ name: String) throws -> T? {
        try decodeIfPresent(T.self, forKey: DynamicKey(name))
    }

    func required<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        try decode(T.self, forKey: DynamicKey(name))
    }

    /// A key that must be present but may be null.
    func nullable<T: Decodable>(_ type: T.Type, _ name: String) throws -> T? {
        let key = DynamicKey(name)
        guard contains(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: ""))
        }
        return try decodeNil(forKey: key) ? nil : decode(T.self, forKey: key)
    }
}
