import SirekapFormat
@testable import Store
import Testing

/// The totals an incremental build saves per village read back as they were written.
@Suite struct ComputedTotalsTests {
    static func totals(_ head: (Int, Int, Int, Int, Int), votes: [String: Int], flagged: [String: Int]) -> ComputedTotals {
        var totals = ComputedTotals()
        (totals.tpsTotal, totals.tpsWithResults, totals.tpsWithAdministrasi, totals.suaraSah, totals.suaraTidakSah) = head
        totals.votes = votes
        totals.flagged = flagged
        return totals
    }

    @Test func encodedTotalsReadBackTheSame() throws {
        let cases = [
            ComputedTotals(),
            Self.totals((12, 9, 8, 1_804, 23), votes: ["100025": 503, "100026": 1_021, "100027": 280], flagged: ["R1": 2, "R4": 1]),
            // Sums of published numbers can be negative, and a village can have votes and no flag.
            Self.totals((3, 3, 3, -5, 0), votes: ["100025": -7, "100026": 0], flagged: [:]),
            Self.totals((1, 0, 0, 0, 0), votes: [:], flagged: ["R9": 1]),
            Self.totals((Int.max, 0, 0, Int.min + 1, 0), votes: ["x": Int.max], flagged: [:]),
        ]
        for totals in cases {
            let text = totals.encoded
            #expect(ComputedTotals(encoded: text) == totals, "\(text)")
        }
        #expect(Self.totals((12, 9, 8, 1_804, 23), votes: ["100026": 2, "100025": 1], flagged: ["R1": 2]).encoded
                == "12,9,8,1804,23|100025=1,100026=2|R1=2")
    }

    @Test func anythingElseIsRefused() {
        for text in ["", "1,2,3,4|a=1|", "1,2,3,4,5|a=1", "1,2,3,4,5,6||", "1,2,x,4,5||", "1,2,3,4,5|a|", "1,2,3,4,5|=1|",
                     "1,2,3,4,5|a=|", "1,2,3,4,5|a=1,,b=2|", "1,2,3,4,5|a=1||", "1,2,3,4,5||b=2 ", "99999999999999999999,0,0,0,0||"] {
            #expect(ComputedTotals(encoded: text) == nil, "\(text)")
        }
        #expect(ComputedTotals(encoded: "1,2,3,4,5||") == Self.totals((1, 2, 3, 4, 5), votes: [:], flagged: [:]))
    }
}
