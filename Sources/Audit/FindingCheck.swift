import Yams

extension Finding {
    static let sourceShape = YAMLShape.mapping([
        "id": .scalar, "title": .scalar, "title_from_url": .scalar, "publisher": .scalar, "date": .scalar, "url": .scalar,
        "kind": .scalar,
    ])

    /// Every key a finding file may use (docs/audit.md describes each).
    static let shape = YAMLShape.mapping([
        "schema_version": .scalar, "id": .scalar, "title": .localized, "category": .scalar, "status": .scalar,
        "significance": .localized,
        "subjects": .list(.mapping([
            "domain": .scalar, "role": .scalar,
            "addresses": .list(.mapping(["address": .scalar, "reported_holder": .scalar, "reported_on": .scalar,
                                         "sources": .list(.scalar)])),
        ])),
        "observed": .mapping(["from": .scalar, "to": .scalar]),
        "observation": .localized, "interpretation": .localized,
        "kpu_position": .list(.mapping(["date": .scalar, "by": .scalar, "summary": .localized, "sources": .list(.scalar)])),
        "evidence": .list(.mapping([
            "id": .scalar, "path": .scalar, "sha256": .scalar, "type": .scalar,
            "tool": .mapping(["name": .scalar, "version": .scalar]),
            "command": .scalar, "captured_at": .scalar,
            "vantage": .mapping(["network": .scalar, "country": .scalar, "resolver": .scalar]),
            "example": .scalar, "description": .localized,
        ])),
        "evidence_note": .localized,
        "sources": .list(sourceShape),
        "caveats": .list(.localized),
        "history": .list(.mapping(["date": .scalar, "change": .scalar])),
    ])
}

/// The rules a finding must keep beyond its types: ids that make safe URLs, dates in one form,
/// references that resolve, and examples kept apart from claims.
enum FindingCheck {
    static func problems(in finding: Finding, path: String, fileName: String, node: Node) -> [AuditProblem] {
        var problems: [AuditProblem] = []
        /// Records a problem at the line of the value `keyPath` leads to.
        func report(_ message: String, at keyPath: [YAMLPathPart]) {
            problems.append(AuditProblem(file: path, line: YAMLFile.line(of: keyPath, in: node), "finding \(finding.id): " + message))
        }
        if finding.schemaVersion != "1.0" { report("schema_version \(finding.schemaVersion) is not 1.0", at: ["schema_version"]) }
        if !isIdentifier(finding.id) {
            report("id `\(finding.id)` must be capital letters, digits and hyphens (it is a URL path)", at: ["id"])
        }
        let stem = fileName.split(separator: ".").first.map(String.init) ?? fileName
        if stem != finding.id { report("id \(finding.id) does not match the file name \(fileName)", at: ["id"]) }

        let sourceIDs = finding.sources.map(\.id)
        for duplicate in duplicates(sourceIDs) { report("source id \(duplicate) is used twice", at: ["sources"]) }
        for (index, source) in finding.sources.enumerated() {
            if let date = source.date, !isDate(date) { report("source \(source.id): date `\(date)` is not YYYY-MM-DD", at: ["sources", .index(index), "date"]) }
            if !isWebAddress(source.url) { report("source \(source.id): url must start with https:// or http://", at: ["sources", .index(index), "url"]) }
        }
        func checkReferences(_ ids: [String], where place: String, at keyPath: [YAMLPathPart]) {
            for id in ids where !sourceIDs.contains(id) { report("\(place) cites source \(id), which `sources` does not list", at: keyPath) }
        }

        if !isDate(finding.observed.from) { report("observed.from `\(finding.observed.from)` is not a date", at: ["observed", "from"]) }
        if let to = finding.observed.to, !isDate(to) { report("observed.to `\(to)` is not a date", at: ["observed", "to"]) }
        if finding.subjects.isEmpty { report("a finding needs at least one subject", at: ["subjects"]) }
        for (subjectIndex, subject) in finding.subjects.enumerated() {
            let subjectPath: [YAMLPathPart] = ["subjects", .index(subjectIndex)]
            if !isDomain(subject.domain) { report("subject `\(subject.domain)` is not a lowercase domain name", at: subjectPath + ["domain"]) }
            for (addressIndex, address) in subject.addresses.enumerated() {
                let addressPath = subjectPath + ["addresses", .index(addressIndex)]
                if IPAddress(address.address) == nil {
                    report("subject \(subject.domain): `\(address.address)` is not an IP address", at: addressPath + ["address"])
                }
                if let date = address.reportedOn, !isDate(date) {
                    report("\(address.address): reported_on `\(date)` is not a date", at: addressPath + ["reported_on"])
                }
                checkReferences(address.sources, where: "address \(address.address)", at: addressPath + ["sources"])
            }
        }
        for (index, position) in finding.kpuPosition.enumerated() {
            if !isDate(position.date) { report("kpu_position: date `\(position.date)` is not a date", at: ["kpu_position", .index(index), "date"]) }
            checkReferences(position.sources, where: "kpu_position of \(position.date)", at: ["kpu_position", .index(index), "sources"])
        }
        for (index, change) in finding.history.enumerated() where !isDate(change.date) {
            report("history: date `\(change.date)` is not a date", at: ["history", .index(index), "date"])
        }
        if finding.history.isEmpty { report("history needs at least the entry that created the finding", at: ["history"]) }

        if finding.evidence.isEmpty && finding.evidenceNote == nil {
            report("a finding without evidence needs an evidence_note saying why no raw capture exists", at: ["evidence"])
        }
        for duplicate in duplicates(finding.evidence.map(\.id)) { report("evidence id \(duplicate) is used twice", at: ["evidence"]) }
        for (index, item) in finding.evidence.enumerated() {
            let itemPath: [YAMLPathPart] = ["evidence", .index(index)]
            let segments = item.path.split(separator: "/", omittingEmptySubsequences: false)
            if item.path.isEmpty || item.path.hasPrefix("/") || segments.contains("..") || segments.contains(".") || segments.contains("") {
                report("evidence \(item.id): path `\(item.path)` must be relative, inside audit/evidence/", at: itemPath + ["path"])
            } else if !item.path.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-/".contains($0)) }) {
                // The path is also the file's URL on the site: keep it to characters that need no escaping.
                report("evidence \(item.id): path `\(item.path)` may use only letters, digits, `.`, `_`, `-` and `/`", at: itemPath + ["path"])
            } else if item.path == "SHA256SUMS" {
                report("evidence \(item.id): path `SHA256SUMS` is the name of the checksum list the build writes", at: itemPath + ["path"])
            }
            if item.sha256.count != 64 || !item.sha256.allSatisfy({ "0123456789abcdef".contains($0) }) {
                report("evidence \(item.id): sha256 must be 64 lowercase hex digits", at: itemPath + ["sha256"])
            }
            if !isUTCTimestamp(item.capturedAt) {
                report("evidence \(item.id): captured_at `\(item.capturedAt)` must be RFC 3339 in UTC (ending in Z)", at: itemPath + ["captured_at"])
            }
            if item.example != (finding.status == .example) {
                report(finding.status == .example
                    ? "evidence \(item.id): an example finding holds example evidence only (set example: true)"
                    : "evidence \(item.id) is an example, and examples belong only to findings with status: example",
                    at: itemPath)
            }
        }
        return problems
    }

    static func isWebAddress(_ text: String) -> Bool {
        text.hasPrefix("https://") || text.hasPrefix("http://")
    }

    static func duplicates(_ ids: [String]) -> [String] {
        var seen = Set<String>()
        return ids.filter { !seen.insert($0).inserted }
    }

    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.first != "-" && text.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    static func isDomain(_ text: String) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { label in
            !label.isEmpty && label.first != "-" && label.last != "-"
                && label.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        }
    }

    /// `YYYY-MM-DD`, or a full RFC 3339 timestamp.
    static func isDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 10 else { return false }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy { (48...57).contains(bytes[$0]) }
        return digits && bytes[4] == 45 && bytes[7] == 45 && (bytes.count == 10 || isTimestamp(text))
    }

    static func isTimestamp(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[10] == 84 /* T */, bytes[13] == 58, bytes[16] == 58 else { return false }
        return [11, 12, 14, 15, 17, 18].allSatisfy { (48...57).contains(bytes[$0]) }
    }

    static func isUTCTimestamp(_ text: String) -> Bool {
        isDate(text) && isTimestamp(text) && text.hasSuffix("Z")
    }
}
