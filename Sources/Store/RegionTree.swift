import Foundation
import SirekapFormat

/// Totals we compute from the current TPS results under a region. Sums of published integers,
/// exact; a null value adds nothing and is counted apart so no reader mistakes it for zero.
public struct ComputedTotals: Hashable, Sendable {
    /// Candidate id -> sum of that candidate's integer votes.
    public var votes: [String: Int] = [:]
    /// Sum of `suara_sah` over TPS whose form gives it.
    public var suaraSah = 0
    /// Sum of `suara_tidak_sah` over TPS whose form gives it.
    public var suaraTidakSah = 0
    /// TPS known under the region (listed by KPU, or holding a result).
    public var tpsTotal = 0
    /// TPS whose current version has vote counts (`chart` not null).
    public var tpsWithResults = 0
    /// TPS whose current version has the administrative form (`administrasi` not null).
    public var tpsWithAdministrasi = 0
    /// Rule id -> TPS whose current version the rule flags.
    public var flagged: [String: Int] = [:]

    public init() {}

    /// Adds one TPS (nil: listed but no result held) and the rules that flag it.
    public mutating func add(_ result: TPSResult?, flags: [String] = []) {
        tpsTotal += 1
        for rule in flags { flagged[rule, default: 0] += 1 }
        guard let result else { return }
        if let chart = result.chart {
            tpsWithResults += 1
            for entry in chart.entries {
                votes[entry.candidate, default: 0] += entry.votes ?? 0
            }
        }
        if let form = result.administrasi {
            tpsWithAdministrasi += 1
            suaraSah += form["suara_sah"] ?? 0
            suaraTidakSah += form["suara_tidak_sah"] ?? 0
        }
    }

    public mutating func add(_ other: ComputedTotals) {
        for (candidate, count) in other.votes { votes[candidate, default: 0] += count }
        suaraSah += other.suaraSah
        suaraTidakSah += other.suaraTidakSah
        tpsTotal += other.tpsTotal
        tpsWithResults += other.tpsWithResults
        tpsWithAdministrasi += other.tpsWithAdministrasi
        for (rule, count) in other.flagged { flagged[rule, default: 0] += count }
    }
}

/// Every region above TPS level with its children and computed totals, held in memory
/// (about 92,000 regions nationally: small; TPS themselves are streamed, never held).
public struct RegionTree: Sendable {
    public struct Node: Sendable {
        /// Nil for the nation.
        public let code: RegionCode?
        public let rawName: String
        public let name: String
        /// Children in code order; for a village, its TPS.
        public internal(set) var children: [RegionCode] = []
        /// A village's TPS names from the lists, beside `children` (nil for a TPS no list names).
        /// Kept here rather than in one table of every TPS: 823,000 entries hashed on every
        /// load cost time and tens of megabytes.
        public internal(set) var tpsNames: [(raw: String, display: String)?] = []
        public internal(set) var totals = ComputedTotals()
        /// False when no region list named this region (it is known only from a result under it).
        public let isListed: Bool

        /// The same region with these totals (a full build renders a village's page as soon as
        /// it has summed the village's TPS, before the tree has its totals).
        public func with(totals: ComputedTotals) -> Node {
            var node = self
            node.totals = totals
            return node
        }
    }

    public static let nationName = "Indonesia"

    public private(set) var nodes: [RegionCode: Node] = [:]
    public private(set) var nation: Node
    /// Every region's code, in code order: sorted once, when the tree is made (sorting the nodes
    /// each time a step walked a level cost seconds nationally).
    private var order: [RegionCode] = []

    public func node(_ code: RegionCode?) -> Node? { code.map { nodes[$0] } ?? nation }

    /// Regions of one level, in code order.
    public func regions(at level: Level) -> [Node] {
        order.compactMap { $0.level == level ? nodes[$0] : nil }
    }

    /// Every region in code order (a parent before its children).
    public var allRegions: [Node] { order.map { nodes[$0]! } }

    public func name(of code: RegionCode) -> String {
        if code.level == .tps { return tpsName(code)?.display ?? RegionTree.unlistedTPSName(code) }
        return nodes[code]?.name ?? code.rawValue
    }

    /// The names of a village's TPS, beside its `children`, as `rawName(of:)` and `name(of:)`
    /// give them (without a lookup each).
    public func tpsNames(in village: Node) -> [(raw: String, display: String)] {
        zip(village.children, village.tpsNames).map { code, names in
            names ?? (RegionTree.unlistedTPSName(code), RegionTree.unlistedTPSName(code))
        }
    }

    /// The name given to a TPS no region list named (known only from a result): its number.
    public static func unlistedTPSName(_ code: RegionCode) -> String { "TPS \(code.rawValue.suffix(3))" }

    public func rawName(of code: RegionCode) -> String {
        if code.level == .tps { return tpsName(code)?.raw ?? RegionTree.unlistedTPSName(code) }
        return nodes[code]?.rawName ?? code.rawValue
    }

    /// A TPS's names from the lists: found among its village's TPS, which are in code order.
    private func tpsName(_ code: RegionCode) -> (raw: String, display: String)? {
        guard let village = code.parent, let node = nodes[village] else { return nil }
        var low = 0, high = node.children.count
        while low < high {
            let middle = (low + high) / 2
            if node.children[middle] < code { low = middle + 1 } else { high = middle }
        }
        guard low < node.children.count, node.children[low] == code, low < node.tpsNames.count else { return nil }
        return node.tpsNames[low]
    }

    /// The tree with the totals of the villages in `recompute` summed afresh from the store
    /// and every other village's taken from `saved` (what the last build computed from the same
    /// results). Used by an incremental build, which must not read every result again. Also
    /// returns, for each village summed afresh, each of its TPS summed alone (what its page
    /// shows), so that its page need not read the results again.
    public static func load(from store: Store, flags: (TPSResult) -> [String] = { _ in [] },
                            saved: [RegionCode: ComputedTotals], recompute: Set<RegionCode>)
        throws -> (tree: RegionTree, tpsSums: [RegionCode: [RegionCode: ComputedTotals]]) {
        var tree = try directory(from: store)
        var villageTotals: [RegionCode: ComputedTotals] = [:]
        var tpsSums: [RegionCode: [RegionCode: ComputedTotals]] = [:]
        for node in tree.nodes.values where node.code!.level == .village {
            let village = node.code!
            if !recompute.contains(village), let totals = saved[village] {
                villageTotals[village] = totals
                continue
            }
            let results = try store.currentResults(in: village)
            var totals = ComputedTotals()
            var sums: [RegionCode: ComputedTotals] = [:]
            for code in node.children {
                var single = ComputedTotals()
                if let result = results[code] { single.add(result, flags: flags(result)) } else { single.add(nil) }
                totals.add(single)
                sums[code] = single
            }
            villageTotals[village] = totals
            tpsSums[village] = sums
        }
        tree.setVillageTotals(villageTotals)
        return (tree, tpsSums)
    }

    /// Every region and TPS the store knows, with names and children, no totals yet (a full build
    /// sums them while it reads every TPS for its pages, then calls `setVillageTotals`).
    public static func directory(from store: Store) throws -> RegionTree {
        var tree = RegionTree(nation: Node(code: nil, rawName: nationName, name: nationName, isListed: true))
        // The lists' regions and TPS in code order, streamed: a region comes before everything
        // under it, and each village's TPS come together.
        var listed: [(code: RegionCode, raw: String, display: String)] = []
        let statement = try store.db.statement("SELECT code, name_raw, name FROM region ORDER BY code")
        defer { statement.reset() }
        while try statement.step() {
            guard let code = RegionCode(statement.text(0)) else {
                throw SQLiteError(code: 0, message: "region: \(statement.text(0)) is not a region code")
            }
            if code.level == .tps {
                listed.append((code, statement.text(1), statement.text(2)))
            } else {
                tree.nodes[code] = Node(code: code, rawName: statement.text(1), name: statement.text(2), isListed: true)
            }
        }
        // Every TPS, listed or known only from a result: both lists in code order, merged.
        let withResults = try store.tpsCodesWithResults()
        var merged: [(code: RegionCode, names: (raw: String, display: String)?)] = []
        merged.reserveCapacity(listed.count)
        var next = 0
        for entry in listed {
            while next < withResults.count, withResults[next] < entry.code {
                merged.append((withResults[next], nil))
                next += 1
            }
            if next < withResults.count, withResults[next] == entry.code { next += 1 }
            merged.append((entry.code, (entry.raw, entry.display)))
        }
        merged += withResults[next...].map { ($0, nil) }
        listed = []
        // Each village's TPS, a run at a time; regions above a TPS that no list named still get a
        // node, so every link resolves.
        var start = 0
        while start < merged.count {
            let village = merged[start].code.parent!
            var end = start + 1
            while end < merged.count, merged[end].code.rawValue.hasPrefix(village.rawValue) { end += 1 }
            for ancestor in village.lineage where tree.nodes[ancestor] == nil {
                tree.nodes[ancestor] = Node(code: ancestor, rawName: ancestor.rawValue, name: ancestor.rawValue, isListed: false)
            }
            tree.nodes[village]!.children = merged[start..<end].map(\.code)
            tree.nodes[village]!.tpsNames = merged[start..<end].map(\.names)
            start = end
        }
        tree.order = tree.nodes.keys.sorted()
        for code in tree.order {
            if let parent = code.parent { tree.nodes[parent]?.children.append(code) } else { tree.nation.children.append(code) }
        }
        return tree
    }

    /// Sets the villages' totals and sums them up level by level to the nation.
    public mutating func setVillageTotals(_ villageTotals: [RegionCode: ComputedTotals]) {
        for (village, totals) in villageTotals { nodes[village]!.totals = totals }
        for level in [Level.district, .regency, .province] {
            for code in nodes.keys where code.level == level {
                var totals = ComputedTotals()
                for child in nodes[code]!.children { totals.add(nodes[child]!.totals) }
                nodes[code]!.totals = totals
            }
        }
        var national = ComputedTotals()
        for child in nation.children { national.add(nodes[child]!.totals) }
        nation.totals = national
    }
}

extension Store {
    /// TPS codes with at least one result held, in code order.
    public func tpsCodesWithResults() throws -> [RegionCode] {
        try db.statement("SELECT DISTINCT code FROM tps_version ORDER BY code").rows { RegionCode($0.text(0))! }
    }

    /// Reads the TPS result columns `ts, mode, psu, status_suara, status_adm, chart, images, administrasi`
    /// starting at column `first`.
    static func tpsResult(_ row: Statement, from first: Int32, decoder: JSONDecoder) throws -> TPSResult {
        let chart = try row.optionalText(first + 5).map { try StoredJSON.candidateVotes($0, decoder: decoder) }
        let images = try StoredJSON.images(row.text(first + 6), decoder: decoder)
        let administrasi = try row.optionalText(first + 7).map { try StoredJSON.administrasi($0, decoder: decoder) }
        return TPSResult(
            mode: row.optionalText(first + 1), chart: chart, images: images, administrasi: administrasi,
            psu: row.optionalText(first + 2), ts: KPUTimestamp(row.text(first))!,
            statusSuara: row.int(first + 3) != 0, statusAdm: row.int(first + 4) != 0)
    }
}

extension Store {
    /// The current result of every TPS of a village that has one.
    public func currentResults(in village: RegionCode) throws -> [RegionCode: TPSResult] {
        let statement = try db.statement("""
            SELECT code, ts, mode, psu, status_suara, status_adm, chart, images, administrasi
            FROM tps_version WHERE code BETWEEN ? AND ? ORDER BY code, ts DESC, id DESC
            """)
        try statement.bind([.text(village.rawValue + "000"), .text(village.rawValue + "ZZZ")])
        let decoder = JSONDecoder()
        var results: [RegionCode: TPSResult] = [:]
        while try statement.step() {
            guard let code = RegionCode(statement.text(0)), results[code] == nil else { continue }
            results[code] = try Store.tpsResult(statement, from: 1, decoder: decoder)
        }
        statement.reset()
        return results
    }

    /// The current KPU aggregate of a region (nil: national), if any is held.
    public func currentAggregate(_ code: RegionCode?) throws -> AggregateVersion? {
        try aggregateVersions(code, newest: true).first
    }

    /// The codes of the regions with a KPU aggregate ("" for the nation): a build asks only
    /// for those, not once for each of 92,000 regions (most harvests hold few aggregates).
    public func regionsWithAggregates() throws -> Set<String> {
        Set(try db.statement("SELECT DISTINCT code FROM aggregate_version").rows { $0.text(0) })
    }
}

extension Store {
    /// Votes per candidate summed by SQLite itself over the current TPS results, grouped by the
    /// first `prefixLength` characters of the TPS code (0: the nation). An independent path to
    /// the same totals, which the build compares with its own.
    public func sqlVoteTotals(prefixLength: Int) throws -> [String: [String: Int]] {
        let rows = try db.statement("""
            SELECT substr(v.code, 1, ?), j.key, sum(j.value)
            FROM tps_current v, json_each(v.chart) j
            WHERE j.type = 'integer'
            GROUP BY 1, 2
            """).rows([.int(prefixLength)]) { ($0.text(0), $0.text(1), $0.int(2)) }
        var totals: [String: [String: Int]] = [:]
        for (region, candidate, sum) in rows { totals[region, default: [:]][candidate] = sum }
        return totals
    }

    /// The same sums over the TPS under one region only.
    public func sqlVoteTotals(under region: RegionCode) throws -> [String: Int] {
        let rows = try db.statement("""
            SELECT j.key, sum(j.value)
            FROM tps_current v, json_each(v.chart) j
            WHERE v.code >= ? AND v.code < ? AND j.type = 'integer'
            GROUP BY 1
            """).rows(Store.prefixRange(region.rawValue)) { ($0.text(0), $0.int(1)) }
        return Dictionary(rows, uniquingKeysWith: +)
    }
}
