import Testing
@testable import Export

/// RFC 4180 as the downloads write it.
@Suite struct CSVTests {
    @Test func quotesOnlyWhatNeedsQuotingAndDoublesQuotes() {
        #expect(CSV.row(["a", nil, "", "1.234"]) == "a,,,1.234\r\n")
        #expect(CSV.row(["x,y", "say \"hi\"", "two\nlines", "cr\r", "é ü"]) == "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",é ü\r\n")
        #expect(CSV.row([]) == "\r\n")
        #expect(CSV.field("plain") == "plain")
        #expect(CSV.field("\"") == "\"\"\"\"")
        var bytes: [UInt8] = Array("head\r\n".utf8)
        CSV.append(["a\"b", "c"], to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "head\r\n\"a\"\"b\",c\r\n")
        #expect(CSV.records(in: CSV.row(["two\r\nlines"]) + CSV.row(["b"])) == 2)
    }
}
