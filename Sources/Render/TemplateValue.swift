/// A value a template can show: what page contexts are made of.
///
/// A closed set of cases rather than `Any`, so that the renderer looks names up and decides what
/// a section does with a `switch`, never with a dynamic cast: with `[String: Any]` contexts the
/// casts were most of a TPS page's rendering time (perf, Jawa Barat build, 2026-11-26).
public enum TemplateValue: Sendable {
    case null
    case flag(Bool)
    case number(Int)
    case text(String)
    case list([TemplateValue])
    case object(TemplateObject)

    /// A list of objects, the shape of every repeated section.
    public static func objects(_ objects: [TemplateObject]) -> TemplateValue {
        .list(objects.map(TemplateValue.object))
    }

    /// Mustache truthiness: empty text, `false`, null and empty lists are false.
    var isTruthy: Bool {
        switch self {
        case .null: false
        case .flag(let flag): flag
        case .text(let text): !text.isEmpty
        case .list(let list): !list.isEmpty
        case .number, .object: true
        }
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByStringInterpolation, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(stringInterpolation: DefaultStringInterpolation) { self = .text(String(stringInterpolation: stringInterpolation)) }
    public init(integerLiteral value: Int) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .flag(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) { self = .object(TemplateObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}

/// Named values, in the order they were set. Pages have a few dozen names at most, so a name is
/// found by comparing it with each, fingerprint first: no table to build per page, and a 64-bit
/// compare instead of a string compare for every name passed over (string compares of unequal
/// names were most of the template lookups' time). One array of fields, so an object costs one
/// allocation (a TPS page builds about sixty objects).
public struct TemplateObject: Sendable, ExpressibleByDictionaryLiteral {
    struct Field: Sendable {
        let fingerprint: UInt64
        let name: String
        var value: TemplateValue
    }

    private var fields: [Field]

    public init() { fields = [] }

    init(_ pairs: [(String, TemplateValue)]) {
        // A literal names each key once (a repeated one is a mistake in our code): no search for
        // an earlier field, and debug builds check.
        assert(Set(pairs.map(\.0)).count == pairs.count, "a template object literal repeats a key")
        fields = pairs.map { Field(fingerprint: TemplateObject.fingerprint($0.0), name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, TemplateValue)...) { self.init(elements) }

    /// A hash of the name's UTF-8, eight bytes at a time: equal names have equal fingerprints; a
    /// match is confirmed by comparing the names themselves. (Every key of every object a page
    /// builds is fingerprinted, about 240 a TPS page: a byte-at-a-time hash was 4% of its time.)
    static func fingerprint(_ name: String) -> UInt64 {
        var name = name
        return name.withUTF8 { bytes in
            var hash: UInt64 = 0x9e37_79b9_7f4a_7c15 ^ UInt64(bytes.count)
            var index = 0
            while index + 8 <= bytes.count {
                hash = (hash ^ UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)) &* 0xff51_afd7_ed55_8ccd
                hash ^= hash >> 29
                index += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count {
                tail |= UInt64(bytes[index]) << shift
                shift += 8
                index += 1
            }
            hash = (hash ^ tail) &* 0xc4ce_b9fe_1a85_ec53
            return hash ^ (hash >> 32)
        }
    }

    private func index(of name: String, _ fingerprint: UInt64) -> Int? {
        fields.withUnsafeBufferPointer { fields in
            for index in fields.indices where fields[index].fingerprint == fingerprint && fields[index].name == name { return index }
            return nil
        }
    }

    /// The value of a name whose fingerprint the caller computed once (templates do, when compiled).
    func value(_ name: String, _ fingerprint: UInt64) -> TemplateValue? {
        index(of: name, fingerprint).map { fields[$0].value }
    }

    /// Setting a name again replaces its value; setting nil removes it.
    public subscript(name: String) -> TemplateValue? {
        get { value(name, TemplateObject.fingerprint(name)) }
        set {
            let fingerprint = TemplateObject.fingerprint(name)
            if let index = index(of: name, fingerprint) {
                if let newValue { fields[index].value = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                fields.append(Field(fingerprint: fingerprint, name: name, value: newValue))
            }
        }
    }
}
