import Foundation

/// The user-editable page templates in `Templates/` (Mustache; `{{name}}` is HTML-escaped,
/// so values from the data always come out as text).
public struct Templates: Sendable {
    let renderer: MustacheRenderer

    /// The templates every build needs.
    public static let required = [
        "home", "region", "tps", "downloads", "anomalies", "anomaly-list", "methodology", "methodology-en", "_head", "_foot",
        "audit", "audit-finding", "audit-domain", "audit-legal", "_attribution",
    ]

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(folder: String) throws(LoadError) {
        var compiled: [String: MustacheTemplate] = [:]
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
                compiled[String(file.dropLast(".mustache".count))] = try MustacheTemplate(text)
            } catch {
                throw LoadError(description: "\(path):\(error.line):\(error.column): template error: \(error.message)")
            }
        }
        for name in Templates.required where compiled[name] == nil {
            throw LoadError(description: "\(folder)/\(name).mustache: missing (every build needs it)")
        }
        for (name, template) in compiled.sorted(by: { $0.key < $1.key }) {
            for partial in template.partials where compiled[partial] == nil {
                throw LoadError(description: "\(folder)/\(name).mustache: uses the partial `\(partial)`, "
                    + "but \(folder)/\(partial).mustache does not exist")
            }
        }
        renderer = MustacheRenderer(templates: compiled)
    }

    /// The page's bytes (UTF-8), ready for the file.
    public func render(_ name: String, _ context: TemplateObject) -> [UInt8] {
        renderer.render(name, context)
    }
}
