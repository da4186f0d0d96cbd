/// Number and text forms used on pages. Counts are printed exactly, with Indonesian digit
/// grouping (a dot every three digits): never rounded, never abbreviated.
public enum Format {
    public static func count(_ value: Int) -> String {
        // Digits written from the right into a small buffer: pages print several dozen counts
        // each, and building them a Character at a time was a visible part of a TPS page's cost.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
            var magnitude = value.magnitude
            var end = buffer.count
            var digits = 0
            repeat {
                if digits > 0 && digits % 3 == 0 {
                    end -= 1
                    buffer[end] = UInt8(ascii: ".")
                }
                end -= 1
                buffer[end] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                digits += 1
            } while magnitude > 0
            let grouped = String(decoding: UnsafeBufferPointer(rebasing: buffer[end...]), as: UTF8.self)
            return value < 0 ? "−" + grouped : grouped
        }
    }

    public static func count(_ value: Int?) -> String { value.map(count) ?? "–" }

    /// A signed difference: `+12`, `−3`, `0`.
    public static func difference(_ value: Int) -> String {
        value > 0 ? "+" + count(value) : count(value)
    }

    /// KPU's `ts` as shown on pages.
    public static func wib(_ text: String) -> String { text + " WIB" }
}
