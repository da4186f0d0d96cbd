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

/// `utf8Precedes` is byte order, as `utf8.lexicographicallyPrecedes` gives it.
@Suite struct ByteOrderTests {
    @Test func agreesWithTheUTF8Views() {
        let pieces = ["", "a", "b", "3201", "32010", "3201010001001.json", "index.html", "Ä", "é", "e\u{301}", "日本", "~", "A", "z", "100025"]
        var strings = pieces
        // Longer strings (not stored inline) that share a prefix and differ late or only in length.
        for a in pieces { for b in pieces { strings.append(a + "/0123456789abcdef/" + b) } }
        for a in strings {
            for b in strings {
                #expect(a.utf8Precedes(b) == a.utf8.lexicographicallyPrecedes(b.utf8), "\(a) < \(b)")
            }
        }
    }
}
