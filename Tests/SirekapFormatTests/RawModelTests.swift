import Foundation
import Testing
@testable import SirekapFormat

/// A TPS result in KPU's own bytes (json.dumps indent=4, LF, no trailing newline). Numbers invented.
let rawTPS = """
{
    "mode": "hhcw",
    "chart": {
        "null": null,
        "100025": 120,
        "100026": 45,
        "100027": 9
    },
    "images": [
        "https://sirekap-obj-formc.kpu.go.id/abcd/pemilu/ppwp/31/01/01/10/01/3101011001001-20240215-101421--00000000-0000-4000-8000-000000000001.jpg",
        null,
        "https://sirekap-obj-formc.kpu.go.id/abcd/pemilu/ppwp/31/01/01/10/01/3101011001001-20240215-102135--00000000-0000-4000-8000-000000000003.jpg"
    ],
    "administrasi": {
        "suara_sah": 174,
        "suara_total": 176,
        "pemilih_dpt_j": 250,
        "pemilih_dpt_l": 120,
        "pemilih_dpt_p": 130,
        "pengguna_dpt_j": 170,
        "pengguna_dpt_l": 80,
        "pengguna_dpt_p": 90,
        "pengguna_dptb_j": 4,
        "pengguna_dptb_l": 2,
        "pengguna_dptb_p": 2,
        "suara_tidak_sah": 2,
        "pengguna_total_j": 176,
        "pengguna_total_l": 83,
        "pengguna_total_p": 93,
        "pengguna_non_dpt_j": 2,
        "pengguna_non_dpt_l": 1,
        "pengguna_non_dpt_p": 1
    },
    "psu": null,
    "ts": "2024-02-16 16:25:10",
    "status_suara": true,
    "status_adm": true
}
"""

/// Re-serialises `text` the way other savers did: JavaScript moves integer-like keys first.
func reserialised(_ text: String, style: String) throws -> String {
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
    switch style {
    case "one-line":
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    case "crlf":
        return text.replacingOccurrences(of: "\n", with: "\r\n")
    default:
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted]), as: UTF8.self)
    }
}

@Suite struct TPSResultTests {
    @Test func readsEveryField() throws {
        let result = try TPSResult.decode(Data(rawTPS.utf8))
        #expect(result.mode == "hhcw")
        #expect(result.chart?.candidates == ["100025", "100026", "100027"])
        #expect(result.chart?["100026"] == 45)
        #expect(result.chart?.sum == 174)
        #expect(result.images.count == 3 && result.images[1] == nil)
        #expect(result.administrasi?["suara_sah"] == 174)
        #expect(result.administrasi?["pengguna_non_dpt_p"] == 1)
        #expect(result.administrasi?.values.count == 18)
        #expect(result.psu == nil)
        #expect(result.ts.text == "2024-02-16 16:25:10")
        #expect(result.statusSuara && result.statusAdm)
    }

    @Test func dropsTheJunkNullKey() throws {
        let result = try TPSResult.decode(Data(rawTPS.utf8))
        #expect(!(result.chart?.candidates.contains("null") ?? true))
        #expect(!CanonicalJSON.string(result).contains("\"null\""))
    }

    @Test func emptyTPSHasNullChartAndForm() throws {
        let text = """
            {"chart": null, "images": [null, null, null], "administrasi": null, "psu": null, "ts": "2024-02-15 07:00:44", "status_suara": false, "status_adm": false}
            """
        let result = try TPSResult.decode(Data(text.utf8))
        #expect(result.chart == nil)
        #expect(result.administrasi == nil)
        #expect(result.mode == nil)
    }

    @Test func chartWithOnlyTheNullKeyIsEmptyNotAbsent() throws {
        // A real case (3173011005085): status_suara true, chart {"null": null}.
        let text = """
            {"chart": {"null": null}, "images": [null, null, null], "administrasi": null, "psu": null, "ts": "2024-02-15 07:00:44", "status_suara": true, "status_adm": false}
            """
        let result = try TPSResult.decode(Data(text.utf8))
        #expect(result.chart != nil)
        #expect(result.chart?.isEmpty == true)
    }

    @Test func impossibleValuesAreKeptAsPublished() throws {
        let text = rawTPS.replacingOccurrences(of: "\"100027\": 9", with: "\"100027\": -5")
            .replacingOccurrences(of: "\"suara_sah\": 174", with: "\"suara_sah\": 1551")
        let result = try TPSResult.decode(Data(text.utf8))
        #expect(result.chart?["100027"] == -5)
        #expect(result.administrasi?["suara_sah"] == 1551)
    }

    @Test func nullCandidateValueStaysNull() throws {
        let text = rawTPS.replacingOccurrences(of: "\"100026\": 45", with: "\"100026\": null")
        let result = try TPSResult.decode(Data(text.utf8))
        #expect(result.chart?.candidates.contains("100026") == true)
        #expect(result.chart?["100026"] == nil)
        #expect(result.chart?.sum == 129)
    }

    @Test(arguments: ["one-line", "crlf", "js"])
    func otherSerialisationsHaveTheSameContent(_ style: String) throws {
        let original = try TPSResult.decode(Data(rawTPS.utf8))
        let copy = try TPSResult.decode(Data(try reserialised(rawTPS, style: style).utf8))
        #expect(copy == original)
        #expect(CanonicalJSON.encode(copy) == CanonicalJSON.encode(original))
    }

    @Test func aChangedNumberChangesTheContent() throws {
        let changed = rawTPS.replacingOccurrences(of: "\"100025\": 120", with: "\"100025\": 121")
        #expect(CanonicalJSON.encode(try TPSResult.decode(Data(changed.utf8)))
            != CanonicalJSON.encode(try TPSResult.decode(Data(rawTPS.utf8))))
    }

    @Test func stringWhereACountBelongsIsRejectedWithItsPath() throws {
        let text = rawTPS.replacingOccurrences(of: "\"100026\": 45", with: "\"100026\": \"45\"")
        let error = try #require(throws: FormatError.self) { try TPSResult.decode(Data(text.utf8)) }
        #expect(error.description.contains("chart.\"100026\""))
        #expect(error.description.contains("integer"))
    }

    @Test func fractionalCountIsRejected() throws {
        let text = rawTPS.replacingOccurrences(of: "\"suara_sah\": 174", with: "\"suara_sah\": 17.5")
        let error = try #require(throws: FormatError.self) { try TPSResult.decode(Data(text.utf8)) }
        #expect(error.description.contains("administrasi.suara_sah"))
    }

    @Test func truncatedFileIsRejected() throws {
        let text = String(rawTPS.prefix(300))
        let error = try #require(throws: FormatError.self) { try TPSResult.decode(Data(text.utf8)) }
        #expect(error.description.contains("not valid JSON"))
    }

    @Test func syntaxErrorNamesItsLine() throws {
        let text = rawTPS.replacingOccurrences(of: "\"100026\": 45,", with: "\"100026\": 45,,")
        let error = try #require(throws: FormatError.self) { try TPSResult.decode(Data(text.utf8)) }
        #expect(error.description.contains("line 6, column 22"), "\(error)")
    }

    @Test func emptyFileIsRejected() throws {
        let error = try #require(throws: FormatError.self) { try TPSResult.decode(Data()) }
        #expect(error.description.contains("empty"))
    }

    @Test func notJSONIsRejected() throws {
        #expect(throws: FormatError.self) { try TPSResult.decode(Data("<html>502 Bad Gateway</html>".utf8)) }
    }

    @Test func unknownKeysAreRejected() throws {
        let text = rawTPS.replacingOccurrences(of: "\"psu\": null,", with: "\"psu\": null,\n    \"extra\": 1,")
        let error = try #require(throws: FormatError.self) { try TPSResult.decode(Data(text.utf8)) }
        #expect(error.description.contains("extra"))
    }

    @Test func missingRequiredKeyIsRejected() throws {
        let text = rawTPS.replacingOccurrences(of: "\"status_adm\": true", with: "\"status_x\": true")
        #expect(throws: FormatError.self) { try TPSResult.decode(Data(text.utf8)) }
    }

    @Test func badTimestampIsRejected() throws {
        let text = rawTPS.replacingOccurrences(of: "2024-02-16 16:25:10", with: "16/02/2024")
        let error = try #require(throws: FormatError.self) { try TPSResult.decode(Data(text.utf8)) }
        #expect(error.description.contains("ts"))
    }

    @Test func nullKeyHoldingANumberIsRejected() throws {
        let text = rawTPS.replacingOccurrences(of: "\"null\": null", with: "\"null\": 3")
        #expect(throws: FormatError.self) { try TPSResult.decode(Data(text.utf8)) }
    }
}

@Suite struct AggregateTests {
    let village = """
        {
            "ts": "2024-02-16 16:25:21",
            "psu": "Reguler",
            "mode": "hhcw",
            "chart": {
                "100025": 393,
                "100026": 57,
                "100027": 3,
                "persen": 100.0
            },
            "table": {
                "3101011001001": {
                    "psu": "Reguler",
                    "100025": 197,
                    "100026": 31,
                    "100027": 2,
                    "persen": 100,
                    "status_progress": true
                },
                "3101011001002": {
                    "psu": "Reguler",
                    "persen": 0,
                    "status_progress": false
                }
            },
            "progres": {
                "total": 2,
                "progres": 1
            }
        }
        """

    @Test func readsChartTableAndProgress() throws {
        let aggregate = try Aggregate.decode(Data(village.utf8), region: RegionCode("3101011001"))
        #expect(aggregate.chart?.votes["100025"] == 393)
        #expect(aggregate.chart?.persen == 100.0)
        #expect(aggregate.table.map(\.code.rawValue) == ["3101011001001", "3101011001002"])
        #expect(aggregate.table[0].votes["100026"] == 31)
        #expect(aggregate.table[1].votes.isEmpty)
        #expect(aggregate.table[1].statusProgress == false)
        #expect(aggregate.progres == Aggregate.Progres(total: 2, progres: 1))
    }

    @Test func tableRowsMustBeChildren() throws {
        let error = try #require(throws: FormatError.self) {
            try Aggregate.decode(Data(village.utf8), region: RegionCode("3101011002"))
        }
        #expect(error.description.contains("3101011001001"))
    }

    @Test func persenWrittenAsIntegerOrFloatIsTheSameContent() throws {
        let asFloat = village.replacingOccurrences(of: "\"persen\": 100,", with: "\"persen\": 100.0,")
        let a = try Aggregate.decode(Data(village.utf8), region: RegionCode("3101011001"))
        let b = try Aggregate.decode(Data(asFloat.utf8), region: RegionCode("3101011001"))
        #expect(CanonicalJSON.encode(a) == CanonicalJSON.encode(b))
    }

    @Test func canonicalFormReadsBack() throws {
        let a = try Aggregate.decode(Data(village.utf8), region: RegionCode("3101011001"))
        let b = try RawJSON.decode(Aggregate.self, from: CanonicalJSON.encode(a))
        #expect(a == b)
    }

    @Test func nullChartAndMissingModeAreAccepted() throws {
        let text = """
            {"ts": "2024-02-16 16:25:21", "psu": "Reguler", "chart": null, "table": {}, "progres": {"total": 0, "progres": 0}}
            """
        let aggregate = try Aggregate.decode(Data(text.utf8), region: RegionCode("3101011001"))
        #expect(aggregate.chart == nil && aggregate.mode == nil)
    }
}

@Suite struct RegionListTests {
    let provinces = """
        [
            {
                "nama": "P A P U A",
                "id": 191097,
                "kode": "91",
                "tingkat": 1
            },
            {
                "nama": " ACEH.",
                "id": 100054,
                "kode": "11",
                "tingkat": 1
            }
        ]
        """

    @Test func keepsNamesVerbatimAndSortsByCode() throws {
        let list = try RegionList.decode(Data(provinces.utf8), parent: nil)
        #expect(list.entries.map(\.code.rawValue) == ["11", "91"])
        #expect(list.entries[0].rawName == " ACEH.")
        #expect(list.entries[0].displayName == "ACEH.")
        #expect(list.entries[1].rawName == "P A P U A")
        #expect(list.entries[0].kpuID == 100054)
    }

    @Test func tingkatMustMatchTheCode() {
        let text = provinces.replacingOccurrences(of: "\"tingkat\": 1\n    },", with: "\"tingkat\": 2\n    },")
        #expect(throws: FormatError.self) { try RegionList.decode(Data(text.utf8), parent: nil) }
    }

    @Test func entriesMustBeChildrenOfTheListedRegion() {
        #expect(throws: FormatError.self) { try RegionList.decode(Data(provinces.utf8), parent: RegionCode("11")) }
    }

    @Test func codeMustBeAString() throws {
        let text = provinces.replacingOccurrences(of: "\"kode\": \"91\"", with: "\"kode\": 91")
        let error = try #require(throws: FormatError.self) { try RegionList.decode(Data(text.utf8), parent: nil) }
        #expect(error.description.contains("[0].kode"), "\(error)")
    }

    @Test func duplicatesAreRejected() {
        let text = provinces.replacingOccurrences(of: "\"kode\": \"91\"", with: "\"kode\": \"11\"")
        #expect(throws: FormatError.self) { try RegionList.decode(Data(text.utf8), parent: nil) }
    }
}
