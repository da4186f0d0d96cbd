extension Finding {
    static let sourceShape = YAMLShape.mapping([
        "id": .scalar, "title": .scalar, "publisher": .scalar, "date": .scalar, "url": .scalar, "kind": .scalar,
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
    static func problems(in finding: Finding, path: String, fileName: String) -> [AuditProblem] {
        var problems: [String] = []
        if finding.schemaVersion != "1.0" { problems.append("schema_version \(finding.schemaVersion) is not 1.0") }
        if !isIdentifier(finding.id) {
            problems.append("id `\(finding.id)` must be capital letters, digits and hyphens (it is a URL path)")
        }
        let stem = fileName.split(separator: ".").first.map(String.init) ?? fileName
        if stem != finding.id { problems.append("id \(finding.id) does not match the file name \(fileName)") }

        let sourceIDs = finding.sources.map(\.id)
        for duplicate in duplicates(sourceIDs) { problems.append("source id \(duplicate) is used twice") }
        for source in finding.sources {
            if let date = source.date, !isDate(date) { problems.append("source \(source.id): date `\(date)` is not YYYY-MM-DD") }
            if !source.url.hasPrefix("https://") && !source.url.hasPrefix("http://") {
                problems.append("source \(source.id): url must start with https:// or http://")
            }
        }
        func checkReferences(_ ids: [String], where place: String) {
            for id in ids where !sourceIDs.contains(id) { problems.append("\(place) cites source \(id), which `sources` does not list") }
        }

        if !isDate(finding.observed.from) { problems.append("observed.from `\(finding.observed.from)` is not a date") }
        if let to = finding.observed.to, !isDate(to) { problems.append("observed.to `\(to)` is not a date") }
        if finding.subjects.isEmpty { problems.append("a finding needs at least one subject") }
        for subject in finding.subjects {
            if !isDomain(subject.domain) { problems.append("subject `\(subject.domain)` is not a lowercase domain name") }
            for address in subject.addresses {
                if IPAddress(address.address) == nil { problems.append("subject \(subject.domain): `\(address.address)` is not an IP address") }
                if let date = address.reportedOn, !isDate(date) { problems.append("\(address.address): reported_on `\(date)` is not a date") }
                checkReferences(address.sources, where: "address \(address.address)")
            }
        }
        for position in finding.kpuPosition {
            if !isDate(position.date) { problems.append("kpu_position: date `\(position.date)` is not a date") }
            checkReferences(position.sources, where: "kpu_position of \(position.date)")
        }
        for change in finding.history where !isDate(change.date) {
            problems.append("history: date `\(change.date)` is not a date")
        }
        if finding.history.isEmpty { problems.append("history needs at least the entry that created the finding") }

        if finding.evidence.isEmpty && finding.evidenceNote == nil {
            problems.append("a finding without evidence needs an evidence_note saying why no raw capture exists")
        }
        for duplicate in duplicates(finding.evidence.map(\.id)) { problems.append("evidence id \(duplicate) is used twice") }
        for item in finding.evidence {
            if item.path.isEmpty || item.path.hasPrefix("/") || item.path.split(separator: "/").contains("..") {
                problems.append("evidence \(item.id): path `\(item.path)` must be relative, inside audit/evidence/")
            } else if !item.path.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-/".contains($0)) }) {
                // The path is also the file's URL on the site: keep it to characters that need no escaping.
                problems.append("evidence \(item.id): path `\(item.path)` may use only letters, digits, `.`, `_`, `-` and `/`")
            }
            if item.sha256.count != 64 || !item.sha256.allSatisfy({ "0123456789abcdef".contains($0) }) {
                problems.append("evidence \(item.id): sha256 must be 64 lowercase hex digits")
            }
            if !isUTCTimestamp(item.capturedAt) {
                problems.append("evidence \(item.id): captured_at `\(item.capturedAt)` must be RFC 3339 in UTC (ending in Z)")
            }
            if item.example != (finding.status == .example) {
                problems.append(finding.status == .example
                    ? "evidence \(item.id): an example finding holds example evidence only (set example: true)"
                    : "evidence \(item.id) is an example, and examples belong only to findings with status: example")
            }
        }
        return problems.map { AuditProblem(file: path, "finding \(finding.id): " + $0) }
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
