import Crypto
import Foundation
import Yams

/// The audit inputs of a publication, read and verified: `audit/findings/*.yaml`, the raw files
/// under `audit/evidence/`, the dated reference tables under `audit/reference/`, and
/// `audit/legal.yaml`. Loading checks everything and reports every problem at once; a publication
/// that loads is one whose every evidence file matches its recorded SHA-256 and parses.
public struct AuditPublication: Sendable {
    public let folder: String
    /// In id order.
    public let findings: [VerifiedFinding]
    public let references: [VerifiedReference]
    public let legal: LegalContext

    public var evidenceFolder: String { folder + "/evidence" }

    /// The problems that stop a load, each naming its file.
    public struct Problems: Error, Sendable, CustomStringConvertible {
        public let problems: [AuditProblem]
        public var description: String { problems.map(\.description).joined(separator: "\n") }
    }

    /// Nil when the publication has no `audit/` folder (the section is optional).
    public static func load(publicationFolder: String) throws(Problems) -> AuditPublication? {
        let folder = publicationFolder + "/audit"
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else { return nil }
        return try load(folder: folder)
    }

    public static func load(folder: String) throws(Problems) -> AuditPublication {
        var problems: [AuditProblem] = []
        let references = loadReferences(folder: folder, problems: &problems)
        let legalPath = folder + "/legal.yaml"
        var legal = LegalContext(instruments: [])
        do {
            legal = try YAMLFile.decode(LegalContext.self, path: legalPath, shape: LegalContext.shape)
        } catch {
            problems.append(error)
        }
        let findingsFolder = folder + "/findings"
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: findingsFolder)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        if files.isEmpty { problems.append(AuditProblem(file: findingsFolder, "no finding files (*.yaml)")) }
        var findings: [VerifiedFinding] = []
        var seen: [String: String] = [:]
        for file in files {
            let path = findingsFolder + "/" + file
            let finding: Finding
            let node: Node
            do {
                (finding, node) = try YAMLFile.decodeWithNode(Finding.self, path: path, shape: Finding.shape)
            } catch {
                problems.append(error)
                continue
            }
            if let earlier = seen[finding.id] {
                problems.append(AuditProblem(file: path, "finding id \(finding.id) is also used by \(earlier)"))
                continue
            }
            seen[finding.id] = path
            let found = FindingCheck.problems(in: finding, path: path, fileName: file, node: node)
            problems += found
            guard found.isEmpty else { continue }
            var evidence: [VerifiedEvidence] = []
            for item in finding.evidence {
                switch verify(item, finding: finding, findingPath: path, evidenceFolder: folder + "/evidence") {
                case .success(let verified): evidence.append(verified)
                case .failure(let problem): problems.append(problem)
                }
            }
            findings.append(VerifiedFinding(finding: finding, file: path, evidence: evidence))
        }
        guard problems.isEmpty else { throw Problems(problems: problems) }
        return AuditPublication(folder: folder, findings: findings.sorted { $0.finding.id < $1.finding.id },
                                references: references, legal: legal)
    }

    /// Reads one evidence file, checks its hash against the finding and parses it by type.
    static func verify(_ item: Evidence, finding: Finding, findingPath: String,
                       evidenceFolder: String) -> Result<VerifiedEvidence, AuditProblem> {
        let path = evidenceFolder + "/" + item.path
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(AuditProblem(file: path, "missing: evidence \(item.id) of finding \(finding.id) (\(findingPath))"))
        }
        let bytes = [UInt8](data)
        let actual = Hex.string(SHA256.hash(data: bytes))
        guard actual == item.sha256 else {
            return .failure(AuditProblem(file: path, "SHA-256 is \(actual), but finding \(finding.id) (\(findingPath)) "
                + "records \(item.sha256) for evidence \(item.id): the file changed after it was recorded"))
        }
        do {
            return .success(VerifiedEvidence(item: item, contents: bytes, parsed: try ParsedEvidence.parse(bytes, as: item.type)))
        } catch {
            return .failure(AuditProblem(file: path, "evidence \(item.id) of finding \(finding.id) is declared "
                + "\(item.type.rawValue) but does not parse: \(error.description)"))
        }
    }

    static func loadReferences(folder: String, problems: inout [AuditProblem]) -> [VerifiedReference] {
        let path = folder + "/reference/references.yaml"
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let list: [ReferenceTable]
        do {
            list = try YAMLFile.decode([ReferenceTable].self, path: path, shape: .list(ReferenceTable.shape))
        } catch {
            problems.append(error)
            return []
        }
        var verified: [VerifiedReference] = []
        for table in list {
            let file = folder + "/reference/" + table.file
            guard !table.file.isEmpty, table.file != "SHA256SUMS",
                  table.file.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }), !table.file.hasPrefix(".") else {
                problems.append(AuditProblem(file: path, "reference \(table.id): file must be a plain file name inside reference/ "
                    + "(letters, digits, `.`, `_`, `-`)"))
                continue
            }
            guard table.format == "iptoasn-tsv" else {
                problems.append(AuditProblem(file: path, "reference \(table.id): format `\(table.format)` is not supported (only iptoasn-tsv)"))
                continue
            }
            guard FindingCheck.isWebAddress(table.source), FindingCheck.isDate(table.snapshot) else {
                problems.append(AuditProblem(file: path, "reference \(table.id): source must be an http(s) address and snapshot a date"))
                continue
            }
            guard let data = FileManager.default.contents(atPath: file) else {
                problems.append(AuditProblem(file: file, "missing: reference table \(table.id) listed in \(path)"))
                continue
            }
            let actual = Hex.string(SHA256.hash(data: data))
            guard actual == table.sha256 else {
                problems.append(AuditProblem(file: file, "SHA-256 is \(actual), but \(path) records \(table.sha256) for \(table.id)"))
                continue
            }
            do {
                let parsed = try IPToASNTable.parse(String(decoding: data, as: UTF8.self))
                verified.append(VerifiedReference(table: table, contents: [UInt8](data), lookup: parsed))
            } catch {
                problems.append(AuditProblem(file: file, line: error.line, error.reason))
            }
        }
        return verified
    }

    /// Every domain the findings are about, sorted.
    public var domains: [String] {
        Set(findings.flatMap { $0.finding.subjects.map(\.domain) }).sorted()
    }

    /// Findings about one domain, in id order.
    public func findings(about domain: String) -> [VerifiedFinding] {
        findings.filter { $0.finding.subjects.contains { $0.domain == domain } }
    }

    /// What each reference table says of an address: one line per table, including "not in the table".
    /// Example tables answer only for example findings, real tables only for real ones: a lookup of a
    /// real address in a table of documentation ranges would say nothing and look like an answer.
    public func attribution(of text: String, example: Bool) -> [Attribution] {
        guard let address = IPAddress(text) else { return [] }
        return references.filter { $0.table.example == example }.map { Attribution(reference: $0.table, entry: $0.lookup.lookup(address)) }
    }
}

public struct VerifiedFinding: Sendable {
    public let finding: Finding
    /// The YAML file it came from.
    public let file: String
    public let evidence: [VerifiedEvidence]
}

public struct VerifiedEvidence: Sendable {
    public let item: Evidence
    /// The bytes whose hash was checked: what the site publishes, so it cannot differ from what was verified.
    public let contents: [UInt8]
    public let parsed: ParsedEvidence

    public var bytes: Int { contents.count }
}

/// An evidence file read into its structure, or published as it is.
public enum ParsedEvidence: Sendable {
    case nmap(NmapScan)
    case dig(DigOutput)
    case httpHeaders(HTTPHeaderCapture)
    case certificates(PEMCertificates)
    case testssl(TestSSLReport)
    /// Documents, screenshots and other files: shown by hash and link only.
    case unparsed

    static func parse(_ bytes: [UInt8], as type: Evidence.EvidenceType) throws(EvidenceParseError) -> ParsedEvidence {
        func text() throws(EvidenceParseError) -> String {
            guard let text = String(validating: bytes, as: UTF8.self) else { throw EvidenceParseError("not UTF-8 text") }
            return text
        }
        switch type {
        case .nmapXML: return .nmap(try NmapScan.parse(bytes))
        case .dig: return .dig(try DigOutput.parse(try text()))
        // Servers may send Latin-1 header bytes: read them as ISO-8859-1 rather than refuse the capture.
        case .httpHeaders:
            let text = String(validating: bytes, as: UTF8.self) ?? String(bytes.map { Character(Unicode.Scalar($0)) })
            return .httpHeaders(try HTTPHeaderCapture.parse(text))
        case .pemCertificate: return .certificates(try PEMCertificates.parse(try text()))
        case .testsslJSON: return .testssl(try TestSSLReport.parse(bytes))
        case .document, .screenshot, .other: return .unparsed
        }
    }
}

/// A dated offline table from `audit/reference/references.yaml`.
public struct ReferenceTable: Codable, Sendable {
    public let id: String
    public let file: String
    /// Only `iptoasn-tsv` for now.
    public let format: String
    public let name: String
    /// The date the table describes (`YYYY-MM-DD`).
    public let snapshot: String
    public let source: String
    public let licence: String
    public let sha256: String
    /// True for a table of documentation ranges that only illustrates the format.
    public let example: Bool
    public let note: Localized

    static let shape = YAMLShape.mapping([
        "id": .scalar, "file": .scalar, "format": .scalar, "name": .scalar, "snapshot": .scalar, "source": .scalar,
        "licence": .scalar, "sha256": .scalar, "example": .scalar, "note": .localized,
    ])
}

public struct VerifiedReference: Sendable {
    public let table: ReferenceTable
    public let contents: [UInt8]
    public let lookup: IPToASNTable

    public var bytes: Int { contents.count }
}

/// What one reference table says of one address.
public struct Attribution: Sendable {
    public let reference: ReferenceTable
    /// Nil: the table has no range holding the address.
    public let entry: IPToASNTable.Entry?
}

/// The legal instruments the audit rests on (`audit/legal.yaml`).
public struct LegalContext: Codable, Sendable {
    public let instruments: [Instrument]

    public struct Instrument: Codable, Sendable {
        /// Used as the page anchor.
        public let id: String
        public let name: String
        public let summary: Localized
        public let sources: [Finding.Source]
    }

    static let shape = YAMLShape.mapping([
        "instruments": .list(.mapping(["id": .scalar, "name": .scalar, "summary": .localized, "sources": .list(Finding.sourceShape)])),
    ])
}

extension ParsedEvidence {
    /// Host names the file itself mentions (DNS owners and targets, scanned host names, certificate
    /// names, testssl targets), lowercased without the trailing dot: how a domain page finds evidence
    /// about its domain beyond the findings that list it as a subject.
    public var hostNames: Set<String> {
        func clean(_ name: String) -> String {
            var name = name.lowercased()
            if name.hasSuffix(".") { name.removeLast() }
            return name
        }
        switch self {
        case .nmap(let scan):
            return Set(scan.hosts.flatMap { host in
                host.hostnames.map(\.name) + host.ports.compactMap(\.certificate).flatMap { certificate in
                    certificate.subjectAlternativeNames.filter { $0.hasPrefix("DNS:") }.map { String($0.dropFirst(4)) }
                }
            }.map(clean))
        case .dig(let output):
            return Set(output.queries.flatMap { query in
                (query.answer + query.authority + query.additional).flatMap { record in
                    // The target is the last field of the data (`10 mail.example.` for MX).
                    ["CNAME", "NS", "MX", "PTR", "SRV"].contains(record.type)
                        ? [record.name, String(record.data.split(separator: " ").last ?? "")] : [record.name]
                }
            }.map(clean))
        case .certificates(let pem):
            return Set(pem.certificates.flatMap { $0.subjectAlternativeNames.filter { $0.hasPrefix("DNS:") }.map { String($0.dropFirst(4)) } }.map(clean))
        case .testssl(let report):
            return Set(report.items.compactMap { $0.target?.split(separator: "/").first.map(String.init) }.map(clean))
        case .httpHeaders, .unparsed:
            return []
        }
    }
}
