/// KPU's `ts`: `"YYYY-MM-DD HH:MM:SS"` in Western Indonesian Time (WIB, UTC+7), with no zone written.
///
/// Kept as the published text, because that is what a reader compares with the raw file; the
/// fixed-width format also sorts chronologically as text, which the store relies on.
public struct KPUTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let text: String

    /// WIB is UTC+7 all year (Indonesia has no daylight saving time).
    public static let utcOffsetSeconds = 7 * 3600

    public init?(_ text: String) {
        var text = text
        guard text.withUTF8({ KPUTimestamp.fields($0) }) != nil else { return nil }
        self.text = text
    }

    /// Year, month, day, hour, minute, second of `YYYY-MM-DD HH:MM:SS`; nil for any other text
    /// or an impossible month, day or time.
    static func fields(_ bytes: UnsafeBufferPointer<UInt8>) -> (Int, Int, Int, Int, Int, Int)? {
        guard bytes.count == 19 else { return nil }
        var numbers = (0, 0, 0, 0, 0, 0)
        var current = 0
        for index in 0..<19 {
            let byte = bytes[index]
            switch index {
            case 4, 7: guard byte == UInt8(ascii: "-") else { return nil }
            case 10: guard byte == UInt8(ascii: " ") else { return nil }
            case 13, 16: guard byte == UInt8(ascii: ":") else { return nil }
            default:
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                current = current * 10 + Int(byte - 0x30)
            }
            switch index {
            case 3: numbers.0 = current; current = 0
            case 6: numbers.1 = current; current = 0
            case 9: numbers.2 = current; current = 0
            case 12: numbers.3 = current; current = 0
            case 15: numbers.4 = current; current = 0
            case 18: numbers.5 = current
            default: break
            }
        }
        guard (1...12).contains(numbers.1), (1...31).contains(numbers.2), numbers.3 < 24, numbers.4 < 60, numbers.5 < 60 else { return nil }
        return numbers
    }

    /// Seconds since the Unix epoch of a `ts` given as its UTF-8 bytes (a store column, say);
    /// nil when the bytes are not a valid `ts`.
    public static func unixSeconds(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let (year, month, day, hour, minute, second) = fields(bytes) else { return nil }
        return daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - utcOffsetSeconds
    }

    /// Seconds since 1970-01-01T00:00:00Z of this WIB wall-clock time.
    public var unixSeconds: Int {
        var text = text
        return text.withUTF8 { KPUTimestamp.unixSeconds(utf8: $0)! }
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
        guard (1000...9999).contains(year) else {
            return "\(year)-\(two(month))-\(two(day))T\(two(secondsOfDay / 3600)):\(two(secondsOfDay % 3600 / 60)):\(two(secondsOfDay % 60))Z"
        }
        // Four-digit years, all of Sirekap's: twenty bytes written in place. Every TPS row, page and
        // twin prints one, and the interpolation above made a string for each of its parts.
        return String(unsafeUninitializedCapacity: 20) { bytes in
            func put(_ value: Int, digits: Int, at offset: Int) {
                var value = value
                for index in stride(from: offset + digits - 1, through: offset, by: -1) {
                    bytes[index] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            put(year, digits: 4, at: 0)
            bytes[4] = UInt8(ascii: "-")
            put(month, digits: 2, at: 5)
            bytes[7] = UInt8(ascii: "-")
            put(day, digits: 2, at: 8)
            bytes[10] = UInt8(ascii: "T")
            put(secondsOfDay / 3600, digits: 2, at: 11)
            bytes[13] = UInt8(ascii: ":")
            put(secondsOfDay % 3600 / 60, digits: 2, at: 14)
            bytes[16] = UInt8(ascii: ":")
            put(secondsOfDay % 60, digits: 2, at: 17)
            bytes[19] = UInt8(ascii: "Z")
            return 20
        }
    }
}
