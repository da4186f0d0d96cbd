import SirekapFormat

/// A JSON document built in a fixed key order, serialised the same way every time.
///
/// Twins are read by tools and diffed between builds: key order follows the domain (code, name,
/// then numbers), nulls are written out (a missing result is `null`, not an absent key), and the
/// bytes depend on nothing but the values.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.serialized() == rhs.serialized() }

    public static func optional(_ value: Int?) -> JSONValue { value.map(JSONValue.int) ?? .null }
    public static func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    public static func optional(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }

    public func serialized() -> String {
        String(decoding: bytes(), as: UTF8.self)
    }

    /// The serialisation as UTF-8 bytes, built in one buffer (the twins are written as bytes).
    public func bytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        write(into: &out)
        return out
    }

    /// The serialisation and a final newline: a twin's file.
    public func file() -> [UInt8] {
        var out = bytes()
        out.append(0x0A)
        return out
    }

    func write(into out: inout [UInt8]) {
        var writer = JSONWriter(out: out)
        out = []
        writer.value(self)
        out = writer.out
    }

    /// The bytes `quote` escapes: quotes, backslashes and control characters (one table load per
    /// byte instead of three compares; the twins quote every key and string they write).
    static let escapes: [Bool] = (0..<256).map { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }

    /// JSON string escaping at the byte level: runs of ordinary bytes (UTF-8 included) are copied
    /// in one go; quotes, backslashes and control characters are escaped.
    static func quote(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        let escapes = self.escapes  // read once: a static's every access is a call
        text.withUTF8 { bytes in
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard escapes[Int(byte)] else { continue }
                if runStart < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
                case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
                case UInt8(ascii: "\r"): out.append(contentsOf: "\\r".utf8)
                case UInt8(ascii: "\t"): out.append(contentsOf: "\\t".utf8)
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(hex[Int(byte >> 4)])
                    out.append(hex[Int(byte & 0x0f)])
                }
                runStart = index + 1
            }
            if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Writes JSON straight into bytes, member after member, in the same form as `JSONValue` (no
/// spaces, keys in the order written). The TPS twins use it directly: building a `JSONValue` tree
/// per page and walking it again was a quarter of a TPS page's time (perf, Jawa Barat build).
public struct JSONWriter {
    public var out: [UInt8]
    /// Whether the next value or key follows another in the same array or object.
    private var needsComma = false

    public init(out: [UInt8] = []) { self.out = out }

    private mutating func beginValue() {
        if needsComma { out.append(UInt8(ascii: ",")) }
        needsComma = true
    }

    public mutating func key(_ name: String) {
        beginValue()
        JSONValue.quote(name, into: &out)
        out.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// A key quoted once beforehand, colon included (`quotedKey`): for keys written on every page.
    public mutating func key(quoted bytes: [UInt8]) {
        beginValue()
        out.append(contentsOf: bytes)
        needsComma = false
    }

    /// `"name":`, the bytes `key(_:)` writes, for `key(quoted:)`.
    public static func quotedKey(_ name: String) -> [UInt8] {
        var bytes: [UInt8] = []
        JSONValue.quote(name, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        return bytes
    }

    public mutating func object(_ members: (inout JSONWriter) -> Void) {
        container(UInt8(ascii: "{"), UInt8(ascii: "}"), members)
    }

    public mutating func array(_ items: (inout JSONWriter) -> Void) {
        container(UInt8(ascii: "["), UInt8(ascii: "]"), items)
    }

    private mutating func container(_ open: UInt8, _ close: UInt8, _ body: (inout JSONWriter) -> Void) {
        beginValue()
        out.append(open)
        needsComma = false
        body(&self)
        out.append(close)
        needsComma = true
    }

    public mutating func null() {
        beginValue()
        out.append(contentsOf: "null".utf8)
    }

    public mutating func bool(_ flag: Bool) {
        beginValue()
        out.append(contentsOf: (flag ? "true" : "false").utf8)
    }

    public mutating func int(_ number: Int) {
        beginValue()
        DecimalText.append(number, to: &out)
    }

    public mutating func int(_ number: Int?) {
        if let number { int(number) } else { null() }
    }

    public mutating func double(_ number: Double) {
        beginValue()
        // KPU's percentages: print the shortest form that reads back as the same double.
        let text = number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) + ".0" : "\(number)"
        out.append(contentsOf: text.utf8)
    }

    public mutating func string(_ text: String) {
        beginValue()
        JSONValue.quote(text, into: &out)
    }

    public mutating func string(_ text: String?) {
        if let text { string(text) } else { null() }
    }

    /// A value serialised before (by a `JSONWriter`), copied as it is.
    public mutating func raw(_ bytes: [UInt8]) {
        beginValue()
        out.append(contentsOf: bytes)
    }

    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .int(let number): int(number)
        case .double(let number): double(number)
        case .string(let text): string(text)
        case .array(let items): array { writer in for item in items { writer.value(item) } }
        case .object(let members):
            object { writer in
                for (name, member) in members {
                    writer.key(name)
                    writer.value(member)
                }
            }
        }
    }
}
