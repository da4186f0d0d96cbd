import Export
import Quality
import SirekapFormat
import Store

/// What the quality rules and the revision history say of one TPS.
public struct TPSQuality: Sendable {
    /// Rules that flag the current version.
    public let anomalies: [Anomaly]
    /// Changes between consecutive versions, newest first.
    public let revisions: [Revision]

    public init(versions: [Store.TPSVersion]) {
        anomalies = versions.first.map { QualityCheck.anomalies(in: $0.result) } ?? []
        revisions = Revision.history(versions.map(\.result))
    }
}

/// One rendered page: its HTML and its machine-readable twin, plus a CSV for region pages.
public struct RenderedPage: Sendable {
    /// Folder of the page, relative to the site root, ending in `/`.
    public let folder: String
    public let html: String
    public let json: String
    public let csv: String?
}

/// Turns store data into pages through the templates. Pure: the same data gives the same bytes.
public struct PageRenderer: Sendable {
    public let templates: Templates
    public let site: SiteInfo

    public init(templates: Templates, site: SiteInfo) {
        self.templates = templates
        self.site = site
    }

    /// KPU's labels for the C1 form's voter rows (fields `{base}_l`, `_p`, `_j`).
    static let voterRows: [(base: String, label: String)] = [
        ("pemilih_dpt", "Pemilih terdaftar dalam DPT"),
        ("pengguna_dpt", "Pengguna hak pilih dalam DPT"),
        ("pengguna_dptb", "Pengguna hak pilih dalam DPTb"),
        ("pengguna_non_dpt", "Pengguna hak pilih dalam DPK"),
        ("pengguna_total", "Jumlah pengguna hak pilih"),
    ]

    /// KPU's labels for the C1 form's ballot rows.
    static let ballotRows: [(field: String, label: String)] = [
        ("suara_sah", "A. Jumlah seluruh suara sah"),
        ("suara_tidak_sah", "B. Jumlah suara tidak sah"),
        ("suara_total", "C. Jumlah seluruh suara sah dan suara tidak sah"),
    ]

    // MARK: Shared parts

    /// What every page context holds: the way back to the site root, the titles, the DEMO flag.
    public func base(folder: String, title: String) -> [String: Any] {
        [
            "root": SitePath.root(from: folder),
            "site_title": site.title,
            "title": title,
            "demo": site.demo,
        ]
    }

    /// Links from the nation down to the parent of `code`.
    func breadcrumbs(to code: RegionCode?, tree: RegionTree, root: String) -> [[String: Any]] {
        guard let code else { return [] }
        var crumbs: [[String: Any]] = [["name": RegionTree.nationName, "href": root + SitePath.folder(nil)]]
        for ancestor in code.lineage.dropLast() {
            crumbs.append(["name": tree.name(of: ancestor), "href": root + SitePath.folder(ancestor)])
        }
        return crumbs
    }

    func chartJSON(_ votes: CandidateVotes?) -> JSONValue {
        guard let votes else { return .null }
        return .object(votes.entries.map { ($0.candidate, JSONValue.optional($0.votes)) })
    }

    func administrasiJSON(_ form: Administrasi?) -> JSONValue {
        guard let form else { return .null }
        return .object(Administrasi.fieldNames.map { ($0, JSONValue.optional(form[$0])) })
    }

    func sourceJSON(_ source: Store.Source?, url: String) -> JSONValue {
        .object([
            ("url", .string(source?.url ?? url)),
            ("sha256", .optional(source?.rawSHA256)),
            ("retrieved", .optional(source?.retrieved)),
            ("imported", .optional(source?.importedAt)),
        ])
    }

    // MARK: Regions

    /// The page of the nation (`code` nil) or of a region above TPS level. For a village,
    /// `tpsResults` holds the current result of each of its TPS (the tree holds no TPS data).
    public func regionPage(_ node: RegionTree.Node, tree: RegionTree, kpu: Store.AggregateVersion?,
                           tpsResults: [RegionCode: TPSResult] = [:]) -> RenderedPage {
        func sums(of child: RegionCode) -> ComputedTotals {
            if let node = tree.nodes[child] { return node.totals }
            var single = ComputedTotals()
            let result = tpsResults[child]
            single.add(result, flags: result.map { QualityCheck.anomalies(in: $0).map(\.rule.id) } ?? [])
            return single
        }
        let folder = SitePath.folder(node.code)
        let level = node.code?.level
        let levelName = level?.kpuName ?? ""
        let title = node.code == nil ? "Hasil hitung suara Pilpres 2024, nasional" : "\(levelName) \(node.name)"
        var context = base(folder: folder, title: title)
        let root = context["root"] as! String
        let totals = node.totals
        let kpuChart = kpu?.aggregate.chart
        let kpuTable = Dictionary(uniqueKeysWithValues: (kpu?.aggregate.table ?? []).map { ($0.code, $0) })
        let candidates = site.candidates(including: Array(totals.votes.keys) + (kpuChart?.votes.candidates ?? []))

        context["heading"] = title
        context["name"] = node.name
        context["code"] = node.code?.rawValue ?? ""
        context["level_name"] = levelName
        context["is_listed"] = node.isListed
        context["breadcrumbs"] = breadcrumbs(to: node.code, tree: tree, root: root)
        context["candidates"] = candidates.map { candidate -> [String: Any] in
            let computed = totals.votes[candidate.id] ?? 0
            var row: [String: Any] = ["number": candidate.number, "name": candidate.name, "computed": Format.count(computed)]
            if let chart = kpuChart {
                let published = chart.votes[candidate.id]
                row["kpu_votes"] = Format.count(published)
                row["difference"] = published.map { Format.difference($0 - computed) } ?? "–"
            }
            return row
        }
        context["totals"] = [
            "suara_sah": Format.count(totals.suaraSah), "suara_tidak_sah": Format.count(totals.suaraTidakSah),
            "tps_total": Format.count(totals.tpsTotal), "tps_with_results": Format.count(totals.tpsWithResults),
            "tps_with_administrasi": Format.count(totals.tpsWithAdministrasi),
        ]
        if let kpu {
            let source = kpu.sources.first
            context["kpu"] = [
                "ts": Format.wib(kpu.aggregate.ts.text),
                "persen": kpuChart?.persen.map { "\($0)" } ?? "–",
                "progres": Format.count(kpu.aggregate.progres?.progres),
                "progres_total": Format.count(kpu.aggregate.progres?.total),
                "url": source?.url ?? SitePath.kpuJSON(node.code),
                "sha256": source?.rawSHA256 ?? "",
                "retrieved": source?.retrieved ?? "",
            ] as [String: Any]
        }
        let childLevel = level?.child ?? .province
        context["child_level_name"] = childLevel.kpuName
        context["tps_children"] = childLevel == .tps
        context["candidate_numbers"] = candidates.map { ["number": $0.number] }
        context["children"] = node.children.map { child -> [String: Any] in
            let childTotals = sums(of: child)
            let hasResult = childTotals.tpsWithResults > 0
            return [
                "code": child.rawValue,
                "name": tree.name(of: child),
                "href": child.rawValue + "/",
                "tps": childLevel == .tps ? (hasResult ? "ada" : "belum")
                    : "\(Format.count(childTotals.tpsWithResults)) / \(Format.count(childTotals.tpsTotal))",
                "votes": candidates.map { candidate in
                    ["value": hasResult || childLevel != .tps ? Format.count(childTotals.votes[candidate.id] ?? 0) : "–"]
                },
            ]
        }
        context["kpu_page"] = SitePath.kpuPage(node.code)
        context["kpu_json"] = SitePath.kpuJSON(node.code)
        context["permanent_url"] = site.permanentURL(folder)
        context["anomalies"] = Rule.allCases.compactMap { rule -> [String: Any]? in
            guard let count = totals.flagged[rule.id], count > 0 else { return nil }
            return ["rule": rule.id, "title": rule.title, "count": Format.count(count),
                    "href": root + SitePath.anomalyList(rule, province: node.code?.province)]
        }
        context["methodology"] = root + "metodologi/"

        let html = templates.render("region", context)
        let json = regionTwin(node, tree: tree, kpu: kpu, folder: folder, totals: sums(of:))
        let csv = regionCSV(node, tree: tree, candidates: candidates, kpuTable: kpuTable, totals: sums(of:))
        return RenderedPage(folder: folder, html: html, json: json.serialized() + "\n", csv: csv)
    }

    func computedJSON(_ totals: ComputedTotals, allRules: Bool = true) -> JSONValue {
        let rules = Rule.allCases.filter { allRules || (totals.flagged[$0.id] ?? 0) > 0 }
        return .object([
            ("chart", .object(totals.votes.keys.sorted().map { ($0, JSONValue.int(totals.votes[$0]!)) })),
            ("suara_sah", .int(totals.suaraSah)),
            ("suara_tidak_sah", .int(totals.suaraTidakSah)),
            ("tps_total", .int(totals.tpsTotal)),
            ("tps_with_results", .int(totals.tpsWithResults)),
            ("tps_with_administrasi", .int(totals.tpsWithAdministrasi)),
            ("anomalies", .object(rules.map { ($0.id, JSONValue.int(totals.flagged[$0.id] ?? 0)) })),
        ])
    }

    func regionTwin(_ node: RegionTree.Node, tree: RegionTree, kpu: Store.AggregateVersion?, folder: String,
                    totals: (RegionCode) -> ComputedTotals) -> JSONValue {
        let kpuJSON: JSONValue = kpu.map { kpu in
            .object([
                ("chart", chartJSON(kpu.aggregate.chart?.votes)),
                ("persen", .optional(kpu.aggregate.chart?.persen)),
                ("progres", .object([("total", .optional(kpu.aggregate.progres?.total)),
                                     ("progres", .optional(kpu.aggregate.progres?.progres))])),
                ("ts", .string(kpu.aggregate.ts.text)),
                ("table", .object(kpu.aggregate.table.map { row in
                    (row.code.rawValue, .object([
                        ("chart", chartJSON(row.votes.isEmpty ? nil : row.votes)),
                        ("persen", .optional(row.persen)),
                        ("status_progress", row.statusProgress.map(JSONValue.bool) ?? .null),
                    ]))
                })),
                ("source", sourceJSON(kpu.sources.first, url: SitePath.kpuJSON(node.code))),
            ])
        } ?? .null
        let children: [JSONValue] = node.children.map { child in
            var members: [(String, JSONValue)] = [
                ("code", .string(child.rawValue)),
                ("name", .string(tree.rawName(of: child))),
                ("level", .int(child.level.rawValue)),
                ("url", .string(SitePath.folder(child))),
            ]
            members.append(("computed", computedJSON(totals(child), allRules: false)))
            return .object(members)
        }
        return .object([
            ("code", .optional(node.code?.rawValue)),
            ("name", .string(node.rawName)),
            ("level", .int(node.code?.level.rawValue ?? 0)),
            ("url", .string(folder)),
            ("demo", .bool(site.demo)),
            ("computed", computedJSON(node.totals)),
            ("kpu", kpuJSON),
            ("children", .array(children)),
        ])
    }

    func regionCSV(_ node: RegionTree.Node, tree: RegionTree, candidates: [Candidate],
                   kpuTable: [RegionCode: Aggregate.Row], totals: (RegionCode) -> ComputedTotals) -> String {
        var header = ["code", "name", "tps_total", "tps_with_results", "tps_with_administrasi"]
        header += candidates.map { "votes_\($0.id)" } + ["suara_sah", "suara_tidak_sah"]
        header += candidates.map { "kpu_votes_\($0.id)" }
        var text = CSV.row(header)
        for child in node.children {
            let sums = totals(child)
            var fields: [String?] = [child.rawValue, tree.rawName(of: child)]
            fields += [String(sums.tpsTotal), String(sums.tpsWithResults), String(sums.tpsWithAdministrasi)]
            fields += candidates.map { String(sums.votes[$0.id] ?? 0) }
            fields += [String(sums.suaraSah), String(sums.suaraTidakSah)]
            fields += candidates.map { candidate in kpuTable[child].flatMap { $0.votes[candidate.id] }.map(String.init) }
            text += CSV.row(fields)
        }
        return text
    }

    // MARK: TPS

    /// A polling station's page. `versions` is newest first and may be empty (listed, no result);
    /// `quality` is what the rules and the revision history say of them, computed once by the caller
    /// (the downloads need the same), or here when not given.
    public func tpsPage(_ code: RegionCode, tree: RegionTree, versions: [Store.TPSVersion],
                        quality: TPSQuality? = nil) -> RenderedPage {
        let quality = quality ?? TPSQuality(versions: versions)
        let anomalies = quality.anomalies
        let revisions = quality.revisions
        let folder = SitePath.folder(code)
        let name = tree.name(of: code)
        let villageName = tree.name(of: code.parent!)
        let title = "\(name), \(villageName)"
        var context = base(folder: folder, title: title)
        let root = context["root"] as! String
        context["heading"] = title
        context["code"] = code.rawValue
        context["breadcrumbs"] = breadcrumbs(to: code, tree: tree, root: root)
        context["kpu_page"] = SitePath.kpuPage(code)
        context["kpu_json"] = SitePath.kpuJSON(code)
        context["permanent_url"] = site.permanentURL(folder)

        if let current = versions.first {
            let result = current.result
            context["has_version"] = true
            context["has_chart"] = result.chart != nil
            let candidates = site.candidates(including: result.chart?.candidates ?? [])
            context["votes"] = candidates.map { candidate -> [String: Any] in
                ["number": candidate.number, "name": candidate.name, "votes": Format.count(result.chart?[candidate.id])]
            }
            if let form = result.administrasi {
                context["administrasi"] = [
                    "voters": PageRenderer.voterRows.map { row -> [String: Any] in
                        ["label": row.label, "field": row.base,
                         "l": Format.count(form[row.base + "_l"]), "p": Format.count(form[row.base + "_p"]),
                         "j": Format.count(form[row.base + "_j"])]
                    },
                    "ballots": PageRenderer.ballotRows.map { row -> [String: Any] in
                        ["label": row.label, "field": row.field, "value": Format.count(form[row.field])]
                    },
                ] as [String: Any]
            }
            context["psu"] = result.psu ?? "–"
            context["mode"] = result.mode ?? "–"
            context["ts"] = Format.wib(result.ts.text)
            context["ts_utc"] = result.ts.iso8601UTC
            context["status_suara"] = result.statusSuara ? "true" : "false"
            context["status_adm"] = result.statusAdm ? "true" : "false"
            context["images"] = result.images.enumerated().compactMap { index, url -> [String: Any]? in
                url.map { ["page": index + 1, "url": $0] }
            }
            let source = current.sources.first
            context["source"] = [
                "sha256": source?.rawSHA256 ?? "",
                "retrieved": source?.retrieved ?? "",
                "imported": source?.importedAt ?? "",
                "copies": current.sources.map { copy -> [String: Any] in
                    ["sha256": copy.rawSHA256, "bytes": Format.count(copy.bytes),
                     "mirror": mirrorName(copy.root), "path": copy.path, "retrieved": copy.retrieved]
                },
            ] as [String: Any]
            context["versions"] = versions.enumerated().map { index, version -> [String: Any] in
                [
                    "ts": Format.wib(version.result.ts.text),
                    "current": index == 0,
                    "votes": candidates.map { ["value": Format.count(version.result.chart?[$0.id])] },
                    "suara_sah": Format.count(version.result.administrasi?["suara_sah"]),
                    "sha256": version.sources.first?.rawSHA256 ?? "",
                ]
            }
            context["candidate_numbers"] = candidates.map { ["number": $0.number] }
            context["version_count"] = versions.count
            context["cite"] = [
                "url": site.permanentURL(folder),
                "ts": result.ts.text,
                "sha256": source?.rawSHA256 ?? "",
            ]
            context["anomalies"] = anomalies.map { anomaly -> [String: Any] in
                ["rule": anomaly.rule.id, "title": anomaly.rule.title, "condition": anomaly.rule.condition,
                 "detail": anomaly.detail, "href": root + "metodologi/#" + anomaly.rule.id]
            }
            context["revisions"] = revisions.map { revision -> [String: Any] in
                ["from_ts": Format.wib(revision.fromTS), "to_ts": Format.wib(revision.toTS),
                 "changes": revision.changes.map { ["field": $0.field, "old": $0.old ?? "null", "new": $0.new ?? "null"] }]
            }
        }
        let html = templates.render("tps", context)
        let twin = tpsTwin(code, tree: tree, versions: versions, anomalies: anomalies, revisions: revisions)
        return RenderedPage(folder: folder, html: html, json: twin.serialized() + "\n", csv: nil)
    }

    func tpsTwin(_ code: RegionCode, tree: RegionTree, versions: [Store.TPSVersion], anomalies: [Anomaly],
                 revisions: [Revision]) -> JSONValue {
        let current = versions.first?.result
        let history: [JSONValue] = versions.map { version in
            .object([
                ("ts", .string(version.result.ts.text)),
                ("chart", chartJSON(version.result.chart)),
                ("administrasi", administrasiJSON(version.result.administrasi)),
                ("sha256", .optional(version.sources.first?.rawSHA256)),
                ("content_sha256", .string(version.contentSHA256)),
            ])
        }
        return .object([
            ("code", .string(code.rawValue)),
            ("name", .string(tree.rawName(of: code))),
            ("url", .string(SitePath.folder(code))),
            ("demo", .bool(site.demo)),
            ("region", .object(code.lineage.dropLast().map { ancestor in
                ([.province: "province", .regency: "regency", .district: "district", .village: "village"][ancestor.level]!,
                 .object([("code", .string(ancestor.rawValue)), ("name", .string(tree.rawName(of: ancestor)))]))
            })),
            ("chart", chartJSON(current?.chart)),
            ("administrasi", administrasiJSON(current?.administrasi)),
            ("images", .array((current?.images ?? []).map(JSONValue.optional))),
            ("psu", .optional(current?.psu)),
            ("mode", .optional(current?.mode)),
            ("ts", .optional(current?.ts.text)),
            ("ts_utc", .optional(current?.ts.iso8601UTC)),
            ("status_suara", current.map { .bool($0.statusSuara) } ?? .null),
            ("status_adm", current.map { .bool($0.statusAdm) } ?? .null),
            ("source", sourceJSON(versions.first?.sources.first, url: SitePath.kpuJSON(code))),
            ("history", .array(history)),
            ("anomalies", .array(anomalies.map { .string($0.rule.id) })),
            ("anomaly_details", .array(anomalies.map { .object([("rule", .string($0.rule.id)), ("detail", .string($0.detail))]) })),
            ("revisions", .array(revisions.map { revision in
                .object([
                    ("from_ts", .string(revision.fromTS)),
                    ("to_ts", .string(revision.toTS)),
                    ("changes", .array(revision.changes.map { change in
                        .object([("field", .string(change.field)), ("old", .optional(change.old)), ("new", .optional(change.new))])
                    })),
                ])
            })),
        ])
    }
}

/// A mirror's folder name, never its full local path (which would publish the importer's file system).
func mirrorName(_ root: String) -> String {
    String(root.split(separator: "/").last ?? "")
}
