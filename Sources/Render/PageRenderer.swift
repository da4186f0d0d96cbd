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
    public let html: [UInt8]
    public let json: [UInt8]
    public let csv: [UInt8]?
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

    /// The voter rows with the positions of their fields in `Administrasi.slots`, and the ballot
    /// rows with theirs: found once, not by name on every TPS page.
    static let voterSlots: [(base: String, label: String, l: Int, p: Int, j: Int)] = voterRows.map { row in
        (row.base, row.label, slot(row.base + "_l"), slot(row.base + "_p"), slot(row.base + "_j"))
    }
    static let ballotSlots: [(field: String, label: String, slot: Int)] = ballotRows.map { ($0.field, $0.label, slot($0.field)) }

    private static func slot(_ field: String) -> Int {
        guard let position = Administrasi.position(of: field) else { preconditionFailure("\(field) is not a field of the C1 form") }
        return position
    }

    // MARK: Shared parts

    /// What every page context holds: the way back to the site root, the titles, the DEMO flag.
    public func base(folder: String, title: String) -> TemplateObject {
        base(root: SitePath.root(from: folder), title: title)
    }

    /// The same, for a caller that has the way back to the root already.
    func base(root: String, title: String) -> TemplateObject {
        [
            "root": .text(root),
            "site_title": .text(site.title),
            "title": .text(title),
            "demo": .flag(site.demo),
        ]
    }

    /// Links from the nation down to the parent of `code`.
    func breadcrumbs(to code: RegionCode?, tree: RegionTree, root: String) -> TemplateValue {
        guard let code else { return [] }
        var crumbs: [TemplateValue] = [["name": .text(RegionTree.nationName), "href": .text(root + SitePath.folder(nil))]]
        for ancestor in code.lineage.dropLast() {
            crumbs.append(["name": .text(tree.name(of: ancestor)), "href": .text(root + SitePath.folder(ancestor))])
        }
        return .list(crumbs)
    }

    func chartJSON(_ votes: CandidateVotes?) -> JSONValue {
        guard let votes else { return .null }
        return .object(votes.entries.map { ($0.candidate, JSONValue.optional($0.votes)) })
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

    /// What a village page shows of one TPS: its current result (nil: none held) summed alone,
    /// with the rules that flag it.
    public static func tpsSums(_ result: TPSResult?, flags: [String]) -> ComputedTotals {
        var single = ComputedTotals()
        single.add(result, flags: flags)
        return single
    }

    /// The same, running the rules on the result here.
    public static func tpsSums(_ result: TPSResult?) -> ComputedTotals {
        tpsSums(result, flags: result.map { QualityCheck.anomalies(in: $0).map(\.rule.id) } ?? [])
    }

    /// The page of the nation (`code` nil) or of a region above TPS level. For a village,
    /// `tpsSums` holds each of its TPS summed alone (`tpsSums(_:)`; the tree holds no TPS data).
    public func regionPage(_ node: RegionTree.Node, tree: RegionTree, kpu: Store.AggregateVersion?,
                           tpsSums: [RegionCode: ComputedTotals] = [:]) -> RenderedPage {
        func sums(of child: RegionCode) -> ComputedTotals {
            tree.nodes[child]?.totals ?? tpsSums[child] ?? PageRenderer.tpsSums(nil)
        }
        // The children's names once: a village's TPS names sit beside its children in the tree.
        let childNames = node.code?.level == .village
            ? tree.tpsNames(in: node) : node.children.map { (tree.rawName(of: $0), tree.name(of: $0)) }
        let folder = SitePath.folder(node.code)
        let level = node.code?.level
        let levelName = level?.kpuName ?? ""
        let title = node.code == nil ? "Hasil hitung suara Pilpres 2024, nasional" : "\(levelName) \(node.name)"
        let root = SitePath.root(from: folder)
        var context = base(root: root, title: title)
        let totals = node.totals
        let kpuChart = kpu?.aggregate.chart
        let kpuTable = Dictionary(uniqueKeysWithValues: (kpu?.aggregate.table ?? []).map { ($0.code, $0) })
        let candidates = site.candidates(including: Array(totals.votes.keys) + (kpuChart?.votes.candidates ?? []))

        context["heading"] = .text(title)
        context["name"] = .text(node.name)
        context["code"] = .text(node.code?.rawValue ?? "")
        context["level_name"] = .text(levelName)
        context["is_listed"] = .flag(node.isListed)
        context["breadcrumbs"] = breadcrumbs(to: node.code, tree: tree, root: root)
        context["candidates"] = .objects(candidates.map { candidate in
            let computed = totals.votes[candidate.id] ?? 0
            var row: TemplateObject = ["number": .number(candidate.number), "name": .text(candidate.name), "computed": .text(Format.count(computed))]
            if let chart = kpuChart {
                let published = chart.votes[candidate.id]
                row["kpu_votes"] = .text(Format.count(published))
                row["difference"] = .text(published.map { Format.difference($0 - computed) } ?? "–")
            }
            return row
        })
        context["totals"] = [
            "suara_sah": .text(Format.count(totals.suaraSah)), "suara_tidak_sah": .text(Format.count(totals.suaraTidakSah)),
            "tps_total": .text(Format.count(totals.tpsTotal)), "tps_with_results": .text(Format.count(totals.tpsWithResults)),
            "tps_with_administrasi": .text(Format.count(totals.tpsWithAdministrasi)),
        ]
        if let kpu {
            let source = kpu.sources.first
            context["kpu"] = [
                "ts": .text(Format.wib(kpu.aggregate.ts.text)),
                "persen": .text(kpuChart?.persen.map { "\($0)" } ?? "–"),
                "progres": .text(Format.count(kpu.aggregate.progres?.progres)),
                "progres_total": .text(Format.count(kpu.aggregate.progres?.total)),
                "url": .text(source?.url ?? SitePath.kpuJSON(node.code)),
                "sha256": .text(source?.rawSHA256 ?? ""),
                "retrieved": .text(source?.retrieved ?? ""),
            ]
        }
        let childLevel = level?.child ?? .province
        context["child_level_name"] = .text(childLevel.kpuName)
        context["tps_children"] = .flag(childLevel == .tps)
        context["candidate_numbers"] = .list(candidates.map { ["number": .number($0.number)] })
        // Each child's totals once (a TPS child's are summed here, its rules run): the page, the
        // twin and the CSV all list them.
        let childSums = node.children.map(sums(of:))
        context["children"] = .objects(zip(zip(node.children, childSums), childNames).map { pair, names in
            let (child, childTotals) = pair
            let hasResult = childTotals.tpsWithResults > 0
            return [
                "code": .text(child.rawValue),
                "name": .text(names.display),
                "href": .text(child.rawValue + "/"),
                "tps": .text(childLevel == .tps ? (hasResult ? "ada" : "belum")
                    : "\(Format.count(childTotals.tpsWithResults)) / \(Format.count(childTotals.tpsTotal))"),
                "votes": .list(candidates.map { candidate in
                    ["value": .text(hasResult || childLevel != .tps ? Format.count(childTotals.votes[candidate.id] ?? 0) : "–")]
                }),
            ]
        })
        context["kpu_page"] = .text(SitePath.kpuPage(node.code))
        context["kpu_json"] = .text(SitePath.kpuJSON(node.code))
        context["permanent_url"] = .text(site.permanentURL(folder))
        context["anomalies"] = .objects(Rule.allCases.compactMap { rule -> TemplateObject? in
            guard let count = totals.flagged[rule.id], count > 0 else { return nil }
            return ["rule": .text(rule.id), "title": .text(rule.title), "count": .text(Format.count(count)),
                    "href": .text(root + SitePath.anomalyList(rule, province: node.code?.province))]
        })
        context["methodology"] = .text(root + "metodologi/")

        let html = templates.render("region", context)
        let json = regionTwin(node, childNames: childNames, kpu: kpu, folder: folder, childSums: childSums)
        let csv = regionCSV(node, childNames: childNames, candidates: candidates, kpuTable: kpuTable, childSums: childSums)
        return RenderedPage(folder: folder, html: html, json: json, csv: csv)
    }

    /// A region's computed totals in its twin (`allRules` false: only the rules that flag some TPS).
    func writeComputed(_ totals: ComputedTotals, allRules: Bool = true, into json: inout JSONWriter) {
        json.object { json in
            json.key("chart")
            json.object { json in
                for candidate in totals.votes.keys.sorted() {
                    json.key(candidate)
                    json.int(totals.votes[candidate]!)
                }
            }
            json.key("suara_sah"); json.int(totals.suaraSah)
            json.key("suara_tidak_sah"); json.int(totals.suaraTidakSah)
            json.key("tps_total"); json.int(totals.tpsTotal)
            json.key("tps_with_results"); json.int(totals.tpsWithResults)
            json.key("tps_with_administrasi"); json.int(totals.tpsWithAdministrasi)
            json.key("anomalies")
            json.object { json in
                for rule in Rule.allCases where allRules || (totals.flagged[rule.id] ?? 0) > 0 {
                    json.key(rule.id)
                    json.int(totals.flagged[rule.id] ?? 0)
                }
            }
        }
    }

    /// A region page's JSON twin, written member by member like the TPS twins (`JSONWriter`).
    func regionTwin(_ node: RegionTree.Node, childNames: [(raw: String, display: String)], kpu: Store.AggregateVersion?,
                    folder: String, childSums: [ComputedTotals]) -> [UInt8] {
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
        var json = JSONWriter()
        json.out.reserveCapacity(512 * (node.children.count + 2))
        json.object { json in
            json.key("code"); json.string(node.code?.rawValue)
            json.key("name"); json.string(node.rawName)
            json.key("level"); json.int(node.code?.level.rawValue ?? 0)
            json.key("url"); json.string(folder)
            json.key("demo"); json.bool(site.demo)
            json.key("computed"); writeComputed(node.totals, into: &json)
            json.key("kpu"); json.value(kpuJSON)
            json.key("children")
            json.array { json in
                for ((child, sums), names) in zip(zip(node.children, childSums), childNames) {
                    json.object { json in
                        json.key("code"); json.string(child.rawValue)
                        json.key("name"); json.string(names.raw)
                        json.key("level"); json.int(child.level.rawValue)
                        json.key("url"); json.string(SitePath.folder(child))
                        json.key("computed"); writeComputed(sums, allRules: false, into: &json)
                    }
                }
            }
        }
        json.out.append(0x0A)
        return json.out
    }

    func regionCSV(_ node: RegionTree.Node, childNames: [(raw: String, display: String)], candidates: [Candidate],
                   kpuTable: [RegionCode: Aggregate.Row], childSums: [ComputedTotals]) -> [UInt8] {
        var header = ["code", "name", "tps_total", "tps_with_results", "tps_with_administrasi"]
        header += candidates.map { "votes_\($0.id)" } + ["suara_sah", "suara_tidak_sah"]
        header += candidates.map { "kpu_votes_\($0.id)" }
        var text: [UInt8] = []
        text.reserveCapacity(128 * (node.children.count + 1))
        CSV.append(header, to: &text)
        var row = CSVRowBuffer()
        for ((child, sums), names) in zip(zip(node.children, childSums), childNames) {
            row.reset()
            row.field(child.rawValue)
            row.field(names.raw)
            for count in [sums.tpsTotal, sums.tpsWithResults, sums.tpsWithAdministrasi] { row.field(count) }
            for candidate in candidates { row.field(sums.votes[candidate.id] ?? 0) }
            row.field(sums.suaraSah)
            row.field(sums.suaraTidakSah)
            let published = kpuTable[child]
            for candidate in candidates {
                if let votes = published?.votes[candidate.id] { row.field(votes) } else { row.empty() }
            }
            row.end()
            text += row.bytes
        }
        return text
    }

    // MARK: TPS

    /// A polling station's page. `versions` is newest first and may be empty (listed, no result);
    /// `quality` is what the rules and the revision history say of them, computed once by the caller
    /// (the downloads need the same), or here when not given.
    /// `names` are the TPS's names as the tree gives them (looked up when not given).
    public func tpsPage(_ code: RegionCode, tree: RegionTree, versions: [Store.TPSVersion],
                        quality: TPSQuality? = nil, village: VillageParts? = nil,
                        names: (raw: String, display: String)? = nil) -> RenderedPage {
        let names = names ?? (tree.rawName(of: code), tree.name(of: code))
        let quality = quality ?? TPSQuality(versions: versions)
        let village = village ?? villageParts(of: code, tree: tree)
        precondition(village.village == code.parent, "\(code): the parts of village \(village.village) do not belong to it")
        let anomalies = quality.anomalies
        let revisions = quality.revisions
        let folder = SitePath.folder(code)
        let name = names.display
        let title = "\(name), \(village.name)"
        let root = village.root
        let permanentURL = site.permanentURL(folder)
        var context = base(root: root, title: title)
        context["heading"] = .text(title)
        context["code"] = .text(code.rawValue)
        context["breadcrumbs"] = village.breadcrumbs
        context["kpu_page"] = .text(SitePath.kpuPage(code))
        let kpuJSON = SitePath.kpuJSON(code)
        context["kpu_json"] = .text(kpuJSON)
        context["permanent_url"] = .text(permanentURL)

        if let current = versions.first {
            let result = current.result
            context["has_version"] = true
            context["has_chart"] = .flag(result.chart != nil)
            let candidates = site.candidates(including: result.chart?.candidates ?? [])
            context["votes"] = .list(candidates.map { candidate in
                ["number": .number(candidate.number), "name": .text(candidate.name), "votes": .text(Format.count(result.chart?[candidate.id]))]
            })
            if let form = result.administrasi {
                context["administrasi"] = [
                    "voters": .list(PageRenderer.voterSlots.map { row in
                        ["label": .text(row.label), "field": .text(row.base), "l": .text(Format.count(form.slots[row.l])),
                         "p": .text(Format.count(form.slots[row.p])), "j": .text(Format.count(form.slots[row.j]))]
                    }),
                    "ballots": .list(PageRenderer.ballotSlots.map { row in
                        ["label": .text(row.label), "field": .text(row.field), "value": .text(Format.count(form.slots[row.slot]))]
                    }),
                ]
            }
            context["psu"] = .text(result.psu ?? "–")
            context["mode"] = .text(result.mode ?? "–")
            context["ts"] = .text(Format.wib(result.ts.text))
            context["ts_utc"] = .text(result.ts.iso8601UTC)
            context["status_suara"] = .text(result.statusSuara ? "true" : "false")
            context["status_adm"] = .text(result.statusAdm ? "true" : "false")
            context["images"] = .list(result.images.enumerated().compactMap { index, url -> TemplateValue? in
                url.map { ["page": .number(index + 1), "url": .text($0)] }
            })
            let source = current.sources.first
            context["source"] = [
                "sha256": .text(source?.rawSHA256 ?? ""),
                "retrieved": .text(source?.retrieved ?? ""),
                "imported": .text(source?.importedAt ?? ""),
                "copies": .list(current.sources.map { copy in
                    ["sha256": .text(copy.rawSHA256), "bytes": .text(Format.count(copy.bytes)),
                     "mirror": .text(mirrorName(copy.root)), "path": .text(copy.path), "retrieved": .text(copy.retrieved)]
                }),
            ]
            context["versions"] = .list(versions.enumerated().map { index, version in
                [
                    "ts": .text(Format.wib(version.result.ts.text)),
                    "current": .flag(index == 0),
                    "votes": .list(candidates.map { ["value": .text(Format.count(version.result.chart?[$0.id]))] }),
                    "suara_sah": .text(Format.count(version.result.administrasi?["suara_sah"])),
                    "sha256": .text(version.sources.first?.rawSHA256 ?? ""),
                ]
            })
            context["candidate_numbers"] = .list(candidates.map { ["number": .number($0.number)] })
            context["version_count"] = .number(versions.count)
            context["cite"] = [
                "url": .text(permanentURL),
                "ts": .text(result.ts.text),
                "sha256": .text(source?.rawSHA256 ?? ""),
            ]
            context["anomalies"] = .list(anomalies.map { anomaly in
                ["rule": .text(anomaly.rule.id), "title": .text(anomaly.rule.title), "condition": .text(anomaly.rule.condition),
                 "detail": .text(anomaly.detail), "href": .text(root + "metodologi/#" + anomaly.rule.id)]
            })
            context["revisions"] = .list(revisions.map { revision in
                ["from_ts": .text(Format.wib(revision.fromTS)), "to_ts": .text(Format.wib(revision.toTS)),
                 "changes": .list(revision.changes.map { ["field": .text($0.field), "old": .text($0.old ?? "null"), "new": .text($0.new ?? "null")] })]
            })
        }
        let html = templates.render("tps", context)
        let twin = tpsTwin(code, name: names.raw, versions: versions, anomalies: anomalies, revisions: revisions, village: village,
                           folder: folder, kpuJSON: kpuJSON)
        return RenderedPage(folder: folder, html: html, json: twin, csv: nil)
    }

    /// The TPS page's JSON twin, written member by member (`JSONWriter`): the same bytes a
    /// `JSONValue` of the same members gives, without building one per page.
    func tpsTwin(_ code: RegionCode, name: String, versions: [Store.TPSVersion], anomalies: [Anomaly],
                 revisions: [Revision], village: VillageParts, folder: String, kpuJSON: String) -> [UInt8] {
        let current = versions.first?.result
        var json = JSONWriter(out: [])
        json.out.reserveCapacity(4096)
        func chart(_ votes: CandidateVotes?, _ json: inout JSONWriter) {
            guard let votes else { return json.null() }
            json.object { json in
                for entry in votes.entries {
                    json.key(entry.candidate)
                    json.int(entry.votes)
                }
            }
        }
        // Eighteen keys in every version of every TPS: quoted once (a tenth of a twin's time was quoting them).
        func administrasi(_ form: Administrasi?, _ json: inout JSONWriter) {
            guard let form else { return json.null() }
            let keys = PageRenderer.administrasiKeys
            json.object { json in
                for (key, value) in zip(keys, form.slots) {
                    json.key(quoted: key)
                    json.int(value)
                }
            }
        }
        json.object { json in
            json.key("code"); json.string(code.rawValue)
            json.key("name"); json.string(name)
            json.key("url"); json.string(folder)
            json.key("demo"); json.bool(site.demo)
            json.key("region")
            json.raw(village.twinRegion)
            json.key("chart"); chart(current?.chart, &json)
            json.key("administrasi"); administrasi(current?.administrasi, &json)
            json.key("images")
            json.array { json in for image in current?.images ?? [] { json.string(image) } }
            json.key("psu"); json.string(current?.psu)
            json.key("mode"); json.string(current?.mode)
            json.key("ts"); json.string(current?.ts.text)
            json.key("ts_utc"); json.string(current?.ts.iso8601UTC)
            json.key("status_suara"); if let current { json.bool(current.statusSuara) } else { json.null() }
            json.key("status_adm"); if let current { json.bool(current.statusAdm) } else { json.null() }
            json.key("source"); json.value(sourceJSON(versions.first?.sources.first, url: kpuJSON))
            json.key("history")
            json.array { json in
                for version in versions {
                    json.object { json in
                        json.key("ts"); json.string(version.result.ts.text)
                        json.key("chart"); chart(version.result.chart, &json)
                        json.key("administrasi"); administrasi(version.result.administrasi, &json)
                        json.key("sha256"); json.string(version.sources.first?.rawSHA256)
                        json.key("content_sha256"); json.string(version.contentSHA256)
                    }
                }
            }
            json.key("anomalies")
            json.array { json in for anomaly in anomalies { json.string(anomaly.rule.id) } }
            json.key("anomaly_details")
            json.array { json in
                for anomaly in anomalies {
                    json.object { json in
                        json.key("rule"); json.string(anomaly.rule.id)
                        json.key("detail"); json.string(anomaly.detail)
                    }
                }
            }
            json.key("revisions")
            json.array { json in
                for revision in revisions {
                    json.object { json in
                        json.key("from_ts"); json.string(revision.fromTS)
                        json.key("to_ts"); json.string(revision.toTS)
                        json.key("changes")
                        json.array { json in
                            for change in revision.changes {
                                json.object { json in
                                    json.key("field"); json.string(change.field)
                                    json.key("old"); json.string(change.old)
                                    json.key("new"); json.string(change.new)
                                }
                            }
                        }
                    }
                }
            }
        }
        json.out.append(0x0A)
        return json.out
    }

    /// What every TPS page of one village shares, made once per village rather than once per TPS:
    /// the breadcrumbs, the village's name, and the twin's `region` member.
    public struct VillageParts: Sendable {
        let village: RegionCode
        let name: String
        /// The way back to the site root from a TPS folder (every one is as deep).
        let root: String
        let breadcrumbs: TemplateValue
        let twinRegion: [UInt8]
    }

    /// The parts shared by the TPS pages under the village of `tps`.
    public func villageParts(of tps: RegionCode, tree: RegionTree) -> VillageParts {
        let root = SitePath.root(from: SitePath.folder(tps))
        var json = JSONWriter()
        json.object { json in
            for ancestor in tps.lineage.dropLast() {
                json.key(PageRenderer.levelKeys[ancestor.level.rawValue])
                json.object { json in
                    json.key("code"); json.string(ancestor.rawValue)
                    json.key("name"); json.string(tree.rawName(of: ancestor))
                }
            }
        }
        return VillageParts(village: tps.parent!, name: tree.name(of: tps.parent!), root: root,
                            breadcrumbs: breadcrumbs(to: tps, tree: tree, root: root), twinRegion: json.out)
    }

    /// The twin's name for each level above TPS, by `Level.rawValue`.
    static let levelKeys = ["", "province", "regency", "district", "village"]

    /// `Administrasi.fieldNames` as `key(quoted:)` takes them.
    static let administrasiKeys = Administrasi.fieldNames.map(JSONWriter.quotedKey)
}

/// A mirror's folder name, never its full local path (which would publish the importer's file system).
func mirrorName(_ root: String) -> String {
    // The last non-empty component, sliced rather than split (it runs for every copy on every TPS page).
    var end = root.endIndex
    while end > root.startIndex, root[root.index(before: end)] == "/" { end = root.index(before: end) }
    let start = root[..<end].lastIndex(of: "/").map { root.index(after: $0) } ?? root.startIndex
    return String(root[start..<end])
}
