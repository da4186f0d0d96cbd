import Quality
import SirekapFormat
import Store

/// A page that is not a region or a TPS: its path and its HTML.
public struct StaticPage: Sendable {
    public let path: String
    public let html: [UInt8]
}

/// `/anomali/`: counts per rule nationally and per province, and paged lists of the TPS each
/// rule flags, nationally and per province, linking to the TPS pages.
public struct AnomalyPages {
    public let renderer: PageRenderer
    public let tree: RegionTree
    /// Flagged TPS in code order.
    public let flagged: [(code: RegionCode, anomalies: [Anomaly])]
    /// Rows per list page: enough to scan, small enough to open on a phone.
    public var pageSize = 500

    public init(renderer: PageRenderer, tree: RegionTree, flagged: [(code: RegionCode, anomalies: [Anomaly])]) {
        self.renderer = renderer
        self.tree = tree
        self.flagged = flagged
    }

    /// Calls `body` with every page, the index first.
    public func forEach(_ body: (StaticPage) throws -> Void) throws {
        try body(index())
        for rule in Rule.allCases {
            let hits = flagged.compactMap { entry in entry.anomalies.first { $0.rule == rule }.map { (entry.code, $0) } }
            try lists(rule, scope: nil, hits: hits, body)
            var byProvince: [RegionCode: [(RegionCode, Anomaly)]] = [:]
            for hit in hits { byProvince[hit.0.province, default: []].append(hit) }
            for province in byProvince.keys.sorted() {
                try lists(rule, scope: province, hits: byProvince[province]!, body)
            }
        }
    }

    func index() -> StaticPage {
        let folder = "anomali/"
        var context = renderer.base(folder: folder, title: "Anomali data")
        let root = SitePath.root(from: folder)
        let national = tree.nation.totals.flagged
        context["rules"] = .list(Rule.allCases.map { rule in
            ["id": .text(rule.id), "title": .text(rule.title), "count": .text(Format.count(national[rule.id] ?? 0)),
             "href": .text(root + SitePath.anomalyList(rule)), "methodology": .text(root + "metodologi/#" + rule.id)]
        })
        context["provinces"] = .list(tree.nation.children.map { code in
            let counts = tree.nodes[code]?.totals.flagged ?? [:]
            return [
                "code": .text(code.rawValue), "name": .text(tree.name(of: code)), "href": .text(root + SitePath.folder(code)),
                "counts": .list(Rule.allCases.map { rule in
                    let count = counts[rule.id] ?? 0
                    // Every key set in every cell: Mustache would otherwise look a missing one up
                    // in the enclosing row (and link a zero to the province page).
                    return ["value": .text(Format.count(count)), "linked": .flag(count > 0),
                            "href": .text(count > 0 ? root + SitePath.anomalyList(rule, province: code) : "")]
                }),
            ]
        })
        context["tps_with_results"] = .text(Format.count(tree.nation.totals.tpsWithResults))
        context["methodology"] = .text(root + "metodologi/")
        return StaticPage(path: folder + "index.html", html: renderer.templates.render("anomalies", context))
    }

    func lists(_ rule: Rule, scope: RegionCode?, hits: [(RegionCode, Anomaly)], _ body: (StaticPage) throws -> Void) throws {
        let pageCount = max(1, (hits.count + pageSize - 1) / pageSize)
        for page in 1...pageCount {
            let folder = SitePath.anomalyList(rule, province: scope, page: page)
            let scopeName = scope.map { tree.name(of: $0) } ?? "Nasional"
            var context = renderer.base(folder: folder, title: "\(rule.id) · \(scopeName)" + (page > 1 ? " · halaman \(page)" : ""))
            let root = SitePath.root(from: folder)
            context["rule"] = ["id": .text(rule.id), "title": .text(rule.title), "condition": .text(rule.condition), "reason": .text(rule.reason)]
            context["scope"] = .text(scopeName)
            context["count"] = .text(Format.count(hits.count))
            context["index"] = .text(root + "anomali/")
            context["methodology"] = .text(root + "metodologi/#" + rule.id)
            if let scope { context["region"] = ["name": .text(tree.name(of: scope)), "href": .text(root + SitePath.folder(scope))] }
            let slice = hits[((page - 1) * pageSize)..<min(page * pageSize, hits.count)]
            context["rows"] = .list(slice.map { code, anomaly in
                ["code": .text(code.rawValue), "name": .text(tree.name(of: code)), "village": .text(tree.name(of: code.parent!)),
                 "href": .text(root + SitePath.folder(code)), "detail": .text(anomaly.detail)]
            })
            if pageCount > 1 {
                context["pages"] = .list((1...pageCount).map { number in
                    ["number": .number(number), "href": .text(root + SitePath.anomalyList(rule, province: scope, page: number)),
                     "current": .flag(number == page)]
                })
            }
            try body(StaticPage(path: folder + "index.html", html: renderer.templates.render("anomaly-list", context)))
        }
    }
}

/// `/metodologi/` (Bahasa Indonesia) and `/metodologi/en/` (English): every rule, its condition,
/// its reason and its limits.
public struct MethodologyPages {
    public let renderer: PageRenderer

    public init(renderer: PageRenderer) { self.renderer = renderer }

    public func all() -> [StaticPage] {
        [page(folder: "metodologi/", template: "methodology", english: false),
         page(folder: "metodologi/en/", template: "methodology-en", english: true)]
    }

    func page(folder: String, template: String, english: Bool) -> StaticPage {
        var context = renderer.base(folder: folder, title: english ? "Methodology" : "Metodologi")
        let root = SitePath.root(from: folder)
        context["rules"] = .list(Rule.allCases.map { rule in
            ["id": .text(rule.id), "title": .text(english ? rule.englishTitle : rule.title), "condition": .text(rule.condition),
             "reason": .text(english ? rule.englishReason : rule.reason), "list": .text(root + SitePath.anomalyList(rule))]
        })
        context["other_language"] = .text(root + (english ? "metodologi/" : "metodologi/en/"))
        context["anomalies"] = .text(root + "anomali/")
        context["downloads"] = .text(root + "downloads/")
        // The methodology is about real data's rules and applies to any build: no DEMO banner.
        context["demo"] = false
        if english { context["lang"] = "en" }
        return StaticPage(path: folder + "index.html", html: renderer.templates.render(template, context))
    }
}
