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
    func base(folder: String, title: String) -> TemplateObject {
        var context = renderer.base(folder: folder, title: title)
        context["demo"] = false
        context["twin"] = true
        context["audit"] = .text(SitePath.root(from: folder) + SitePath.audit)
        context["legal"] = .text(SitePath.root(from: folder) + SitePath.auditLegal)
        return context
    }

    // MARK: Pages

    func overview() -> RenderedPage {
        let folder = SitePath.audit
        var context = base(folder: folder, title: "Audit infrastruktur")
        let root = SitePath.root(from: folder)
        context["findings"] = .objects(audit.findings.map { verified -> TemplateObject in
            let finding = verified.finding
            return ["id": .text(finding.id), "href": .text(root + SitePath.auditFinding(finding.id)), "title": .object(localized(finding.title)),
                    "category": .text(finding.category.rawValue), "status": .text(Self.statusLabel(finding.status)),
                    "is_example": .flag(finding.status == .example), "date": .text(finding.observed.from),
                    "evidence_count": .number(verified.evidence.count),
                    "subjects": .objects(finding.subjects.map { ["domain": .text($0.domain), "href": .text(root + SitePath.auditDomain($0.domain))] })]
        })
        context["references"] = .objects(audit.references.map { referenceContext($0, root: root) })
        context["has_references"] = .flag(!audit.references.isEmpty)
        context["checksums"] = .text(root + SitePath.auditEvidence("SHA256SUMS"))
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
        return RenderedPage(folder: folder, html: renderer.templates.render("audit", context), json: twin.file(), csv: nil)
    }

    func page(for verified: VerifiedFinding) -> RenderedPage {
        let finding = verified.finding
        let folder = SitePath.auditFinding(finding.id)
        var context = base(folder: folder, title: finding.id)
        let root = SitePath.root(from: folder)
        context["id"] = .text(finding.id)
        context["finding_title"] = .object(localized(finding.title))
        context["category"] = .text(finding.category.rawValue)
        context["status"] = .text(Self.statusLabel(finding.status))
        context["is_example"] = .flag(finding.status == .example)
        context["significance"] = .object(localized(finding.significance))
        context["observed_from"] = .text(finding.observed.from)
        context["observed_to"] = finding.observed.to.map(TemplateValue.text) ?? false
        context["observation"] = .object(localized(finding.observation))
        context["interpretation"] = .object(localized(finding.interpretation))
        context["subjects"] = .objects(finding.subjects.map { subject -> TemplateObject in
            ["domain": .text(subject.domain), "href": .text(root + SitePath.auditDomain(subject.domain)), "role": .text(subject.role ?? "unknown"),
             "addresses": .objects(subject.addresses.map { addressContext($0, in: finding, linked: false, root: root) }),
             "has_addresses": .flag(!subject.addresses.isEmpty)]
        })
        context["positions"] = .objects(finding.kpuPosition.map { position -> TemplateObject in
            ["date": .text(position.date), "by": .text(position.by), "summary": .object(localized(position.summary)),
             "sources": .objects(sourceLinks(position.sources))]
        })
        context["has_positions"] = .flag(!finding.kpuPosition.isEmpty)
        context["evidence"] = .objects(verified.evidence.map { evidenceContext($0, root: root) })
        context["has_evidence"] = .flag(!verified.evidence.isEmpty)
        context["evidence_note"] = finding.evidenceNote.map { .object(localized($0)) } ?? false
        context["sources"] = .objects(finding.sources.map(sourceContext))
        context["caveats"] = .objects(finding.caveats.map(localized))
        context["history"] = .objects(finding.history.map { ["date": .text($0.date), "change": .text($0.change)] })
        context["permanent_url"] = .text(renderer.site.permanentURL(folder))
        return RenderedPage(folder: folder, html: renderer.templates.render("audit-finding", context),
                            json: findingJSON(verified).file(), csv: nil)
    }

    func page(forDomain domain: String) -> RenderedPage {
        let folder = SitePath.auditDomain(domain)
        var context = base(folder: folder, title: domain)
        let root = SitePath.root(from: folder)
        let findings = audit.findings(about: domain)
        context["domain"] = .text(domain)
        context["findings"] = .objects(findings.map { verified -> TemplateObject in
            ["id": .text(verified.finding.id), "href": .text(root + SitePath.auditFinding(verified.finding.id)),
             "title": .object(localized(verified.finding.title)),
             "status": .text(Self.statusLabel(verified.finding.status)), "category": .text(verified.finding.category.rawValue),
             "date": .text(verified.finding.observed.from)]
        })
        let addresses = findings.flatMap { verified in
            verified.finding.subjects.filter { $0.domain == domain }.flatMap { $0.addresses.map { (verified.finding, $0) } }
        }
        context["addresses"] = .objects(addresses.map { addressContext($1, in: $0, linked: true, root: root) })
        context["has_addresses"] = .flag(!addresses.isEmpty)
        let mentions = audit.findings.flatMap { verified in
            verified.evidence.filter { $0.parsed.hostNames.contains(domain) }.map { (verified.finding, $0) }
        }
        context["mentions"] = .objects(mentions.map { finding, evidence -> TemplateObject in
            ["finding": .text(finding.id), "evidence": .text(evidence.item.id), "type": .text(evidence.item.type.rawValue),
             "href": .text(root + SitePath.auditFinding(finding.id) + "#" + evidence.item.id),
             "captured_at": .text(evidence.item.capturedAt), "example": .flag(evidence.item.example)]
        })
        context["has_mentions"] = .flag(!mentions.isEmpty)
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
        return RenderedPage(folder: folder, html: renderer.templates.render("audit-domain", context), json: twin.file(), csv: nil)
    }

    func legal() -> RenderedPage {
        let folder = SitePath.auditLegal
        var context = base(folder: folder, title: "Konteks hukum")
        context["instruments"] = .objects(audit.legal.instruments.map { instrument -> TemplateObject in
            ["id": .text(instrument.id), "name": .text(instrument.name), "summary": .object(localized(instrument.summary)),
             "sources": .objects(instrument.sources.map(sourceContext))]
        })
        let twin = JSONValue.object([
            ("instruments", .array(audit.legal.instruments.map { instrument in
                .object([("id", .string(instrument.id)), ("name", .string(instrument.name)), ("summary", self.json(instrument.summary)),
                         ("sources", .array(instrument.sources.map(sourceJSON)))])
            })),
        ])
        return RenderedPage(folder: folder, html: renderer.templates.render("audit-legal", context), json: twin.file(), csv: nil)
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

    func localized(_ text: Localized) -> TemplateObject { ["id": .text(text.id), "en": .text(text.en)] }

    /// Links to a finding's sources by id; `prefix` goes before the `#id` anchor (a finding's page, from elsewhere).
    func sourceLinks(_ ids: [String], prefix: String = "") -> [TemplateObject] {
        ids.map { ["source": .text($0), "href": .text(prefix + "#" + $0)] }
    }

    func sourceContext(_ source: Finding.Source) -> TemplateObject {
        ["source": .text(source.id), "title": .text(source.title), "title_from_url": .flag(source.titleFromURL ?? false),
         "publisher": .text(source.publisher), "date": source.date.map(TemplateValue.text) ?? false,
         "url": .text(source.url), "kind": .text(source.kind.rawValue)]
    }

    func referenceContext(_ reference: VerifiedReference, root: String) -> TemplateObject {
        let table = reference.table
        return ["name": .text(table.name), "snapshot": .text(table.snapshot), "source": .text(table.source), "licence": .text(table.licence),
                "href": .text(root + "audit/reference/" + table.file), "file": .text(table.file),
                "sha256": .text(table.sha256), "bytes": .text(Format.count(reference.bytes)), "example": .flag(table.example),
                "note": .object(localized(table.note)), "rows": .text(Format.count(reference.lookup.entries.count))]
    }

    /// A reported address with what each dated reference table says of it; `linked` pages (domain
    /// pages) point the source links and the finding at the finding's own page.
    func addressContext(_ address: Finding.ReportedAddress, in finding: Finding, linked: Bool, root: String) -> TemplateObject {
        let findingPage = root + SitePath.auditFinding(finding.id)
        return [
            "address": .text(address.address), "holder": address.reportedHolder.map(TemplateValue.text) ?? false,
            "reported_on": address.reportedOn.map(TemplateValue.text) ?? false,
            "sources": .objects(sourceLinks(address.sources, prefix: linked ? findingPage : "")),
            "finding": linked ? ["id": .text(finding.id), "href": .text(findingPage)] : false,
            "attribution": .objects(attributionContext(address.address, example: finding.status == .example)),
        ]
    }

    /// One line per applicable reference table: the AS, its holder and registration country, or "not in the table".
    func attributionContext(_ address: String, example: Bool) -> [TemplateObject] {
        audit.attribution(of: address, example: example).map { attribution -> TemplateObject in
            ["table": .text(attribution.reference.name), "snapshot": .text(attribution.reference.snapshot),
             "example": .flag(attribution.reference.example),
             "found": .flag(attribution.entry != nil), "routed": .flag(attribution.entry?.isRouted ?? false),
             "asn": .text(attribution.entry.map { String($0.asn) } ?? ""), "country": .text(attribution.entry?.country ?? ""),
             "as_holder": .text(attribution.entry?.holder ?? "")]
        }
    }

    func evidenceContext(_ evidence: VerifiedEvidence, root: String) -> TemplateObject {
        let item = evidence.item
        var context: TemplateObject = [
            "id": .text(item.id), "type": .text(item.type.rawValue), "description": item.description.map { .object(localized($0)) } ?? false,
            "file": .text(root + SitePath.auditEvidence(item.path)), "path": .text(item.path), "sha256": .text(item.sha256),
            "bytes": .text(Format.count(evidence.bytes)), "tool": .text(item.tool.name), "tool_version": .text(item.tool.version),
            "command": .text(item.command), "captured_at": .text(item.capturedAt), "vantage_network": .text(item.vantage.network),
            "vantage_country": .text(item.vantage.country), "vantage_resolver": item.vantage.resolver.map(TemplateValue.text) ?? false,
            "example": .flag(item.example),
            "nmap": false, "dig": false, "headers": false, "certificates": false, "testssl": false,
        ]
        switch evidence.parsed {
        case .nmap(let scan): context["nmap"] = .object(nmapContext(scan, example: item.example))
        case .dig(let output): context["dig"] = .object(digContext(output, example: item.example))
        case .httpHeaders(let capture): context["headers"] = .object(headersContext(capture))
        case .certificates(let pem): context["certificates"] = ["list": .objects(pem.certificates.map(certificateContext))]
        case .testssl(let report): context["testssl"] = .object(testsslContext(report))
        case .unparsed: break
        }
        return context
    }

    func nmapContext(_ scan: NmapScan, example: Bool) -> TemplateObject {
        ["version": .text(scan.version), "arguments": .text(scan.arguments), "started": .text(scan.started),
         "hosts": .objects(scan.hosts.map { host -> TemplateObject in
             ["state": .text(host.state), "addresses": .text(host.addresses.map { "\($0.address) (\($0.type))" }.joined(separator: ", ")),
              "ip_addresses": .objects(host.addresses.filter { $0.type != "mac" }.map { address -> TemplateObject in
                  ["address": .text(address.address), "attribution": .objects(attributionContext(address.address, example: example))]
              }),
              "hostnames": .objects(host.hostnames.map { ["name": .text($0.name), "type": .text($0.type)] }),
              "ports": .objects(host.ports.map { port -> TemplateObject in
                  ["port": .number(port.number), "protocol": .text(port.protocolName), "state": .text(port.state), "open": .flag(port.isOpen),
                   "service": .text(port.service ?? ""), "product": .text(port.product ?? ""), "version": .text(port.version ?? ""),
                   "extra": .text(port.extraInfo ?? ""), "tunnel": port.tunnel.map(TemplateValue.text) ?? false]
              }),
              "certificates": .objects(host.ports.compactMap { port -> TemplateObject? in
                  guard let certificate = port.certificate else { return nil }
                  return ["port": .number(port.number),
                          "subject": .text(NmapScan.ScriptCertificate.distinguishedName(certificate.subject)),
                          "issuer": .text(NmapScan.ScriptCertificate.distinguishedName(certificate.issuer)),
                          "not_before": .text(certificate.notBefore ?? ""), "not_after": .text(certificate.notAfter ?? ""),
                          "sans": .text(certificate.subjectAlternativeNames.joined(separator: ", ")),
                          "sha256": .text(certificate.sha256 ?? ""), "public_key": .text(certificate.publicKey ?? ""),
                          "signature": .text(certificate.signatureAlgorithm ?? "")]
              })]
         })]
    }

    func digContext(_ output: DigOutput, example: Bool) -> TemplateObject {
        ["queries": .objects(output.queries.map { query -> TemplateObject in
            let sections = [("answer", query.answer), ("authority", query.authority), ("additional", query.additional)]
            return ["version": .text(query.digVersion ?? ""), "arguments": .text(query.arguments ?? ""), "status": .text(query.status ?? ""),
                    "flags": .text(query.flags ?? ""), "server": .text(query.server ?? ""), "when": .text(query.when ?? ""),
                    "query_time": .text(query.queryTime ?? ""), "question": .text(query.question.joined(separator: "; ")),
                    "records": .objects(sections.flatMap { name, records in
                        records.map { record -> TemplateObject in
                            let isAddress = record.type == "A" || record.type == "AAAA"
                            return ["section": .text(name), "name": .text(record.name), "ttl": .text(record.ttl.map(String.init) ?? ""),
                                    "class": .text(record.recordClass), "type": .text(record.type), "data": .text(record.data),
                                    "address_record": .flag(isAddress),
                                    "attribution": .objects(isAddress ? attributionContext(record.data, example: example) : [])]
                        }
                    })]
        })]
    }

    func headersContext(_ capture: HTTPHeaderCapture) -> TemplateObject {
        ["responses": .objects(capture.responses.map { response -> TemplateObject in
            ["status_line": .text(response.statusLine),
             "headers": .objects(response.headers.map { ["name": .text($0.name), "value": .text($0.value)] }),
             "hints": .objects(response.cdnHints.map { ["provider": .text($0.provider), "header": .text($0.header), "value": .text($0.value)] }),
             "has_hints": .flag(!response.cdnHints.isEmpty)]
        })]
    }

    func certificateContext(_ certificate: PEMCertificates.Summary) -> TemplateObject {
        ["subject": .text(certificate.subject), "issuer": .text(certificate.issuer), "serial": .text(certificate.serialNumber),
         "not_before": .text(certificate.notBefore), "not_after": .text(certificate.notAfter),
         "sans": .text(certificate.subjectAlternativeNames.joined(separator: ", ")), "sha256": .text(certificate.sha256),
         "public_key": .text(certificate.publicKey), "signature": .text(certificate.signatureAlgorithm)]
    }

    func testsslContext(_ report: TestSSLReport) -> TemplateObject {
        ["version": .text(report.version ?? ""), "invocation": .text(report.invocation ?? ""), "start": .text(report.startTime ?? ""),
         "items": .objects(report.items.map { item -> TemplateObject in
             ["section": .text(item.section ?? ""), "id": .text(item.id), "target": .text(item.target ?? ""), "port": .text(item.port ?? ""),
              "severity": .text(item.severity), "finding": .text(item.finding), "cve": .text(item.cve ?? "")]
         })]
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
