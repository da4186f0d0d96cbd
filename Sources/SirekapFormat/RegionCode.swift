import Foundation

/// The five levels of KPU's region hierarchy, from province down to polling station.
public enum Level: Int, CaseIterable, Comparable, Sendable, Codable {
    case province = 1
    case regency = 2
    case district = 3
    case village = 4
    case tps = 5

    /// Length of a full code at this level (each level repeats its parents' digits).
    public var codeLength: Int {
        switch self {
        case .province: 2
        case .regency: 4
        case .district: 6
        case .village: 10
        case .tps: 13
        }
    }

    public init?(codeLength: Int) {
        switch codeLength {
        case 2: self = .province
        case 4: self = .regency
        case 6: self = .district
        case 10: self = .village
        case 13: self = .tps
        default: return nil
        }
    }

    public var child: Level? { Level(rawValue: rawValue + 1) }
    public var parent: Level? { Level(rawValue: rawValue - 1) }

    /// KPU's own term, used on pages.
    public var kpuName: String {
        switch self {
        case .province: "Provinsi"
        case .regency: "Kabupaten/Kota"
        case .district: "Kecamatan"
        case .village: "Kelurahan/Desa"
        case .tps: "TPS"
        }
    }

    public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// An official KPU region code: 2, 4, 6, 10 or 13 characters, each level prefixing the next.
///
/// Codes are strings, never numbers: overseas regions (`99`) use letters (`99AA`, `99BF010001001`),
/// and leading digits matter. Only ASCII digits are accepted, and upper-case letters below `99`.
public struct RegionCode: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let rawValue: String
    public let level: Level

    public init?(_ text: String) {
        var text = text
        guard let level = text.withUTF8({ RegionCode.level(ofValid: $0) }) else { return nil }
        self.rawValue = text
        self.level = level
    }

    public init?(_ text: some StringProtocol) { self.init(String(text)) }

    /// The level of a well-formed code, nil for anything else. Only overseas codes (province 99)
    /// carry letters, and only after the province digits. (A byte loop: this runs for every code
    /// the store holds, a million times a build.)
    static func level(ofValid bytes: UnsafeBufferPointer<UInt8>) -> Level? {
        guard let level = Level(codeLength: bytes.count) else { return nil }
        let overseas = bytes[0] == 0x39 && bytes[1] == 0x39
        for index in 0..<bytes.count {
            let byte = bytes[index]
            let isDigit = byte >= 0x30 && byte <= 0x39
            let isUpper = byte >= 0x41 && byte <= 0x5A
            guard isDigit || (isUpper && overseas && index >= 2) else { return nil }
        }
        return level
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let code = RegionCode(text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "\"\(text)\" is not a region code (2, 4, 6, 10 or 13 digits or capital letters)"
            ))
        }
        self = code
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The code of the region directly above, or nil for a province.
    public var parent: RegionCode? {
        guard let up = level.parent else { return nil }
        return RegionCode(rawValue.prefix(up.codeLength))
    }

    /// Province first, ending with this code itself.
    public var lineage: [RegionCode] {
        Level.allCases.filter { $0 <= level }.compactMap { RegionCode(rawValue.prefix($0.codeLength)) }
    }

    /// The province this region lies in (itself for a province).
    public var province: RegionCode { RegionCode(rawValue.prefix(2))! }

    /// True when `self` is `other` or lies below it.
    public func isWithin(_ other: RegionCode) -> Bool {
        level >= other.level && rawValue.hasPrefix(other.rawValue)
    }

    /// The path KPU uses in its API and on its own pages: every level's full code, joined by `/`.
    /// `3101011001001` -> `31/3101/310101/3101011001/3101011001001`.
    public var path: String {
        var out: [UInt8] = []
        out.reserveCapacity(rawValue.utf8.count * 3)
        appendPath(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `path`'s bytes, appended: from the code's digits, without making each ancestor's code
    /// (every page links several paths, and the sitemaps list every page).
    public func appendPath(to out: inout [UInt8]) {
        var code = rawValue
        code.withUTF8 { digits in
            var first = true
            for level in Level.allCases where level <= self.level {
                if !first { out.append(UInt8(ascii: "/")) }
                first = false
                out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[..<level.codeLength]))
            }
        }
    }

    public var description: String { rawValue }

    public static func < (lhs: RegionCode, rhs: RegionCode) -> Bool {
        // Byte order, so that sorting never depends on locale or Unicode collation; compared a
        // word at a time (codes are compared in every sort and every TPS name lookup).
        var (left, right) = (lhs.rawValue, rhs.rawValue)
        return left.withUTF8 { a in
            right.withUTF8 { b in
                let order = memcmp(a.baseAddress!, b.baseAddress!, min(a.count, b.count))
                return order != 0 ? order < 0 : a.count < b.count
            }
        }
    }
}
