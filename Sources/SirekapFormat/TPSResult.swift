import Foundation

/// Votes per candidate pair, keyed by KPU's candidate id (`"100025"`, `"100026"`, `"100027"`).
///
/// A value is nil where KPU published `null` for that candidate. KPU's junk key `"null"` (always
/// `null`) is not a candidate and is dropped when reading.
public struct CandidateVotes: Hashable, Sendable, Codable {
    /// Sorted by candidate id.
    public private(set) var entries: [Entry]

    public struct Entry: Hashable, Sendable {
        public let candidate: String
        public let votes: Int?
    }

    public init(_ votes: [String: Int?]) {
        entries = votes.map { Entry(candidate: $0.key, votes: $0.value) }
            .sorted { $0.candidate.utf8Precedes($1.candidate) }
    }

    public subscript(candidate: String) -> Int? {
        entries.first { $0.candidate == candidate }?.votes
    }

    public var candidates: [String] { entries.map(\.candidate) }
    public var isEmpty: Bool { entries.isEmpty }

    /// Sum of the integer values; nulls are skipped (they are not zero, but they add nothing).
    public var sum: Int { entries.reduce(0) { $0 + ($1.votes ?? 0) } }

    /// A candidate id is KPU's numeric "pilihan" id.
    static func isCandidateID(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Reads a chart object. `extraKeys` are non-candidate keys the caller reads itself (`persen`).
    static func read(from container: KeyedDecodingContainer<DynamicKey>, extraKeys: Set<String>) throws -> CandidateVotes {
        var votes: [String: Int?] = [:]
        for key in container.allKeys {
            let name = key.stringValue
            if extraKeys.contains(name) { continue }
            if name == "null" {
                // KPU's pseudo-candidate: always null in real files. Anything else would be a number
                // we cannot attribute, so refuse the file rather than drop it silently.
                guard try container.decodeNil(forKey: key) else {
                    throw DecodingError.dataCorrupted(.init(
                        codingPath: container.codingPath + [key],
                        debugDescription: "the \"null\" key holds a value; only null is expected there"))
                }
                continue
            }
            guard isCandidateID(name) else {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: container.codingPath + [key],
                    debugDescription: "unexpected key \"\(name)\" (candidate ids are digits)"))
            }
            votes[name] = try container.decodeNil(forKey: key) ? nil : container.decode(Int.self, forKey: key)
        }
        return CandidateVotes(votes)
    }

    public init(from decoder: Decoder) throws {
        self = try CandidateVotes.read(from: decoder.container(keyedBy: DynamicKey.self), extraKeys: [])
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try encodeEntries(into: &container)
    }
}

/// The C1 form's voter and ballot counts ("Data pemilih dan pengguna hak pilih"), 18 integers.
public struct Administrasi: Hashable, Sendable, Codable {
    /// The 18 fields in the order KPU's files list them.
    public static let fieldNames = [
        "suara_sah", "suara_total",
        "pemilih_dpt_j", "pemilih_dpt_l", "pemilih_dpt_p",
        "pengguna_dpt_j", "pengguna_dpt_l", "pengguna_dpt_p",
        "pengguna_dptb_j", "pengguna_dptb_l", "pengguna_dptb_p",
        "suara_tidak_sah",
        "pengguna_total_j", "pengguna_total_l", "pengguna_total_p",
        "pengguna_non_dpt_j", "pengguna_non_dpt_l", "pengguna_non_dpt_p",
    ]

    public static let fieldSet = Set(fieldNames)

    /// The field names in byte order (the canonical JSON's key order), each with its position in
    /// `fieldNames`: a reader of canonical JSON places fields without hashing their names.
    public static let canonicalOrder: [(name: String, position: Int)] = fieldNames.enumerated()
        .map { (name: $1, position: $0) }.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }

    /// Position in `fieldNames` of a field name.
    public static func position(of name: String) -> Int? { position[name] }

    /// Position of each field in `fieldNames`.
    static let position: [String: Int] = Dictionary(uniqueKeysWithValues: fieldNames.enumerated().map { ($1, $0) })

    /// The values in `fieldNames` order; nil where the file had `null` or left the field out. An
    /// array, not a dictionary: every TPS read builds one, and hashing 18 names each time showed.
    public let slots: [Int?]

    /// Field name -> value.
    public var values: [String: Int?] {
        Dictionary(uniqueKeysWithValues: zip(Administrasi.fieldNames, slots).map { ($0, $1) })
    }

    public init(_ values: [String: Int?]) {
        slots = Administrasi.fieldNames.map { values[$0] ?? nil }
    }

    /// From values already in `fieldNames` order (18 of them).
    public init(slots: [Int?]) {
        precondition(slots.count == Administrasi.fieldNames.count, "Administrasi holds 18 fields")
        self.slots = slots
    }

    public subscript(field: String) -> Int? { Administrasi.position[field].flatMap { slots[$0] } }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: DynamicKey.self)
        try container.rejectUnknownKeys(allowed: Set(Administrasi.fieldNames))
        var values: [String: Int?] = [:]
        for name in Administrasi.fieldNames {
            values[name] = try container.decodeIfPresent(Int.self, forKey: DynamicKey(name))
        }
        self.init(values)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        for name in Administrasi.fieldNames {
            if let value = self[name] {
                try container.encode(value, forKey: DynamicKey(name))
            } else {
                try container.encodeNil(forKey: DynamicKey(name))
            }
        }
    }
}

/// One polling station's published result (`pemilu/hhcw/ppwp/{…}/{tps}.json`): the digitised C1 form.
public struct TPSResult: Hashable, Sendable, Codable {
    /// `"hhcw"` in 12 % of files, absent in the rest: never required.
    public var mode: String?
    /// Nil where KPU published `"chart": null` (not yet digitised). Present but empty when the file
    /// held only the junk `"null"` key.
    public var chart: CandidateVotes?
    /// Links to the C1 form pages, in page order; three slots for the presidential count, each may be null.
    public var images: [String?]
    public var administrasi: Administrasi?
    /// Null, or a re-vote/recount kind such as `"Pemungutan Suara Ulang"`.
    public var psu: String?
    public var ts: KPUTimestamp
    public var statusSuara: Bool
    public var statusAdm: Bool

    public init(mode: String? = nil, chart: CandidateVotes?, images: [String?], administrasi: Administrasi?,
                psu: String? = nil, ts: KPUTimestamp, statusSuara: Bool, statusAdm: Bool) {
        self.mode = mode
        self.chart = chart
        self.images = images
        self.administrasi = administrasi
        self.psu = psu
        self.ts = ts
        self.statusSuara = statusSuara
        self.statusAdm = statusAdm
    }

    static let keys: Set<String> = ["mode", "chart", "images", "administrasi", "psu", "ts", "status_suara", "status_adm"]

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: DynamicKey.self)
        try c.rejectUnknownKeys(allowed: TPSResult.keys)
        mode = try c.optional(String.self, "mode")
        chart = try c.nullable(CandidateVotes.self, "chart")
        images = try c.required([String?].self, "images")
        administrasi = try c.nullable(Administrasi.self, "administrasi")
        psu = try c.optional(String.self, "psu")
        ts = try c.ts("ts")
        statusSuara = try c.required(Bool.self, "status_suara")
        statusAdm = try c.required(Bool.self, "status_adm")
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: DynamicKey.self)
        try c.encodeIfPresent(mode, forKey: DynamicKey("mode"))
        try c.encode(chart, forKey: DynamicKey("chart"))
        try c.encode(images, forKey: DynamicKey("images"))
        try c.encode(administrasi, forKey: DynamicKey("administrasi"))
        try c.encode(psu, forKey: DynamicKey("psu"))
        try c.encode(ts.text, forKey: DynamicKey("ts"))
        try c.encode(statusSuara, forKey: DynamicKey("status_suara"))
        try c.encode(statusAdm, forKey: DynamicKey("status_adm"))
    }

    public static func decode(_ data: Data) throws(FormatError) -> TPSResult {
        try RawJSON.decode(TPSResult.self, from: data)
    }
}
