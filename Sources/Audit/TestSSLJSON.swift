import Foundation

/// testssl.sh JSON, in either of its layouts: `--jsonfile` (a flat array of findings) or
/// `--jsonfile-pretty` (an object with the invocation and findings grouped by section).
public struct TestSSLReport: Sendable, Equatable {
    public var version: String?
    public var invocation: String?
    public var startTime: String?
    public var items: [Item]

    public struct Item: Sendable, Equatable {
        /// The pretty layout's section (`protocols`, `serverDefaults`, ...); nil in the flat layout.
        public var section: String?
        public var id: String
        /// `host/address` as testssl.sh writes it.
        public var target: String?
        public var port: String?
        /// `OK`, `INFO`, `LOW`, `MEDIUM`, `HIGH`, `CRITICAL`, or `WARN`/`FATAL` for scan problems.
        public var severity: String
        public var finding: String
        public var cve: String?
    }

    public static func parse(_ bytes: [UInt8]) throws(EvidenceParseError) -> TestSSLReport {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw EvidenceParseError("not JSON (\((error as NSError).userInfo[NSDebugDescriptionErrorKey] ?? error))")
        }
        if let array = json as? [Any] {
            return TestSSLReport(version: nil, invocation: nil, startTime: nil,
                                 items: try array.enumerated().map { index, value throws(EvidenceParseError) in
                                     try item(value, section: nil, at: "[\(index)]")
                                 })
        }
        guard let object = json as? [String: Any], let results = object["scanResult"] as? [Any] else {
            throw EvidenceParseError("neither a testssl.sh finding array nor an object with scanResult")
        }
        var report = TestSSLReport(version: object["version"] as? String, invocation: object["Invocation"] as? String,
                                   startTime: (object["startTime"] as? String) ?? (object["startTime"] as? NSNumber)?.stringValue,
                                   items: [])
        for (index, value) in results.enumerated() {
            guard let result = value as? [String: Any] else { throw EvidenceParseError("scanResult[\(index)] is not an object") }
            let target = [result["targetHost"] as? String, result["ip"] as? String].compactMap { $0 }.joined(separator: "/")
            let port = result["port"] as? String
            // Sections are the keys whose values are lists of findings; their order is fixed by name so
            // the page does not depend on how the JSON library orders keys.
            for section in result.keys.sorted() {
                guard let list = result[section] as? [Any] else { continue }
                for (position, entry) in list.enumerated() {
                    var found = try item(entry, section: section, at: "scanResult[\(index)].\(section)[\(position)]")
                    found.target = found.target ?? target
                    found.port = found.port ?? port
                    report.items.append(found)
                }
            }
        }
        return report
    }

    static func item(_ value: Any, section: String?, at path: String) throws(EvidenceParseError) -> Item {
        guard let object = value as? [String: Any], let id = object["id"] as? String, let finding = object["finding"] as? String else {
            throw EvidenceParseError("\(path): a finding needs string `id` and `finding`")
        }
        return Item(section: section, id: id, target: object["ip"] as? String, port: object["port"] as? String,
                    severity: (object["severity"] as? String) ?? "", finding: finding, cve: object["cve"] as? String)
    }
}
