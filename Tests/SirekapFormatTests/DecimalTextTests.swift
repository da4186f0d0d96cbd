import SirekapFormat
import Testing

/// Counts written as bytes read as Swift's own decimal text of them.
@Suite struct DecimalTextTests {
    @Test func digitsAreSwiftsOwn() {
        for number in [0, 7, -1, 10, -10, 999, 1_000, 1_234_567_890, -1_234_567_890, Int.max, Int.min] {
            var out: [UInt8] = [UInt8(ascii: "x")]
            DecimalText.append(number, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == "x\(number)")
        }
    }
}
