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

    /// The text, or null for nil (a missing value renders as nothing and is false).
    public init(_ text: String?) {
        self = text.map(TemplateValue.text) ?? .null
    }

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
/// found by comparing it with each: cheaper than hashing it, and no table to build per page.
public struct TemplateObject: Sendable, ExpressibleByDictionaryLiteral {
    private var fields: [(name: String, value: TemplateValue)]

    public init() { fields = [] }

    init(_ pairs: [(String, TemplateValue)]) {
        // Literals name each key once (the compiler checks), so no search for an earlier one.
        fields = pairs.map { (name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, TemplateValue)...) { self.init(elements) }

    /// Setting a name again replaces its value; setting nil removes it.
    public subscript(name: String) -> TemplateValue? {
        get {
            for field in fields where field.name == name { return field.value }
            return nil
        }
        set {
            if let index = fields.firstIndex(where: { $0.name == name }) {
                if let newValue { fields[index].value = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                fields.append((name, newValue))
            }
        }
    }
}
