import Foundation
import Testing
import TestSupport
@testable import SirekapFormat

@Suite struct RegionCodeTests {
    @Test func levelsFollowCodeLength() throws {
        let codes = ["31", "3101", "310101", "3101011001", "3101011001001"]
        #expect(try codes.map { try #require(RegionCode($0)).level } == [.province, .regency, .district, .village, .tps])
    }

    @Test func overseasCodesKeepTheirLetters() throws {
        let code = try #require(RegionCode("99BF010001001"))
        #expect(code.level == .tps)
        #expect(code.path == "99/99BF/99BF01/99BF010001/99BF010001001")
        #expect(code.province.rawValue == "99")
    }

    @Test(arguments: ["", "3", "310", "3101011001001X", "31 1", "99af", "3101011001-01", "０１", "TPS008", "31AB", "A1"])
    func rejectsWhatIsNotACode(_ text: String) {
        #expect(RegionCode(text) == nil)
    }

    @Test func leadingZerosAreKept() throws {
        // Codes are never numbers: a code that starts with 0 must survive.
        #expect(try #require(RegionCode("0101")).rawValue == "0101")
    }

    @Test func parentAndLineage() throws {
        let tps = try #require(RegionCode("1101012001001"))
        #expect(tps.parent?.rawValue == "1101012001")
        #expect(tps.lineage.map(\.rawValue) == ["11", "1101", "110101", "1101012001", "1101012001001"])
        #expect(try #require(RegionCode("11")).parent == nil)
        #expect(tps.isWithin(try #require(RegionCode("1101"))))
        #expect(!tps.isWithin(try #require(RegionCode("1102"))))
    }

    @Test func sortsByteWise() throws {
        let codes = try ["99AA", "9901", "1101", "99BF"].map { try #require(RegionCode($0)) }
        #expect(codes.sorted().map(\.rawValue) == ["1101", "9901", "99AA", "99BF"])
    }
}

@Suite struct SourcePathTests {
    func path(_ text: String) throws -> SourcePath { try SourcePath(relativePath: text) }

    @Test func regionLists() throws {
        #expect(try path("wilayah/pemilu/ppwp/0.json") == .regionList(parent: nil))
        #expect(try path("wilayah/pemilu/ppwp/31.json") == .regionList(parent: RegionCode("31")))
        #expect(try path("wilayah/pemilu/ppwp/31/3101/310101/3101011001.json")
            == .regionList(parent: RegionCode("3101011001")))
    }

    @Test func resultsAndAggregates() throws {
        #expect(try path("pemilu/hhcw/ppwp.json") == .aggregate(region: nil))
        #expect(try path("pemilu/hhcw/ppwp/11/1101.json") == .aggregate(region: RegionCode("1101")))
        #expect(try path("pemilu/hhcw/ppwp/11/1101/110101/1101012001/1101012001001.json")
            == .tpsResult(tps: RegionCode("1101012001001")!))
    }

    @Test func otherContestsAreNamedByFolder() throws {
        #expect(try path("pemilu/hhcw/pdpd/11/1101/110101/1101012001/1101012001001.json")
            == .otherContest("pemilu/hhcw/pdpd"))
        #expect(try path("pemilu/hhcw/pdpr.json") == .otherContest("pemilu/hhcw/pdpr"))
        #expect(try path("wilayah/pemilu/pdpr/dapil_dpr.json") == .otherContest("wilayah/pemilu/pdpr"))
        #expect(try path("pemilu/hr/pdpd/11.json") == .otherContest("pemilu/hr"))
    }

    @Test func unrelatedFilesAreUnrecognized() throws {
        #expect(try path("README.md") == .unrecognized)
        #expect(try path("notes/ppwp.json") == .unrecognized)
        #expect(try path("pemilu/hhcw/ppwp/11/1101.csv") == .unrecognized)
    }

    @Test func folderThatDoesNotMatchItsCodeIsAnError() {
        #expect(throws: SourcePath.Invalid.self) {
            try path("pemilu/hhcw/ppwp/11/1102/110101/1101012001/1101012001001.json")
        }
        #expect(throws: SourcePath.Invalid.self) {
            try path("pemilu/hhcw/ppwp/11/1101/1101012001/1101012001001.json")
        }
        #expect(throws: SourcePath.Invalid.self) { try path("wilayah/pemilu/ppwp/31/3101/3101011001001.json") }
    }

    @Test func nameThatIsNotACodeIsAnError() {
        #expect(throws: SourcePath.Invalid.self) { try path("pemilu/hhcw/ppwp/11/1101/110101/1101012001/TPS1.json") }
        #expect(throws: SourcePath.Invalid.self) { try path("pemilu/hhcw/ppwp/11/11010.json") }
    }

    @Test func urlRoundTrips() throws {
        let relative = "pemilu/hhcw/ppwp/31/3101/310101/3101011001/3101011001001.json"
        #expect(try path(relative).url == "https://sirekap-obj-data.kpu.go.id/" + relative)
        #expect(try path("wilayah/pemilu/ppwp/0.json").relativePath == "wilayah/pemilu/ppwp/0.json")
    }
}

@Suite struct KPUTimestampTests {
    @Test func convertsWIBToUTC() throws {
        let ts = try #require(KPUTimestamp("2024-02-20 13:00:00"))
        #expect(ts.iso8601UTC == "2024-02-20T06:00:00Z")
        #expect(ts.unixSeconds == 1_708_408_800)
        // Early morning WIB is the previous day in UTC.
        #expect(KPUTimestamp("2024-03-01 03:30:15")?.iso8601UTC == "2024-02-29T20:30:15Z")
    }

    @Test func iso8601AgreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SeededGenerator(seed: 2024)
        // Years 1583 to 9999 (Foundation counts earlier dates in the Julian calendar, ISO 8601 in
        // the Gregorian), around 2024 densely, and the edges of that range.
        let first = -12_212_553_600, last = 253_402_300_799
        var samples = [first, last, 0, -1, 86_399, 86_400, 951_782_400, 1_709_164_800, 1_709_251_199]
        for _ in 0..<5_000 { samples.append(first + Int(generator.next() % UInt64(last - first + 1))) }
        for _ in 0..<5_000 { samples.append(1_704_067_200 + Int(generator.next() % 31_622_400)) }
        for seconds in samples {
            #expect(KPUTimestamp.iso8601(unixSeconds: seconds) == formatter.string(from: Date(timeIntervalSince1970: Double(seconds))),
                    "\(seconds)")
        }
    }

    @Test(arguments: ["2024-02-20T13:00:00", "2024-02-20 13:00", "2024-13-01 00:00:00", "2024-02-20 24:00:00", "", "x"])
    func rejectsOtherFormats(_ text: String) {
        #expect(KPUTimestamp(text) == nil)
    }

    @Test func ordersChronologically() throws {
        #expect(try #require(KPUTimestamp("2024-02-15 23:29:50")) < #require(KPUTimestamp("2024-02-20 13:00:00")))
    }
}
