/// Integers as decimal text, written straight into a byte buffer: pages, twins and CSV rows print
/// millions of counts, and making a string for each (then copying it) showed in every profile.
public enum DecimalText {
    /// Appends `number`'s digits (with `-` when negative) to `out`, in one append.
    public static func append(_ number: Int, to out: inout [UInt8]) {
        var magnitude = number.magnitude  // Int.min's magnitude fits in UInt
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 21) { digits in
            var start = 21
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if number < 0 {
                start -= 1
                digits[start] = UInt8(ascii: "-")
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }
}
