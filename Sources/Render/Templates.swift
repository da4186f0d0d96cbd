import Foundation
import Mustache

/// The user-editable page templates in `Templates/` (Mustache; `{{name}}` is HTML-escaped,
/// so values from the data always come out as text).
public struct Templates: Sendable {
    let library: MustacheLibrary

    /// The templates every build needs.
    public static let required = [
        "home", "region", "tps", "downloads", "anomalies", "anomaly-list", "methodology", "methodology-en", "_head", "_foot",
        "audit", "audit-finding", "audit-domain", "audit-legal", "_attribution",
    ]

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(folder: String) throws(LoadError) {
        var library = MustacheLibrary()
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".mustache") }.sorted()
        } catch {
            throw LoadError(description: "\(folder): cannot read the templates folder (\(error.localizedDescription))")
        }
        for file in names {
            let path = folder + "/" + file
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw LoadError(description: "\(path): cannot read (\(error.localizedDescription))")
            }
            do {
                try library.register(text, named: String(file.dropLast(".mustache".count)))
            } catch let error as MustacheTemplate.ParserError {
                throw LoadError(description: "\(path):\(error.context.lineNumber):\(error.context.columnNumber): "
                    + "template error: \(error.error)")
            } catch {
                throw LoadError(description: "\(path): template error: \(error)")
            }
        }
        for name in Templates.required where library.getTemplate(named: name) == nil {
            throw LoadError(description: "\(folder)/\(name).mustache: missing (every build needs it)")
        }
        self.library = library
    }

    public func render(_ name: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: name) ?? ""
    }
}
