import Foundation

/// One entry of a region list (`wilayah/pemilu/ppwp/…json`): a child region as KPU names it.
public struct RegionEntry: Hashable, Sendable, Codable {
    /// The name exactly as published: leading spaces, trailing dots and `"P A P U A"` included.
    public var rawName: String
    /// KPU's internal wilayah id. Unrelated to the code; kept, never used to derive anything.
    public var kpuID: Int
    public var code: RegionCode

    public init(rawName: String, kpuID: Int, code: RegionCode) {
        self.rawName = rawName
        self.kpuID = kpuID
        self.code = code
    }

    /// The name for display: surrounding white space removed, nothing else changed.
    public var displayName: String { RegionEntry.displayName(rawName) }

    public static func displayName(_ raw: String) -> String {
        // Most names start and end with an ASCII letter: nothing to trim, and no CharacterSet
        // lookups (a visible part of importing region lists).
        if let first = raw.utf8.first, let last = raw.utf8.last, first < 0x80, last < 0x80,
           !isASCIISpace(first), !isASCIISpace(last) {
            return raw
        }
        return raw.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func isASCIISpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }

    enum CodingKeys: String, CodingKey {
        case rawName = "nama", kpuID = "id", code = "kode", tingkat
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rawName = try c.decode(String.self, forKey: .rawName)
        kpuID = try c.decode(Int.self, forKey: .kpuID)
        code = try c.decode(RegionCode.self, forKey: .code)
        let tingkat = try c.decode(Int.self, forKey: .tingkat)
        guard tingkat == code.level.rawValue else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: c.codingPath + [CodingKeys.tingkat],
                debugDescription: "tingkat \(tingkat) does not match code \(code) (level \(code.level.rawValue))"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rawName, forKey: .rawName)
        try c.encode(kpuID, forKey: .kpuID)
        try c.encode(code, forKey: .code)
        try c.encode(code.level.rawValue, forKey: .tingkat)
    }
}

/// The children of one region (or the provinces, for `0.json`), in code order.
public struct RegionList: Hashable, Sendable {
    public var parent: RegionCode?
    public var entries: [RegionEntry]

    /// Decodes a list and checks that every entry is a direct child of `parent` and listed once.
    public static func decode(_ data: Data, parent: RegionCode?) throws(FormatError) -> RegionList {
        try checked(RawJSON.decode([RegionEntry].self, from: data), parent: parent)
    }

    /// The same, taking the fast path (`PlainJSONScanner`) when the bytes are plainly well formed.
    public static func decode(bytes: [UInt8], parent: RegionCode?) throws(FormatError) -> RegionList {
        let fast = bytes.withUnsafeBufferPointer { bytes in
            var scanner = PlainJSONScanner(bytes: bytes)
            return scanner.regionEntries()
        }
        if let fast { return try checked(fast, parent: parent) }
        return try decode(Data(bytes), parent: parent)
    }

    static func checked(_ entries: [RegionEntry], parent: RegionCode?) throws(FormatError) -> RegionList {
        let childLevel = parent?.level.child ?? .province
        var seen = Set<RegionCode>()
        for (index, entry) in entries.enumerated() {
            let isChild = entry.code.level == childLevel && (parent.map { entry.code.isWithin($0) } ?? true)
            guard isChild else {
                let owner = parent.map { "region \($0)" } ?? "the province list"
                throw FormatError("at [\(index)].kode: \(entry.code) is not a child of \(owner)")
            }
            guard seen.insert(entry.code).inserted else {
                throw FormatError("at [\(index)].kode: \(entry.code) is listed twice")
            }
        }
        return RegionList(parent: parent, entries: entries.sorted { $0.code < $1.code })
    }
}
