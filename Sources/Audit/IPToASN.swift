import Foundation

/// An IPv4 or IPv6 address as bytes in network order, so ranges compare byte by byte.
public struct IPAddress: Sendable, Hashable, Comparable {
    public let bytes: [UInt8]

    public init?(_ text: String) {
        if text.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
            bytes = withUnsafeBytes(of: address) { Array($0) }
        } else {
            var address = in_addr()
            guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
            bytes = withUnsafeBytes(of: address) { Array($0) }
        }
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        lhs.bytes.count != rhs.bytes.count ? lhs.bytes.count < rhs.bytes.count : lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    /// The usual text form of 4 or 16 bytes.
    static func text(_ bytes: ArraySlice<UInt8>) -> String {
        let family = bytes.count == 16 ? AF_INET6 : AF_INET
        var buffer = [CChar](repeating: 0, count: 64)
        let ok = Array(bytes).withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil }
        return ok ? String(cString: buffer) : bytes.map { String($0) }.joined(separator: ".")
    }
}

/// Who announced an address, from an offline, dated table in iptoasn.com's TSV format:
/// `range_start <TAB> range_end <TAB> AS_number <TAB> country_code <TAB> AS_description`, ranges
/// inclusive, `0` / `None` / `Not routed` for unrouted space. The country is where the address
/// block is registered, never where a server stands.
public struct IPToASNTable: Sendable {
    public struct Entry: Sendable, Equatable {
        public let start: IPAddress
        public let end: IPAddress
        public let asn: Int
        public let country: String
        public let holder: String

        public var isRouted: Bool { asn != 0 }
    }

    public let entries: [Entry]

    public struct ParseError: Error, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// Reads the TSV. A first line that is not a range (a header) and `#` comments are skipped.
    public static func parse(_ text: String) throws(ParseError) -> IPToASNTable {
        var entries: [Entry] = []
        for (index, line) in text.lines.enumerated() {
            let row = line
            if row.isEmpty || row.hasPrefix("#") { continue }
            let fields = row.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 5 else {
                if index == 0 { continue }
                throw ParseError(line: index + 1, reason: "expected 5 tab-separated fields, found \(fields.count)")
            }
            guard let start = IPAddress(String(fields[0])), let end = IPAddress(String(fields[1])) else {
                if index == 0 { continue }
                throw ParseError(line: index + 1, reason: "`\(fields[0])` to `\(fields[1])` is not an address range")
            }
            guard start.bytes.count == end.bytes.count else {
                throw ParseError(line: index + 1, reason: "the range mixes an IPv4 and an IPv6 address")
            }
            guard !(end < start) else {
                throw ParseError(line: index + 1, reason: "the range ends before it starts")
            }
            guard let asn = Int(fields[2]) else {
                throw ParseError(line: index + 1, reason: "`\(fields[2])` is not an AS number")
            }
            entries.append(Entry(start: start, end: end, asn: asn, country: String(fields[3]),
                                 holder: fields[4...].joined(separator: "\t")))
        }
        return IPToASNTable(entries: entries.sorted { $0.start < $1.start })
    }

    /// The range holding `address`, if the table has one.
    public func lookup(_ address: IPAddress) -> Entry? {
        // Last range starting at or before the address; ranges do not overlap in iptoasn's files.
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if address < entries[middle].start { high = middle } else { low = middle + 1 }
        }
        guard low > 0 else { return nil }
        let candidate = entries[low - 1]
        return candidate.start.bytes.count == address.bytes.count && !(candidate.end < address) ? candidate : nil
    }
}
