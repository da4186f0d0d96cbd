import Foundation
import Yams

/// A problem in the audit inputs, named by file and, where known, line.
public struct AuditProblem: Error, Sendable, CustomStringConvertible, Equatable {
    public let file: String
    public let line: Int?
    public let message: String

    public init(file: String, line: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        file + (line.map { ":\($0)" } ?? "") + ": " + message
    }
}

/// The keys a YAML document may use, so a misspelt optional key is an error instead of silently
/// dropped (Codable ignores keys it does not know).
indirect enum YAMLShape: Sendable {
    case mapping([String: YAMLShape])
    case list(YAMLShape)
    case scalar
    /// Any value (a bilingual text block, say, checked by its decoder).
    case any

    static let localized = YAMLShape.mapping(["id": .scalar, "en": .scalar])
}

/// One step of a path into a YAML document.
enum YAMLPathPart: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case key(String)
    case index(Int)

    init(stringLiteral value: String) { self = .key(value) }
    init(integerLiteral value: Int) { self = .index(value) }
}

/// Reads a YAML file into a Decodable type with errors that name the file and the line.
enum YAMLFile {
    static func decode<T: Decodable>(_ type: T.Type, path: String, shape: YAMLShape) throws(AuditProblem) -> T {
        try decodeWithNode(type, path: path, shape: shape).value
    }

    /// The decoded value and the document's node tree, for checks that report lines after decoding.
    static func decodeWithNode<T: Decodable>(_ type: T.Type, path: String, shape: YAMLShape) throws(AuditProblem) -> (value: T, node: Node) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw AuditProblem(file: path, "cannot read as UTF-8 text (\(error.localizedDescription))")
        }
        let node: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else { throw AuditProblem(file: path, "the file is empty") }
            node = composed
        } catch let problem as AuditProblem {
            throw problem
        } catch let error as YamlError {
            throw problem(error, path: path)
        } catch {
            throw AuditProblem(file: path, "not YAML (\(error))")
        }
        try check(node, against: shape, path: path, at: [])
        do {
            return (try YAMLDecoder().decode(T.self, from: node), node)
        } catch let error as DecodingError {
            throw problem(error, node: node, path: path)
        } catch {
            throw AuditProblem(file: path, "\(error)")
        }
    }

    static func problem(_ error: YamlError, path: String) -> AuditProblem {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            AuditProblem(file: path, line: mark.line, "YAML syntax: \(problem) (column \(mark.column))")
        default:
            AuditProblem(file: path, "YAML: \(error)")
        }
    }

    /// Unknown keys, reported at their own line.
    static func check(_ node: Node, against shape: YAMLShape, path: String, at keyPath: [String]) throws(AuditProblem) {
        switch (shape, node) {
        case (.any, _), (.scalar, .scalar):
            return
        case (.mapping(let keys), .mapping(let mapping)):
            for (key, value) in mapping {
                let name = key.string ?? "?"
                guard let inner = keys[name] else {
                    let known = keys.keys.sorted().joined(separator: ", ")
                    throw AuditProblem(file: path, line: key.mark?.line,
                                       "unknown key `\(name)`\(location(keyPath)); expected one of: \(known)")
                }
                try check(value, against: inner, path: path, at: keyPath + [name])
            }
        case (.list(let element), .sequence(let sequence)):
            for (index, value) in sequence.enumerated() {
                try check(value, against: element, path: path, at: keyPath + ["[\(index)]"])
            }
        case (.scalar, _):
            throw AuditProblem(file: path, line: node.mark?.line, "\(keyPathText(keyPath)) should be a single value")
        case (.mapping, _):
            throw AuditProblem(file: path, line: node.mark?.line, "\(keyPathText(keyPath)) should be a mapping of keys to values")
        case (.list, _):
            throw AuditProblem(file: path, line: node.mark?.line, "\(keyPathText(keyPath)) should be a list")
        }
    }

    /// The line of the value at `keyPath` (keys and list indexes), or of the deepest part that exists.
    static func line(of keyPath: [YAMLPathPart], in node: Node) -> Int? {
        var current = node
        var line = node.mark?.line
        for part in keyPath {
            switch part {
            case .key(let key):
                guard let value = current.mapping?[key] else { return line }
                current = value
            case .index(let index):
                guard let sequence = current.sequence, index < sequence.count else { return line }
                current = sequence[index]
            }
            line = current.mark?.line ?? line
        }
        return line
    }

    static func location(_ keyPath: [String]) -> String {
        keyPath.isEmpty ? "" : " in `\(keyPathText(keyPath))`"
    }

    static func keyPathText(_ keyPath: [String]) -> String {
        keyPath.isEmpty ? "the document" : keyPath.reduce("") { $0.isEmpty || $1.hasPrefix("[") ? $0 + $1 : $0 + "." + $1 }
    }

    /// A decoding error at the line of the value it concerns (or of the mapping missing a key).
    static func problem(_ error: DecodingError, node: Node, path: String) -> AuditProblem {
        let (codingPath, message): ([CodingKey], String) = switch error {
        case .keyNotFound(let key, let context): (context.codingPath, "missing required key `\(key.stringValue)`")
        case .typeMismatch(_, let context): (context.codingPath, context.debugDescription)
        case .valueNotFound(_, let context): (context.codingPath, "a value is required")
        case .dataCorrupted(let context): (context.codingPath, context.debugDescription)
        @unknown default: ([], "\(error)")
        }
        var current = node
        var line = node.mark?.line
        var names: [String] = []
        for key in codingPath {
            if let index = key.intValue, let sequence = current.sequence, index < sequence.count {
                current = sequence[index]
                names.append("[\(index)]")
            } else if let value = current.mapping?[key.stringValue] {
                current = value
                names.append(key.stringValue)
            } else {
                break
            }
            line = current.mark?.line ?? line
        }
        let subject = names.isEmpty ? "" : "`\(keyPathText(names))`: "
        return AuditProblem(file: path, line: line, subject + message)
    }
}
