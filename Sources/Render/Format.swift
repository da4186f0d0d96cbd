/// Number and text forms used on pages. Counts are printed exactly, with Indonesian digit
/// grouping (a dot every three digits): never rounded, never abbreviated.
public enum Format {
    public static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped += "." }
            grouped.append(digit)
        }
        return value < 0 ? "−" + grouped : grouped
    }

    public static func count(_ value: Int?) -> String { value.map(count) ?? "–" }

    /// A signed difference: `+12`, `−3`, `0`.
    public static func difference(_ value: Int) -> String {
        value > 0 ? "+" + count(value) : count(value)
    }

    /// KPU's `ts` as shown on pages.
    public static func wib(_ text: String) -> String { text + " WIB" }
}
