/// KPU's `ts`: `"YYYY-MM-DD HH:MM:SS"` in Western Indonesian Time (WIB, UTC+7), with no zone written.
///
/// Kept as the published text, because that is what a reader compares with the raw file; the
/// fixed-width format also sorts chronologically as text, which the store relies on.
public struct KPUTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let text: String

    /// WIB is UTC+7 all year (Indonesia has no daylight saving time).
    public static let utcOffsetSeconds = 7 * 3600

    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 19 else { return nil }
        for (index, byte) in bytes.enumerated() {
            switch index {
            case 4, 7: guard byte == UInt8(ascii: "-") else { return nil }
            case 10: guard byte == UInt8(ascii: " ") else { return nil }
            case 13, 16: guard byte == UInt8(ascii: ":") else { return nil }
            default: guard byte >= 0x30 && byte <= 0x39 else { return nil }
            }
        }
        self.text = text
        let (month, day) = (components[1], components[2])
        let (hour, minute, second) = (components[3], components[4], components[5])
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
    }

    /// Year, month, day, hour, minute, second as written.
    public var components: [Int] {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int { bytes[range].reduce(0) { $0 * 10 + Int($1 - 0x30) } }
        return [number(0..<4), number(5..<7), number(8..<10), number(11..<13), number(14..<16), number(17..<19)]
    }

    /// Seconds since 1970-01-01T00:00:00Z of this WIB wall-clock time.
    public var unixSeconds: Int {
        let c = components
        return KPUTimestamp.daysFromCivil(year: c[0], month: c[1], day: c[2]) * 86_400
            + c[3] * 3600 + c[4] * 60 + c[5] - KPUTimestamp.utcOffsetSeconds
    }

    /// ISO 8601 in UTC, e.g. `2024-02-20T06:00:00Z` for `2024-02-20 13:00:00` WIB.
    public var iso8601UTC: String { KPUTimestamp.iso8601(unixSeconds: unixSeconds) }

    public var description: String { text }

    public static func < (lhs: KPUTimestamp, rhs: KPUTimestamp) -> Bool { lhs.text < rhs.text }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm),
    /// so no calendar or time-zone database is involved.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` for a count of seconds since the Unix epoch.
    public static func iso8601(unixSeconds: Int) -> String {
        let days = unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
        let secondsOfDay = unixSeconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day))T\(two(secondsOfDay / 3600)):\(two(secondsOfDay % 3600 / 60)):\(two(secondsOfDay % 60))Z"
    }
}
