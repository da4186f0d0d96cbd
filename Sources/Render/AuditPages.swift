import Audit

extension SitePath {
    public static let audit = "audit/"
    public static let auditLegal = "audit/hukum/"

    public static func auditFinding(_ id: String) -> String { "audit/\(id)/" }
    public static func auditDomain(_ domain: String) -> String { "audit/domain/\(domain)/" }
    /// Evidence files keep their path under `Publish/audit/evidence/`.
    public static func auditEvidence(_ path: String) -> String { "audit/evidence/" + path }
}

/// The audit section: `/audit/` (every finding), `/audit/{id}/` (one finding with its evidence
/// parsed beside its hash), `/audit/domain/{domain}/` (everything about one name) and
/// `/audit/hukum/` (the legal context), each with a JSON twin. All values from findings and
/// evidence go through escaping templates: captured headers and certificate fields are hostile input.
public struct AuditPages {
    public let renderer: PageRenderer
    public let audit: AuditPublication

    public init(renderer: PageRenderer, audit: AuditPublication) {
        self.renderer = renderer
        self.audit = audit
    }

    public func forEach(_ body: (RenderedPage) throws -> Void) throws {
        try body(overview())
        for finding in audit.findings { try body(page(for: finding)) }
        for domain in audit.domains { try body(page(forDomain: domain)) }
        try body(legal())
    }

    /// Audit pages are about infrastructure, not the (possibly invented) results: no DEMO banner.
    func base(folder: String, title: String) -> [String: Any] {
        var context = renderer.base(folder: folder, title: title)
        context["demo"] = false
        context["twin"] = true
        context["audit"] = SitePath.root(from: folder) + SitePath.audit
        context["legal"] = SitePath.root(from: folder) + SitePath.auditLegal
        return context
    }

    // MARK: Pages

    func overview() -> RenderedPage {
        let folder = SitePath.audit
        var context = base(folder: folder, title: "Audit infrastruktur")
        let root = context["root"] as! String
        context["findings"] = audit.findings.map { verified -> [String: Any] in
            let finding = verified.finding
            return ["id": finding.id, "href": root + SitePath.auditFinding(finding.id), "title": localized(finding.title),
                    "category": finding.category.rawValue, "status": Self.statusLabel(finding.status),
                    "is_example": finding.status == .example, "date": finding.observed.from,
                    "evidence_count": verified.evidence.count,
                    "subjects": finding.subjects.map { ["domain": $0.domain, "href": root + SitePath.auditDomain($0.domain)] }]
        }
        context["references"] = audit.references.map { referenceContext($0, root: root) }
        context["has_references"] = !audit.references.isEmpty
        context["checksums"] = root + SitePath.auditEvidence("SHA256SUMS")
        let twin = JSONValue.object([
            ("findings", .array(audit.findings.map { verified in
                let finding = verified.finding
                return .object([("id", .string(finding.id)), ("title", self.json(finding.title)), ("category", .string(finding.category.rawValue)),
                                ("status", .string(finding.status.rawValue)), ("observed_from", .string(finding.observed.from)),
                                ("observed_to", .optional(finding.observed.to)),
                                ("subjects", .array(finding.subjects.map { .string($0.domain) })),
                                ("page", .string(SitePath.auditFinding(finding.id)))])
            })),
            ("references", .array(audit.references.map(referenceJSON))),
            ("legal", .string(SitePath.auditLegal)),
        ])
        return RenderedPage(folder: folder, html: renderer.templates.render("audit", context), json: twin.serialized() + "\n", csv: nil)
    }

    func page(for verified: VerifiedFinding) -> RenderedPage {
        let finding = verified.finding
        let folder = SitePath.auditFinding(finding.id)
        var context = base(folder: folder, title: finding.id)
        let root = context["root"] as! String
        context["id"] = finding.id
        context["finding_title"] = localized(finding.title)
        context["category"] = finding.category.rawValue
        context["status"] = Self.statusLabel(finding.status)
        context["is_example"] = finding.status == .example
        context["significance"] = localized(finding.significance)
        context["observed_from"] = finding.observed.from
        context["observed_to"] = finding.observed.to ?? false
        context["observation"] = localized(finding.observation)
        context["interpretation"] = localized(finding.interpretation)
        context["subjects"] = finding.subjects.map { subject -> [String: Any] in
            ["domain": subject.domain, "href": root + SitePath.auditDomain(subject.domain), "role": subject.role ?? "unknown",
             "addresses": subject.addresses.map { addressContext($0, in: finding, linked: false, root: root) },
             "has_addresses": !subject.addresses.isEmpty]
        }
        context["positions"] = finding.kpuPosition.map { position -> [String: Any] in
            ["date": position.date, "by": position.by, "summary": localized(position.summary), "sources": sourceLinks(position.sources)]
        }
        context["has_positions"] = !finding.kpuPosition.isEmpty
        context["evidence"] = verified.evidence.map { evidenceContext($0, root: root) }
        context["has_evidence"] = !verified.evidence.isEmpty
        context["evidence_note"] = finding.evidenceNote.map(localized) ?? false
        context["sources"] = finding.sources.map(sourceContext)
        context["caveats"] = finding.caveats.map(localized)
        context["history"] = finding.history.map { ["date": $0.date, "change": $0.change] }
        context["permanent_url"] = renderer.site.permanentURL(folder)
        return RenderedPage(folder: folder, html: renderer.templates.render("audit-finding", context),
                            json: findingJSON(verified).serialized() + "\n", csv: nil)
    }

    func page(forDomain domain: String) -> RenderedPage {
        let folder = SitePath.auditDomain(domain)
        var context = base(folder: folder, title: domain)
        let root = context["root"] as! String
        let findings = audit.findings(about: domain)
        context["domain"] = domain
        context["findings"] = findings.map { verified -> [String: Any] in
            ["id": verified.finding.id, "href": root + SitePath.auditFinding(verified.finding.id), "title": localized(verified.finding.title),
             "status": Self.statusLabel(verified.finding.status), "category": verified.finding.category.rawValue,
             "date": verified.finding.observed.from]
        }
        let addresses = findings.flatMap { verified in
            verified.finding.subjects.filter { $0.domain == domain }.flatMap { $0.addresses.map { (verified.finding, $0) } }
        }
        context["addresses"] = addresses.map { addressContext($1, in: $0, linked: true, root: root) }
        context["has_addresses"] = !addresses.isEmpty
        let mentions = audit.findings.flatMap { verified in
            verified.evidence.filter { $0.parsed.hostNames.contains(domain) }.map { (verified.finding, $0) }
        }
        context["mentions"] = mentions.map { finding, evidence -> [String: Any] in
            ["finding": finding.id, "evidence": evidence.item.id, "type": evidence.item.type.rawValue,
             "href": root + SitePath.auditFinding(finding.id) + "#" + evidence.item.id,
             "captured_at": evidence.item.capturedAt, "example": evidence.item.example]
        }
        context["has_mentions"] = !mentions.isEmpty
        let twin = JSONValue.object([
            ("domain", .string(domain)),
            ("findings", .array(findings.map { .string($0.finding.id) })),
            ("addresses", .array(addresses.map { finding, address in
                .object([("finding", .string(finding.id))] + addressJSON(address, example: finding.status == .example))
            })),
            ("evidence", .array(mentions.map { finding, evidence in
                .object([("finding", .string(finding.id)), ("evidence", .string(evidence.item.id)),
                         ("type", .string(evidence.item.type.rawValue)), ("file", .string(SitePath.auditEvidence(evidence.item.path)))])
            })),
        ])
        return RenderedPage(folder: folder, html: renderer.templates.render("audit-domain", context), json: twin.serialized() + "\n", csv: nil)
    }

    func legal() -> RenderedPage {
        let folder = SitePath.auditLegal
        var context = base(folder: folder, title: "Konteks hukum")
        context["instruments"] = audit.legal.instruments.map { instrument -> [String: Any] in
            ["id": instrument.id, "name": instrument.name, "summary": localized(instrument.summary),
             "sources": instrument.sources.map(sourceContext)]
        }
        let twin = JSONValue.object([
            ("instruments", .array(audit.legal.instruments.map { instrument in
                .object([("id", .string(instrument.id)), ("name", .string(instrument.name)), ("summary", self.json(instrument.summary)),
                         ("sources", .array(instrument.sources.map(sourceJSON)))])
            })),
        ])
        return RenderedPage(folder: folder, html: renderer.templates.render("audit-legal", context), json: twin.serialized() + "\n", csv: nil)
    }

    // MARK: Template contexts

    static func statusLabel(_ status: Finding.Status) -> String {
        switch status {
        case .reported: "dilaporkan (reported)"
        case .reproduced: "direproduksi (reproduced)"
        case .disputed: "disanggah (disputed)"
        case .superseded: "digantikan (superseded)"
        case .retracted: "ditarik (retracted)"
        case .example: "CONTOH (example)"
        }
    }

    func localized(_ text: Localized) -> [String: Any] { ["id": text.id, "en": text.en] }

    func sourceLinks(_ ids: [String]) -> [[String: Any]] {
        ids.map { ["source": $0, "href": "#" + $0] }
    }

    func sourceContext(_ source: Finding.Source) -> [String: Any] {
        ["source": source.id, "title": source.title, "title_from_url": source.titleFromURL ?? false,
         "publisher": source.publisher, "date": source.date ?? false,
         "url": source.url, "kind": source.kind.rawValue]
    }

    func referenceContext(_ reference: VerifiedReference, root: String) -> [String: Any] {
        let table = reference.table
        return ["name": table.name, "snapshot": table.snapshot, "source": table.source, "licence": table.licence,
                "href": root + "audit/reference/" + table.file, "file": table.file,
                "sha256": table.sha256, "bytes": Format.count(reference.bytes), "example": table.example,
                "note": localized(table.note), "rows": Format.count(reference.lookup.entries.count)]
    }

    /// A reported address with what each dated reference table says of it; `linked` pages (domain
    /// pages) point the source links and the finding at the finding's own page.
    func addressContext(_ address: Finding.ReportedAddress, in finding: Finding, linked: Bool, root: String) -> [String: Any] {
        let findingPage = root + SitePath.auditFinding(finding.id)
        return [
            "address": address.address, "holder": address.reportedHolder ?? false, "reported_on": address.reportedOn ?? false,
            "sources": sourceLinks(address.sources).map { link -> [String: Any] in
                var link = link
                if linked { link["href"] = findingPage + (link["href"] as! String) }
                return link
            },
            "finding": linked ? ["id": finding.id, "href": findingPage] : false,
            "attribution": attributionContext(address.address, example: finding.status == .example),
        ]
    }

    /// One line per applicable reference table: the AS, its holder and registration country, or "not in the table".
    func attributionContext(_ address: String, example: Bool) -> [[String: Any]] {
        audit.attribution(of: address, example: example).map { attribution -> [String: Any] in
            ["table": attribution.reference.name, "snapshot": attribution.reference.snapshot, "example": attribution.reference.example,
             "found": attribution.entry != nil, "routed": attribution.entry?.isRouted ?? false,
             "asn": attribution.entry.map { String($0.asn) } ?? "", "country": attribution.entry?.country ?? "",
             "as_holder": attribution.entry?.holder ?? ""]
        }
    }

    func evidenceContext(_ evidence: VerifiedEvidence, root: String) -> [String: Any] {
        let item = evidence.item
        var context: [String: Any] = [
            "id": item.id, "type": item.type.rawValue, "description": item.description.map(localized) ?? false,
            "file": root + SitePath.auditEvidence(item.path), "path": item.path, "sha256": item.sha256,
            "bytes": Format.count(evidence.bytes), "tool": item.tool.name, "tool_version": item.tool.version,
            "command": item.command, "captured_at": item.capturedAt, "vantage_network": item.vantage.network,
            "vantage_country": item.vantage.country, "vantage_resolver": item.vantage.resolver ?? false, "example": item.example,
            "nmap": false, "dig": false, "headers": false, "certificates": false, "testssl": false,
        ]
        switch evidence.parsed {
        case .nmap(let scan): context["nmap"] = nmapContext(scan, example: item.example)
        case .dig(let output): context["dig"] = digContext(output, example: item.example)
        case .httpHeaders(let capture): context["headers"] = headersContext(capture)
        case .certificates(let pem): context["certificates"] = ["list": pem.certificates.map(certificateContext)]
        case .testssl(let report): context["testssl"] = testsslContext(report)
        case .unparsed: break
        }
        return context
    }

    func nmapContext(_ scan: NmapScan, example: Bool) -> [String: Any] {
        ["version": scan.version, "arguments": scan.arguments, "started": scan.started,
         "hosts": scan.hosts.map { host -> [String: Any] in
             ["state": host.state, "addresses": host.addresses.map { "\($0.address) (\($0.type))" }.joined(separator: ", "),
              "ip_addresses": host.addresses.filter { $0.type != "mac" }.map { address -> [String: Any] in
                  ["address": address.address, "attribution": attributionContext(address.address, example: example)]
              },
              "hostnames": host.hostnames.map { ["name": $0.name, "type": $0.type] },
              "ports": host.ports.map { port -> [String: Any] in
                  ["port": port.number, "protocol": port.protocolName, "state": port.state, "open": port.isOpen,
                   "service": port.service ?? "", "product": port.product ?? "", "version": port.version ?? "",
                   "extra": port.extraInfo ?? "", "tunnel": port.tunnel ?? false]
              },
              "certificates": host.ports.compactMap { port -> [String: Any]? in
                  guard let certificate = port.certificate else { return nil }
                  return ["port": port.number,
                          "subject": NmapScan.ScriptCertificate.distinguishedName(certificate.subject),
                          "issuer": NmapScan.ScriptCertificate.distinguishedName(certificate.issuer),
                          "not_before": certificate.notBefore ?? "", "not_after": certificate.notAfter ?? "",
                          "sans": certificate.subjectAlternativeNames.joined(separator: ", "),
                          "sha256": certificate.sha256 ?? "", "public_key": certificate.publicKey ?? "",
                          "signature": certificate.signatureAlgorithm ?? ""]
              }]
         }]
    }

    func digContext(_ output: DigOutput, example: Bool) -> [String: Any] {
        ["queries": output.queries.map { query -> [String: Any] in
            let sections = [("answer", query.answer), ("authority", query.authority), ("additional", query.additional)]
            return ["version": query.digVersion ?? "", "arguments": query.arguments ?? "", "status": query.status ?? "",
                    "flags": query.flags ?? "", "server": query.server ?? "", "when": query.when ?? "",
                    "query_time": query.queryTime ?? "", "question": query.question.joined(separator: "; "),
                    "records": sections.flatMap { name, records in
                        records.map { record -> [String: Any] in
                            let isAddress = record.type == "A" || record.type == "AAAA"
                            return ["section": name, "name": record.name, "ttl": record.ttl.map(String.init) ?? "",
                                    "class": record.recordClass, "type": record.type, "data": record.data,
                                    "address_record": isAddress,
                                    "attribution": isAddress ? attributionContext(record.data, example: example) : []]
                        }
                    }]
        }]
    }

    func headersContext(_ capture: HTTPHeaderCapture) -> [String: Any] {
        ["responses": capture.responses.map { response -> [String: Any] in
            ["status_line": response.statusLine,
             "headers": response.headers.map { ["name": $0.name, "value": $0.value] },
             "hints": response.cdnHints.map { ["provider": $0.provider, "header": $0.header, "value": $0.value] },
             "has_hints": !response.cdnHints.isEmpty]
        }]
    }

    func certificateContext(_ certificate: PEMCertificates.Summary) -> [String: Any] {
        ["subject": certificate.subject, "issuer": certificate.issuer, "serial": certificate.serialNumber,
         "not_before": certificate.notBefore, "not_after": certificate.notAfter,
         "sans": certificate.subjectAlternativeNames.joined(separator: ", "), "sha256": certificate.sha256,
         "public_key": certificate.publicKey, "signature": certificate.signatureAlgorithm]
    }

    func testsslContext(_ report: TestSSLReport) -> [String: Any] {
        ["version": report.version ?? "", "invocation": report.invocation ?? "", "start": report.startTime ?? "",
         "items": report.items.map { item -> [String: Any] in
             ["section": item.section ?? "", "id": item.id, "target": item.target ?? "", "port": item.port ?? "",
              "severity": item.severity, "finding": item.finding, "cve": item.cve ?? ""]
         }]
    }

    // MARK: JSON twins

    func json(_ text: Localized) -> JSONValue { .object([("id", .string(text.id)), ("en", .string(text.en))]) }

    func sourceJSON(_ source: Finding.Source) -> JSONValue {
        .object([("id", .string(source.id)), ("title", .string(source.title)), ("title_from_url", .bool(source.titleFromURL ?? false)),
                 ("publisher", .string(source.publisher)),
                 ("date", .optional(source.date)), ("url", .string(source.url)), ("kind", .string(source.kind.rawValue))])
    }

    func referenceJSON(_ reference: VerifiedReference) -> JSONValue {
        let table = reference.table
        return .object([("id", .string(table.id)), ("name", .string(table.name)), ("format", .string(table.format)),
                        ("snapshot", .string(table.snapshot)), ("source", .string(table.source)), ("licence", .string(table.licence)),
                        ("sha256", .string(table.sha256)), ("bytes", .int(reference.bytes)), ("example", .bool(table.example))])
    }

    func addressJSON(_ address: Finding.ReportedAddress, example: Bool) -> [(String, JSONValue)] {
        [("address", .string(address.address)), ("reported_holder", .optional(address.reportedHolder)),
         ("reported_on", .optional(address.reportedOn)), ("sources", .array(address.sources.map(JSONValue.string))),
         ("attribution", .array(audit.attribution(of: address.address, example: example).map { attribution in
             .object([("table", .string(attribution.reference.id)), ("snapshot", .string(attribution.reference.snapshot)),
                      ("example", .bool(attribution.reference.example)),
                      ("asn", attribution.entry.map { .int($0.asn) } ?? .null),
                      ("registered_country", .optional(attribution.entry?.country)),
                      ("as_description", .optional(attribution.entry?.holder))])
         }))]
    }

    func findingJSON(_ verified: VerifiedFinding) -> JSONValue {
        let finding = verified.finding
        return .object([
            ("schema_version", .string(finding.schemaVersion)), ("id", .string(finding.id)), ("title", self.json(finding.title)),
            ("category", .string(finding.category.rawValue)), ("status", .string(finding.status.rawValue)),
            ("significance", json(finding.significance)),
            ("subjects", .array(finding.subjects.map { subject in
                .object([("domain", .string(subject.domain)), ("role", .optional(subject.role)),
                         ("addresses", .array(subject.addresses.map { .object(addressJSON($0, example: finding.status == .example)) }))])
            })),
            ("observed", .object([("from", .string(finding.observed.from)), ("to", .optional(finding.observed.to))])),
            ("observation", json(finding.observation)), ("interpretation", json(finding.interpretation)),
            ("kpu_position", .array(finding.kpuPosition.map { position in
                .object([("date", .string(position.date)), ("by", .string(position.by)), ("summary", json(position.summary)),
                         ("sources", .array(position.sources.map(JSONValue.string)))])
            })),
            ("evidence", .array(verified.evidence.map(evidenceJSON))),
            ("evidence_note", finding.evidenceNote.map(json) ?? .null),
            ("sources", .array(finding.sources.map(sourceJSON))),
            ("caveats", .array(finding.caveats.map(json))),
            ("history", .array(finding.history.map { .object([("date", .string($0.date)), ("change", .string($0.change))]) })),
        ])
    }

    func evidenceJSON(_ evidence: VerifiedEvidence) -> JSONValue {
        let item = evidence.item
        return .object([
            ("id", .string(item.id)), ("file", .string(SitePath.auditEvidence(item.path))), ("sha256", .string(item.sha256)),
            ("bytes", .int(evidence.bytes)), ("type", .string(item.type.rawValue)),
            ("tool", .object([("name", .string(item.tool.name)), ("version", .string(item.tool.version))])),
            ("command", .string(item.command)), ("captured_at", .string(item.capturedAt)),
            ("vantage", .object([("network", .string(item.vantage.network)), ("country", .string(item.vantage.country)),
                                 ("resolver", .optional(item.vantage.resolver))])),
            ("example", .bool(item.example)), ("description", item.description.map(json) ?? .null),
            ("parsed", parsedJSON(evidence.parsed)),
        ])
    }

    func parsedJSON(_ parsed: ParsedEvidence) -> JSONValue {
        switch parsed {
        case .unparsed:
            return .null
        case .nmap(let scan):
            return .object([("nmap_version", .string(scan.version)), ("arguments", .string(scan.arguments)), ("started", .string(scan.started)),
                            ("hosts", .array(scan.hosts.map { host in
                                .object([("state", .string(host.state)),
                                         ("addresses", .array(host.addresses.map { .object([("address", .string($0.address)), ("type", .string($0.type))]) })),
                                         ("hostnames", .array(host.hostnames.map { .object([("name", .string($0.name)), ("type", .string($0.type))]) })),
                                         ("ports", .array(host.ports.map(portJSON)))])
                            }))])
        case .dig(let output):
            func records(_ list: [DigOutput.Record]) -> JSONValue {
                .array(list.map { .object([("name", .string($0.name)), ("ttl", .optional($0.ttl)), ("class", .string($0.recordClass)),
                                           ("type", .string($0.type)), ("data", .string($0.data))]) })
            }
            return .object([("queries", .array(output.queries.map { query in
                .object([("dig", .optional(query.digVersion)), ("arguments", .optional(query.arguments)), ("status", .optional(query.status)),
                         ("flags", .optional(query.flags)), ("question", .array(query.question.map(JSONValue.string))),
                         ("answer", records(query.answer)), ("authority", records(query.authority)), ("additional", records(query.additional)),
                         ("server", .optional(query.server)), ("when", .optional(query.when)), ("query_time", .optional(query.queryTime))])
            }))])
        case .httpHeaders(let capture):
            return .object([("responses", .array(capture.responses.map { response in
                .object([("status_line", .string(response.statusLine)), ("http_version", .string(response.httpVersion)),
                         ("status", .int(response.status)),
                         ("headers", .array(response.headers.map { .array([.string($0.name), .string($0.value)]) })),
                         ("cdn_hints", .array(response.cdnHints.map { .object([("provider", .string($0.provider)), ("header", .string($0.header))]) }))])
            }))])
        case .certificates(let pem):
            return .object([("certificates", .array(pem.certificates.map { certificate in
                .object([("subject", .string(certificate.subject)), ("issuer", .string(certificate.issuer)),
                         ("serial", .string(certificate.serialNumber)), ("not_before", .string(certificate.notBefore)),
                         ("not_after", .string(certificate.notAfter)),
                         ("subject_alternative_names", .array(certificate.subjectAlternativeNames.map(JSONValue.string))),
                         ("sha256", .string(certificate.sha256)), ("public_key", .string(certificate.publicKey)),
                         ("signature_algorithm", .string(certificate.signatureAlgorithm))])
            }))])
        case .testssl(let report):
            return .object([("version", .optional(report.version)), ("invocation", .optional(report.invocation)),
                            ("start_time", .optional(report.startTime)),
                            ("items", .array(report.items.map { item in
                                .object([("section", .optional(item.section)), ("id", .string(item.id)), ("target", .optional(item.target)),
                                         ("port", .optional(item.port)), ("severity", .string(item.severity)),
                                         ("finding", .string(item.finding)), ("cve", .optional(item.cve))])
                            }))])
        }
    }

    func portJSON(_ port: NmapScan.Port) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("protocol", .string(port.protocolName)), ("port", .int(port.number)), ("state", .string(port.state)),
            ("service", .optional(port.service)), ("product", .optional(port.product)), ("version", .optional(port.version)),
            ("extrainfo", .optional(port.extraInfo)), ("tunnel", .optional(port.tunnel)),
        ]
        if let certificate = port.certificate {
            func fields(_ list: [(key: String, value: String)]) -> JSONValue { .object(list.map { ($0.key, .string($0.value)) }) }
            members.append(("ssl_cert", .object([
                ("subject", fields(certificate.subject)), ("issuer", fields(certificate.issuer)),
                ("not_before", .optional(certificate.notBefore)), ("not_after", .optional(certificate.notAfter)),
                ("subject_alternative_names", .array(certificate.subjectAlternativeNames.map(JSONValue.string))),
                ("public_key", .optional(certificate.publicKey)), ("signature_algorithm", .optional(certificate.signatureAlgorithm)),
                ("sha256", .optional(certificate.sha256)),
            ])))
        } else {
            members.append(("ssl_cert", .null))
        }
        return .object(members)
    }
}
