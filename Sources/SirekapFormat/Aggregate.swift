import Foundation

/// KPU's own published totals for a region (`pemilu/hhcw/ppwp.json` and `pemilu/hhcw/ppwp/{…}.json`).
///
/// Kept exactly as published and never mixed with totals we compute from TPS results: the point of
/// showing both is that readers can see where they differ.
public struct Aggregate: Hashable, Sendable, Codable {
    public var ts: KPUTimestamp
    public var psu: String?
    public var mode: String?
    /// Nil where KPU published `"chart": null`.
    public var chart: Chart?
    /// One row per child region, in child-code order.
    public var table: [Row]
    public var progres: Progres?

    public struct Chart: Hashable, Sendable {
        public var votes: CandidateVotes
        /// KPU's rounded share of TPS counted, `round(progres / total * 100, 2)`.
        public var persen: Double?
    }

    public struct Row: Hashable, Sendable {
        public var code: RegionCode
        public var psu: String?
        /// Empty when the child has no data yet (KPU leaves the candidate keys out).
        public var votes: CandidateVotes
        public var persen: Double?
        public var statusProgress: Bool?
    }

    public struct Progres: Hashable, Sendable, Codable {
        /// TPS under this region.
        public var total: Int?
        /// TPS with published votes.
        public var progres: Int?
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: DynamicKey.self)
        try c.rejectUnknownKeys(allowed: ["ts", "psu", "mode", "chart", "table", "progres"])
        ts = try c.ts("ts")
        psu = try c.optional(String.self, "psu")
        mode = try c.optional(String.self, "mode")
        if try c.contains(DynamicKey("chart")) && !c.decodeNil(forKey: DynamicKey("chart")) {
            let chartContainer = try c.nestedContainer(keyedBy: DynamicKey.self, forKey: DynamicKey("chart"))
            chart = Chart(
                votes: try CandidateVotes.read(from: chartContainer, extraKeys: ["persen"]),
                persen: try chartContainer.decodeIfPresent(Double.self, forKey: DynamicKey("persen")))
        } else {
            chart = nil
        }
        let tableContainer = try c.nestedContainer(keyedBy: DynamicKey.self, forKey: DynamicKey("table"))
        var rows: [Row] = []
        for key in tableContainer.allKeys {
            guard let code = RegionCode(key.stringValue) else {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: tableContainer.codingPath + [key],
                    debugDescription: "table key \"\(key.stringValue)\" is not a region code"))
            }
            let row = try tableContainer.nestedContainer(keyedBy: DynamicKey.self, forKey: key)
            let extra: Set<String> = ["psu", "persen", "status_progress"]
            rows.append(Row(
                code: code,
                psu: try row.decodeIfPresent(String.self, forKey: DynamicKey("psu")),
                votes: try CandidateVotes.read(from: row, extraKeys: extra),
                persen: try row.decodeIfPresent(Double.self, forKey: DynamicKey("persen")),
                statusProgress: try row.decodeIfPresent(Bool.self, forKey: DynamicKey("status_progress"))))
        }
        table = rows.sorted { $0.code < $1.code }
        if try c.contains(DynamicKey("progres")) && !c.decodeNil(forKey: DynamicKey("progres")) {
            let p = try c.nestedContainer(keyedBy: DynamicKey.self, forKey: DynamicKey("progres"))
            try p.rejectUnknownKeys(allowed: ["total", "progres"])
            progres = Progres(total: try p.optional(Int.self, "total"), progres: try p.optional(Int.self, "progres"))
        } else {
            progres = nil
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: DynamicKey.self)
        try c.encode(ts.text, forKey: DynamicKey("ts"))
        try c.encode(psu, forKey: DynamicKey("psu"))
        try c.encodeIfPresent(mode, forKey: DynamicKey("mode"))
        if let chart {
            var nested = c.nestedContainer(keyedBy: DynamicKey.self, forKey: DynamicKey("chart"))
            try chart.votes.encodeEntries(into: &nested)
            try nested.encode(chart.persen, forKey: DynamicKey("persen"))
        } else {
            try c.encodeNil(forKey: DynamicKey("chart"))
        }
        var tableContainer = c.nestedContainer(keyedBy: DynamicKey.self, forKey: DynamicKey("table"))
        for row in table {
            var nested = tableContainer.nestedContainer(keyedBy: DynamicKey.self, forKey: DynamicKey(row.code.rawValue))
            try nested.encodeIfPresent(row.psu, forKey: DynamicKey("psu"))
            try row.votes.encodeEntries(into: &nested)
            try nested.encodeIfPresent(row.persen, forKey: DynamicKey("persen"))
            try nested.encodeIfPresent(row.statusProgress, forKey: DynamicKey("status_progress"))
        }
        try c.encode(progres, forKey: DynamicKey("progres"))
    }

    /// Decodes an aggregate and checks that its table lists children of `region` (nil: national).
    public static func decode(_ data: Data, region: RegionCode?) throws(FormatError) -> Aggregate {
        let aggregate = try RawJSON.decode(Aggregate.self, from: data)
        let childLevel = region?.level.child ?? .province
        for row in aggregate.table {
            let isChild = row.code.level == childLevel && (region.map { row.code.isWithin($0) } ?? true)
            guard isChild else {
                let owner = region.map { "region \($0)" } ?? "the national file"
                throw FormatError("at table.\"\(row.code)\": \(row.code) is not a child of \(owner)")
            }
        }
        return aggregate
    }
}

extension CandidateVotes {
    func encodeEntries(into container: inout KeyedEncodingContainer<DynamicKey>) throws {
        for entry in entries {
            if let votes = entry.votes {
                try container.encode(votes, forKey: DynamicKey(entry.candidate))
            } else {
                try container.encodeNil(forKey: DynamicKey(entry.candidate))
            }
        }
    }
}
