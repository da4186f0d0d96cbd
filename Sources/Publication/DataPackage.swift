import Export
import Foundation
import Render

/// The publication's machine-readable description of its downloads: a Frictionless Data
/// Package v2 (`/datapackage.json`), `/downloads/SHA256SUMS` in `sha256sum` format, a
/// `/CITATION.cff`, and the schema.org `Dataset` embedded in the downloads page.
struct DataPackage {
    let config: PublicationConfig
    let downloads: [SiteBuild.Download]
    /// Retrieval period of the data, ISO 8601 UTC.
    let period: (first: String, last: String)?

    /// Dates come from the data, never from the build clock, so the same store gives the same bytes.
    var created: String { period?.last ?? "1970-01-01T00:00:00Z" }
    var version: String { String(created.prefix(10)).replacingOccurrences(of: "-", with: ".") }
    var name: String { config.demo ? "sirekap-2024-ppwp-demo" : "sirekap-2024-ppwp" }

    func url(_ path: String) -> String { (config.baseURL ?? "") + "/" + path }

    var sha256sums: String {
        downloads.map { "\($0.sha256)  \($0.name)\n" }.joined()
    }

    func fieldType(_ kind: TableColumn.Kind) -> String {
        switch kind {
        case .integer: "integer"
        case .number: "number"
        case .string: "string"
        case .boolean: "boolean"
        case .datetime: "datetime"
        }
    }

    var json: JSONValue {
        var sources: [(String, JSONValue)] = [
            ("title", .string("KPU Sirekap public JSON (hitung suara, presidential)")),
            ("path", .string("https://sirekap-obj-data.kpu.go.id/")),
        ]
        if let period { sources.append(("description", .string("Retrieved between \(period.first) and \(period.last)."))) }
        let resources: [JSONValue] = downloads.map { file in
            var members: [(String, JSONValue)] = [
                ("name", .string(file.name.lowercased().replacingOccurrences(of: ".", with: "-"))),
                ("path", .string("downloads/" + file.name)),
                ("title", .string(file.description)),
                ("format", .string(file.format)),
                ("mediatype", .string(file.mediatype)),
                ("bytes", .int(file.bytes)),
                ("hash", .string("sha256:" + file.sha256)),
            ]
            if file.format == "csv" { members.append(("encoding", .string("utf-8"))) }
            if let schema = file.schema {
                members.append(("type", .string("table")))
                members.append(("schema", .object([("fields", .array(schema.map { column in
                    .object([("name", .string(column.name)), ("type", .string(fieldType(column.kind))),
                             ("description", .string(column.description))])
                }))])))
            }
            return .object(members)
        }
        return .object([
            ("$schema", .string("https://datapackage.org/profiles/2.0/datapackage.json")),
            ("name", .string(name)),
            ("title", .string(config.title)),
            ("description", .string(config.description.isEmpty ? "Indonesia's 2024 presidential real count (Sirekap), per TPS." : config.description)),
            ("version", .string(version)),
            ("created", .string(created)),
            ("homepage", .string(url(""))),
            ("licenses", .array([.object([
                ("name", .string("other-pd")),
                ("title", .string(config.license.isEmpty ? "Public information published by KPU (UU 14/2008 on public information)" : config.license)),
            ])])),
            ("sources", .array([.object(sources)])),
            ("resources", .array(resources)),
        ])
    }

    var citation: String {
        func quoted(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        return """
            cff-version: 1.2.0
            message: "If you use these data, please cite them as below, with the page URL, version (ts) and SHA-256 of the figures you use."
            type: dataset
            title: \(quoted(config.title))
            version: \(quoted(version))
            date-released: \(quoted(String(created.prefix(10))))
            url: \(quoted(url("")))
            authors:
              - name: \(quoted(config.title))
            abstract: \(quoted(config.description))
            keywords:
              - Sirekap
              - Pemilu 2024
              - election
              - Indonesia
            references:
              - type: data
                title: "Sirekap public JSON (KPU)"
                url: "https://sirekap-obj-data.kpu.go.id/"
                authors:
                  - name: "Komisi Pemilihan Umum (KPU)"

            """
    }

    /// schema.org `Dataset`, for the downloads page. `<` is escaped so the text can never close
    /// the script element it sits in.
    var jsonLD: String {
        let value: JSONValue = .object([
            ("@context", .string("https://schema.org")),
            ("@type", .string("Dataset")),
            ("name", .string(config.title)),
            ("description", .string(config.description)),
            ("url", .string(url("downloads/"))),
            ("version", .string(version)),
            ("dateModified", .string(created)),
            ("license", .string(config.license)),
            ("isBasedOn", .string("https://sirekap-obj-data.kpu.go.id/")),
            ("distribution", .array(downloads.map { file in
                .object([
                    ("@type", .string("DataDownload")),
                    ("name", .string(file.name)),
                    ("encodingFormat", .string(file.mediatype)),
                    ("contentUrl", .string(url("downloads/" + file.name))),
                    ("contentSize", .string("\(file.bytes) B")),
                    ("sha256", .string(file.sha256)),
                ])
            })),
        ])
        return value.serialized().replacingOccurrences(of: "<", with: "\\u003c")
    }
}
