import SirekapFormat

/// A Mustache renderer for the site's templates, written here instead of using a package.
///
/// Why by hand: at national scale (about 915,000 pages) the build must stay close to the cost of
/// writing the files. hummingbird-project/swift-mustache, which the site used first, spent about
/// 400 µs of CPU per TPS page, most of it in Swift's dynamic protocol casts while looking names up
/// (measured with perf on the corpus build), which alone is several times the file-output floor.
/// This renderer compiles each template once into a flat list of instructions over one buffer of
/// text (a tree of boxed nodes, walked at first, was retained and released at every node of every
/// page), looks names up in typed contexts (`TemplateValue`, no casts), and escapes at the byte
/// level into one output buffer.
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

    /// One instruction of the compiled template. A section's instructions follow it, up to `end`.
    struct Op: Sendable {
        enum Kind: UInt8, Sendable { case text, escaped, raw, section, inverted, partial }
        let kind: Kind
        /// Text: its offset in `text`; variables and sections: their index in `paths`; a partial:
        /// its index in `partialNames`.
        let operand: Int32
        /// Text: its length; a section: the index of the first instruction after it.
        let end: Int32
    }

    /// A compiled name: `.`, `first()`, `last()`, or `count` parts of `names` from `start`. Plain
    /// values, so that reading one while rendering retains nothing.
    struct CompiledPath: Sendable {
        enum Kind: UInt8, Sendable { case current, first, last, names }
        let kind: Kind
        let start: Int32
        let count: Int32
    }

    let ops: [Op]
    /// Every text run of the template, one after the other.
    let text: [UInt8]
    let paths: [CompiledPath]
    /// The parts of every dotted name, one after the other.
    let names: [(name: String, fingerprint: UInt64)]
    let partialNames: [String]

    public struct ParseError: Error, CustomStringConvertible {
        public let line: Int
        public let column: Int
        public let message: String
        public var description: String { "\(line):\(column): \(message)" }
    }

    public init(_ text: String) throws(ParseError) {
        var ops: [Op] = []
        var bytes: [UInt8] = []
        var paths: [CompiledPath] = []
        var names: [(name: String, fingerprint: UInt64)] = []
        var partialNames: [String] = []
        func add(_ path: Path) {
            switch path {
            case .current: paths.append(CompiledPath(kind: .current, start: 0, count: 0))
            case .first: paths.append(CompiledPath(kind: .first, start: 0, count: 0))
            case .last: paths.append(CompiledPath(kind: .last, start: 0, count: 0))
            case .names(let parts):
                paths.append(CompiledPath(kind: .names, start: Int32(names.count), count: Int32(parts.count)))
                names += parts
            }
        }
        func compile(_ nodes: [Node]) {
            for node in nodes {
                switch node {
                case .text(let run):
                    ops.append(Op(kind: .text, operand: Int32(bytes.count), end: Int32(run.count)))
                    bytes += run
                case .variable(let path, let escaped):
                    ops.append(Op(kind: escaped ? .escaped : .raw, operand: Int32(paths.count), end: 0))
                    add(path)
                case .partial(let name):
                    ops.append(Op(kind: .partial, operand: Int32(partialNames.count), end: 0))
                    partialNames.append(name)
                case .section(let path, let inverted, let children):
                    let index = ops.count, pathIndex = Int32(paths.count)
                    ops.append(Op(kind: .text, operand: 0, end: 0))  // replaced once the section's end is known
                    add(path)
                    compile(children)
                    ops[index] = Op(kind: inverted ? .inverted : .section, operand: pathIndex, end: Int32(ops.count))
                }
            }
        }
        compile(try MustacheParser(Array(text.utf8)).parse())
        self.ops = ops
        self.text = bytes
        self.paths = paths
        self.names = names
        self.partialNames = partialNames
    }

    /// Partial names the template refers to (to check they exist when templates load).
    var partials: [String] { partialNames }
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
        if let template = templates[name] { render(template, &state, into: &out) }
        return out
    }

    func render(_ template: MustacheTemplate, _ state: inout State, into out: inout [UInt8]) {
        template.ops.withUnsafeBufferPointer { ops in
            template.text.withUnsafeBufferPointer { text in
                run(ops, 0, ops.count, text: text, template, &state, into: &out)
            }
        }
    }

    /// Runs the instructions `start..<end` of `template` (whose ops and text the caller holds).
    func run(_ ops: UnsafeBufferPointer<MustacheTemplate.Op>, _ start: Int, _ end: Int, text: UnsafeBufferPointer<UInt8>,
             _ template: MustacheTemplate, _ state: inout State, into out: inout [UInt8]) {
        var index = start
        while index < end {
            let op = ops[index]
            index += 1
            switch op.kind {
            case .text:
                out.append(contentsOf: UnsafeBufferPointer(rebasing: text[Int(op.operand)..<Int(op.operand + op.end)]))
            case .escaped, .raw:
                guard let value = lookup(template, Int(op.operand), state) else { continue }
                append(value, escaped: op.kind == .escaped, into: &out)
            case .partial:
                if let partial = templates[template.partialNames[Int(op.operand)]] { render(partial, &state, into: &out) }
            case .inverted:
                if !(lookup(template, Int(op.operand), state)?.isTruthy ?? false) {
                    run(ops, index, Int(op.end), text: text, template, &state, into: &out)
                }
                index = Int(op.end)
            case .section:
                let body = index
                index = Int(op.end)
                guard let value = lookup(template, Int(op.operand), state), value.isTruthy else { continue }
                switch value {
                case .list(let list):
                    let saved = state.position
                    for (position, item) in list.enumerated() {
                        state.frames.append(item)
                        state.position = (position, list.count)
                        run(ops, body, index, text: text, template, &state, into: &out)
                        state.frames.removeLast()
                    }
                    state.position = saved
                case .flag:
                    run(ops, body, index, text: text, template, &state, into: &out)
                default:
                    state.frames.append(value)
                    run(ops, body, index, text: text, template, &state, into: &out)
                    state.frames.removeLast()
                }
            }
        }
    }

    /// The value the template's name `index` stands for: its first part looked up from the
    /// innermost frame out, the rest inside what was found. A name set to null hides the same
    /// name further out.
    func lookup(_ template: MustacheTemplate, _ index: Int, _ state: State) -> TemplateValue? {
        let path = template.paths[index]
        switch path.kind {
        case .current: return state.frames.last
        case .first: return .flag(state.position.map { $0.index == 0 } ?? false)
        case .last: return .flag(state.position.map { $0.index == $0.count - 1 } ?? false)
        case .names: break
        }
        return template.names.withUnsafeBufferPointer { names in
            let first = names[Int(path.start)]
            var found: TemplateValue?
            var level = state.frames.count - 1
            while level >= 0 {
                if case .object(let object) = state.frames[level], let value = object.value(first.name, first.fingerprint) {
                    found = value
                    break
                }
                level -= 1
            }
            var part = Int(path.start) + 1
            while part < Int(path.start + path.count) {
                guard case .object(let object)? = found else { return nil }
                found = object.value(names[part].name, names[part].fingerprint)
                part += 1
            }
            if case .null? = found { return nil }
            return found
        }
    }

    /// Text, numbers and flags print; lists and objects print nothing.
    func append(_ value: TemplateValue, escaped: Bool, into out: inout [UInt8]) {
        switch value {
        case .text(var text):
            text.withUTF8 { escaped ? Self.escape($0, into: &out) : out.append(contentsOf: $0) }
        case .number(let number):
            DecimalText.append(number, to: &out)
        case .flag(let flag):
            out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null, .list, .object:
            break
        }
    }

    /// The bytes `escape` replaces.
    static let escapes: [Bool] = (0..<256).map { [UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"),
                                                  UInt8(ascii: "\""), UInt8(ascii: "'")].contains(UInt8($0)) }

    /// HTML escaping of `& < > " '`, copying runs of ordinary bytes in one go.
    static func escape(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var runStart = 0
        let escapes = self.escapes  // read once: a static's every access is a call
        for index in 0..<bytes.count {
            // One table load per byte: nearly every byte is an ordinary one.
            guard escapes[Int(bytes[index])] else { continue }
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
