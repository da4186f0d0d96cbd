/// A Mustache renderer for the site's templates, written here instead of using a package.
///
/// Why by hand: at national scale (about 915,000 pages) the build must stay close to the cost of
/// writing the files. hummingbird-project/swift-mustache, which the site used first, spent about
/// 400 µs of CPU per TPS page, most of it in Swift's dynamic protocol casts while looking names up
/// (measured with perf on the corpus build), which alone is several times the file-output floor.
/// This renderer compiles each template once into a node tree, looks names up in typed
/// contexts (`TemplateValue`, no casts), and escapes at the byte level into one output buffer.
///
/// The subset it implements is the one `docs/publication.md` documents: `{{name}}` (HTML-escaped),
/// `{{{name}}}` and `{{& name}}` (raw), dotted names, `{{.}}`, sections `{{#name}}`, inverted
/// sections `{{^name}}`, partials `{{> name}}`, comments `{{! ...}}`, and `first()` / `last()`
/// inside a list. Standalone section, partial and comment tags take their line with them, as the
/// Mustache specification says. Empty strings, `false`, nil and empty lists are false.
public struct MustacheTemplate: Sendable {
    indirect enum Node: Sendable {
        case text([UInt8])
        case variable(path: Path, escaped: Bool)
        case section(path: Path, inverted: Bool, children: [Node])
        case partial(String)
    }

    /// A tag's name, resolved when the template is compiled rather than at every lookup.
    enum Path: Sendable {
        /// `{{.}}`: the current item.
        case current
        /// `first()` and `last()`: the position in the innermost list.
        case first, last
        /// `a.b.c`, each part with its fingerprint (`TemplateObject.fingerprint`).
        case names([(name: String, fingerprint: UInt64)])
    }

    let nodes: [Node]

    public struct ParseError: Error, CustomStringConvertible {
        public let line: Int
        public let column: Int
        public let message: String
        public var description: String { "\(line):\(column): \(message)" }
    }

    public init(_ text: String) throws(ParseError) {
        nodes = try MustacheParser(Array(text.utf8)).parse()
    }

    /// Partial names the template refers to (to check they exist when templates load).
    var partials: [String] {
        func collect(_ nodes: [Node]) -> [String] {
            nodes.flatMap { node -> [String] in
                switch node {
                case .partial(let name): [name]
                case .section(_, _, let children): collect(children)
                default: []
                }
            }
        }
        return collect(nodes)
    }
}

/// Turns template bytes into nodes.
struct MustacheParser {
    enum Token {
        case text([UInt8])
        case tag(kind: UInt8, name: String, offset: Int)
    }

    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func position(_ offset: Int) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for byte in bytes[..<min(offset, bytes.count)] {
            if byte == 0x0A { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }

    func error(_ message: String, at offset: Int) -> MustacheTemplate.ParseError {
        let (line, column) = position(offset)
        return MustacheTemplate.ParseError(line: line, column: column, message: message)
    }

    func tokens() throws(MustacheTemplate.ParseError) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        var textStart = 0
        let open: [UInt8] = [0x7B, 0x7B], close: [UInt8] = [0x7D, 0x7D]
        while index + 1 < bytes.count {
            guard bytes[index] == open[0], bytes[index + 1] == open[1] else {
                index += 1
                continue
            }
            if textStart < index { tokens.append(.text(Array(bytes[textStart..<index]))) }
            let tagStart = index
            var inner = index + 2
            var kind: UInt8 = 0
            var closing = close
            if inner < bytes.count, [UInt8(ascii: "#"), UInt8(ascii: "^"), UInt8(ascii: "/"), UInt8(ascii: ">"),
                                     UInt8(ascii: "!"), UInt8(ascii: "&"), UInt8(ascii: "{"), UInt8(ascii: "=")].contains(bytes[inner]) {
                kind = bytes[inner]
                inner += 1
                if kind == UInt8(ascii: "{") { closing = [0x7D, 0x7D, 0x7D] }
            }
            guard kind != UInt8(ascii: "=") else { throw error("delimiter changes are not supported", at: tagStart) }
            var end = inner
            while end + closing.count <= bytes.count, !bytes[end..<(end + closing.count)].elementsEqual(closing) { end += 1 }
            guard end + closing.count <= bytes.count else { throw error("unclosed tag", at: tagStart) }
            let name = Self.trimmed(String(decoding: bytes[inner..<end], as: UTF8.self))
            if kind != UInt8(ascii: "!") && name.isEmpty { throw error("empty tag", at: tagStart) }
            tokens.append(.tag(kind: kind, name: name, offset: tagStart))
            index = end + closing.count
            textStart = index
        }
        if textStart < bytes.count { tokens.append(.text(Array(bytes[textStart...]))) }
        return Self.markStandalone(tokens)
    }

    /// A section, inverted, closing, partial or comment tag alone on its line (only spaces or tabs
    /// around it) takes the line's indentation and line ending with it. Which tags are alone is
    /// decided on the untouched tokens first; the trimming follows.
    static func markStandalone(_ original: [Token]) -> [Token] {
        let eligible: Set<UInt8> = [UInt8(ascii: "#"), UInt8(ascii: "^"), UInt8(ascii: "/"), UInt8(ascii: ">"), UInt8(ascii: "!")]
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }
        func text(_ index: Int) -> [UInt8]? {
            if case .text(let bytes) = original[index] { return bytes }
            return nil
        }
        var standalone: [Int] = []
        for index in original.indices {
            guard case .tag(let kind, _, _) = original[index], eligible.contains(kind) else { continue }
            let lineStartsHere: Bool
            if index == 0 {
                lineStartsHere = true
            } else if let previous = text(index - 1) {
                if let newline = previous.lastIndex(of: 0x0A) {
                    lineStartsHere = previous[(newline + 1)...].allSatisfy(isBlank)
                } else {
                    lineStartsHere = index - 1 == 0 && previous.allSatisfy(isBlank)
                }
            } else {
                lineStartsHere = false
            }
            let lineEndsHere: Bool
            if index == original.count - 1 {
                lineEndsHere = true
            } else if let next = text(index + 1) {
                if let newline = next.firstIndex(of: 0x0A) {
                    lineEndsHere = next[..<newline].allSatisfy(isBlank)
                } else {
                    lineEndsHere = index + 1 == original.count - 1 && next.allSatisfy(isBlank)
                }
            } else {
                lineEndsHere = false
            }
            if lineStartsHere && lineEndsHere { standalone.append(index) }
        }
        var tokens = original
        for index in standalone {
            if index > 0, case .text(var previous) = tokens[index - 1] {
                while let last = previous.last, last == 0x20 || last == 0x09 { previous.removeLast() }
                tokens[index - 1] = .text(previous)
            }
            if index + 1 < tokens.count, case .text(let next) = tokens[index + 1] {
                var start = 0
                while start < next.count, isBlank(next[start]) { start += 1 }
                if start < next.count, next[start] == 0x0A { start += 1 }
                tokens[index + 1] = .text(Array(next[start...]))
            }
        }
        return tokens
    }

    func parse() throws(MustacheTemplate.ParseError) -> [MustacheTemplate.Node] {
        var stack: [(name: String, inverted: Bool, offset: Int, nodes: [MustacheTemplate.Node])] = [("", false, 0, [])]
        for token in try tokens() {
            switch token {
            case .text(let text):
                if !text.isEmpty { stack[stack.count - 1].nodes.append(.text(text)) }
            case .tag(let kind, let name, let offset):
                switch kind {
                case UInt8(ascii: "!"):
                    break
                case UInt8(ascii: "#"), UInt8(ascii: "^"):
                    stack.append((name, kind == UInt8(ascii: "^"), offset, []))
                case UInt8(ascii: "/"):
                    guard stack.count > 1, let open = stack.last, open.name == name else {
                        throw error("`{{/\(name)}}` closes a section that is not open" + (stack.count > 1 ? " (open: `\(stack.last!.name)`)" : ""), at: offset)
                    }
                    stack.removeLast()
                    stack[stack.count - 1].nodes.append(.section(path: Self.path(name), inverted: open.inverted, children: open.nodes))
                case UInt8(ascii: ">"):
                    stack[stack.count - 1].nodes.append(.partial(name))
                case UInt8(ascii: "&"), UInt8(ascii: "{"):
                    stack[stack.count - 1].nodes.append(.variable(path: Self.path(name), escaped: false))
                default:
                    stack[stack.count - 1].nodes.append(.variable(path: Self.path(name), escaped: true))
                }
            }
        }
        guard stack.count == 1 else { throw error("section `\(stack.last!.name)` is never closed", at: stack.last!.offset) }
        return stack[0].nodes
    }

    static func trimmed(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(text[first...last])
    }

    /// `a.b.c` -> the names a, b and c; `.` -> the current item.
    static func path(_ name: String) -> MustacheTemplate.Path {
        switch name {
        case ".": .current
        case "first()": .first
        case "last()": .last
        default: .names(name.split(separator: ".").map { (String($0), TemplateObject.fingerprint(String($0))) })
        }
    }
}

/// Renders compiled templates against `TemplateObject` contexts.
struct MustacheRenderer {
    let templates: [String: MustacheTemplate]

    struct State {
        /// The context stack: the page's object first, then each section's value.
        var frames: [TemplateValue]
        /// Position in the innermost list being iterated, for `first()` and `last()`.
        var position: (index: Int, count: Int)?
    }

    func render(_ name: String, _ context: TemplateObject) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16_384)
        var state = State(frames: [.object(context)], position: nil)
        if let template = templates[name] { render(template.nodes, &state, into: &out) }
        return out
    }

    func render(_ nodes: [MustacheTemplate.Node], _ state: inout State, into out: inout [UInt8]) {
        for node in nodes {
            switch node {
            case .text(let bytes):
                out.append(contentsOf: bytes)
            case .variable(let path, let escaped):
                guard let value = lookup(path, state) else { continue }
                append(value, escaped: escaped, into: &out)
            case .partial(let name):
                if let template = templates[name] { render(template.nodes, &state, into: &out) }
            case .section(let path, let inverted, let children):
                let value = lookup(path, state)
                if inverted {
                    if !(value?.isTruthy ?? false) { render(children, &state, into: &out) }
                    continue
                }
                guard let value, value.isTruthy else { continue }
                switch value {
                case .list(let list):
                    let saved = state.position
                    for (index, item) in list.enumerated() {
                        state.frames.append(item)
                        state.position = (index, list.count)
                        render(children, &state, into: &out)
                        state.frames.removeLast()
                    }
                    state.position = saved
                case .flag:
                    render(children, &state, into: &out)
                default:
                    state.frames.append(value)
                    render(children, &state, into: &out)
                    state.frames.removeLast()
                }
            }
        }
    }

    /// The value a dotted name stands for: its first part looked up from the innermost frame
    /// out, the rest inside what was found. A name set to null hides the same name further out.
    func lookup(_ path: MustacheTemplate.Path, _ state: State) -> TemplateValue? {
        let names: [(name: String, fingerprint: UInt64)]
        switch path {
        case .current: return state.frames.last
        case .first: return .flag(state.position.map { $0.index == 0 } ?? false)
        case .last: return .flag(state.position.map { $0.index == $0.count - 1 } ?? false)
        case .names(let parts): names = parts
        }
        var found: TemplateValue?
        var level = state.frames.count - 1
        while level >= 0 {
            if case .object(let object) = state.frames[level], let value = object.value(names[0].name, names[0].fingerprint) {
                found = value
                break
            }
            level -= 1
        }
        for part in names.dropFirst() {
            guard case .object(let object)? = found else { return nil }
            found = object.value(part.name, part.fingerprint)
        }
        if case .null? = found { return nil }
        return found
    }

    /// Text, numbers and flags print; lists and objects print nothing.
    func append(_ value: TemplateValue, escaped: Bool, into out: inout [UInt8]) {
        switch value {
        case .text(var text):
            text.withUTF8 { escaped ? Self.escape($0, into: &out) : out.append(contentsOf: $0) }
        case .number(let number):
            out.append(contentsOf: String(number).utf8)
        case .flag(let flag):
            out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null, .list, .object:
            break
        }
    }

    /// HTML escaping of `& < > " '`, copying runs of ordinary bytes in one go.
    static func escape(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var runStart = 0
        for index in 0..<bytes.count {
            let replacement: StaticString
            switch bytes[index] {
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "\""): replacement = "&quot;"
            case UInt8(ascii: "'"): replacement = "&#39;"
            default: continue
            }
            if runStart < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
            replacement.withUTF8Buffer { out.append(contentsOf: $0) }
            runStart = index + 1
        }
        if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
    }
}
