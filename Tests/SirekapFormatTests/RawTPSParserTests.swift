import Foundation
import Testing
import TestSupport
@testable import SirekapFormat

/// The fast TPS path must agree with `Codable` on everything it accepts, and leave the rest to it.
@Suite struct RawTPSParserTests {
    /// What the slow path makes of the bytes: the result and its canonical bytes, or nil (refused).
    func slow(_ bytes: [UInt8]) -> (TPSResult, [UInt8])? {
        guard let result = try? TPSResult.decode(Data(bytes)) else { return nil }
        return (result, Array(CanonicalJSON.encode(result)))
    }

    /// The fast path's result must equal the slow one's wherever it gives one, and so must the
    /// canonical bytes and the parts the store keeps.
    func check(_ bytes: [UInt8], _ label: String, expectFast: Bool? = nil) {
        let fast = RawTPSParser.parse(bytes)
        let reference = slow(bytes)
        if let expectFast { #expect((fast != nil) == expectFast, "\(label): fast path \(fast == nil ? "declined" : "accepted")") }
        guard let fast else { return }
        guard let (result, canonical) = reference else {
            Issue.record("\(label): the fast path accepted what Codable refuses")
            return
        }
        #expect(fast == result, "\(label)")
        guard let written = CanonicalTPS(fast) else { return }
        #expect(written.document == canonical, "\(label): \(String(decoding: written.document, as: UTF8.self))")
        #expect(written.chart == result.chart.map(CanonicalJSON.string), "\(label)")
        #expect(written.images == CanonicalJSON.string(result.images), "\(label)")
        #expect(written.administrasi == result.administrasi.map(CanonicalJSON.string), "\(label)")
    }

    @Test func agreesWithCodableOnTheFixtureAndItsVariants() {
        let base = Array(rawTPS.utf8)
        check(base, "fixture", expectFast: true)
        let variants: [(String, String, Bool?)] = [
            ("\"mode\": \"hhcw\",", "", true),                          // mode missing
            ("\"mode\": \"hhcw\"", "\"mode\": null", true),
            ("\"psu\": null", "\"psu\": \"Pemungutan Suara Ulang\"", true),
            ("\"100026\": 45", "\"100026\": null", true),
            ("\"100026\": 45", "\"100026\": -45", true),
            ("\"suara_sah\": 174", "\"suara_sah\": null", true),
            ("\"suara_sah\": 174,", "", true),                           // a form field missing
            ("\"null\": null,", "", true),                               // no junk key
            ("\"100026\": 45", "\"100026\": 45.0", false),              // a fraction: Codable decides
            ("\"100026\": 45", "\"100026\": 4.5e1", false),
            ("\"100026\": 45", "\"100026\": 045", false),
            ("\"100026\": 45", "\"100026\": \"45\"", false),
            ("\"null\": null", "\"null\": 3", false),
            ("\"100027\": 9", "\"100027\": 9, \"100027\": 9", false),   // a duplicate key
            ("\"psu\": null", "\"psu\": null, \"extra\": 1", false),    // an unknown key
            ("\"psu\": null", "\"psu\": \"Ulang \\u00e9\"", false),     // an escape
            ("\"psu\": null", "\"psu\": \"Ulang é\"", false),           // non-ASCII
            ("\"status_adm\": true", "\"status_adm\": 1", false),
            ("\"ts\": \"2024-02-16 16:25:10\"", "\"ts\": \"yesterday\"", false),
            ("\"suara_sah\": 174", "\"suara_sha\": 174", false),
            ("\"100025\": 120", "\"10002x\": 120", false),
            // Past what an Int holds, or near it: Codable's to judge (it refuses the first two).
            ("\"100026\": 45", "\"100026\": 99999999999999999999", false),
            ("\"suara_sah\": 174", "\"suara_sah\": 1234567890123456789012345", false),
            ("\"100026\": 45", "\"100026\": 9223372036854775807", false),
            ("\"100026\": 45", "\"100026\": 999999999999999999", true),
        ]
        for (old, new, fast) in variants {
            let text = rawTPS.replacingOccurrences(of: old, with: new)
            #expect(text != rawTPS, "the variant \(new) must change the fixture")
            check(Array(text.utf8), "\(old) -> \(new)", expectFast: fast)
        }
        // Empty chart, null chart, null form, no images, one line, CRLF.
        check(Array(#"{"chart":{},"images":[],"administrasi":null,"psu":null,"ts":"2024-02-15 23:29:50","status_suara":false,"status_adm":false}"#.utf8), "empty", expectFast: true)
        check(Array(#"{"chart":null,"images":[null,null,null],"administrasi":{},"ts":"2024-02-15 23:29:50","status_suara":true,"status_adm":false}"#.utf8), "nulls", expectFast: true)
        check(Array(rawTPS.replacingOccurrences(of: "\n", with: "\r\n").utf8), "CRLF", expectFast: true)
        check(Array((rawTPS + "\n\n").utf8), "trailing newlines", expectFast: true)
        check(Array((rawTPS + "x").utf8), "trailing junk", expectFast: false)
        check(Array(#"{"chart":null,"images":[],"administrasi":null,"ts":"2024-02-15 23:29:50","status_suara":true}"#.utf8), "a status missing", expectFast: false)
    }

    /// Every real TPS file of the corpus, and each cut short and with bytes changed: whatever the
    /// fast path accepts, Codable accepts too, with the same result and canonical bytes.
    @Test(.enabled(if: corpusRoot != nil, "needs ../shared/corpus"))
    func agreesWithCodableOnTheCorpusAndMutations() throws {
        let files = corpusTPSFiles()
        #expect(files.count >= 5)
        var generator = SeededGenerator(seed: 7)
        for file in files {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
            check(bytes, file)
            if slow(bytes) != nil && bytes.allSatisfy({ $0 < 0x80 }) && !bytes.contains(UInt8(ascii: "\\")) {
                #expect(RawTPSParser.parse(bytes) != nil, "\(file): a plain real file takes the fast path")
            }
            for _ in 0..<30 {
                var mutated = bytes
                switch generator.next() % 3 {
                case 0: mutated.removeLast(Int(generator.next() % UInt64(mutated.count)))
                case 1: mutated[Int(generator.next() % UInt64(mutated.count))] = UInt8(truncatingIfNeeded: generator.next())
                default:
                    let at = Int(generator.next() % UInt64(mutated.count))
                    mutated.insert(contentsOf: Array("\",:{}[]0-9 null".utf8).shuffled(using: &generator).prefix(3), at: at)
                }
                check(mutated, "\(file) (mutated)")
            }
        }
    }
}

/// The region list fast path against `Codable`, the same way.
@Suite struct RegionListFastPathTests {
    func check(_ bytes: [UInt8], parent: RegionCode?, _ label: String, expectFast: Bool? = nil) {
        let fast = bytes.withUnsafeBufferPointer { bytes in
            var scanner = PlainJSONScanner(bytes: bytes)
            return scanner.regionEntries()
        }
        if let expectFast { #expect((fast != nil) == expectFast, "\(label)") }
        let slow = Result { () throws(FormatError) in try RegionList.decode(Data(bytes), parent: parent) }
        let viaBytes = Result { () throws(FormatError) in try RegionList.decode(bytes: bytes, parent: parent) }
        // Same list, or the same error, whichever path the bytes take.
        #expect(slow == viaBytes, "\(label)")
        guard fast != nil, case .success(let list) = slow else {
            if fast != nil, (try? JSONDecoder().decode([RegionEntry].self, from: Data(bytes))) == nil {
                Issue.record("\(label): the fast path accepted what Codable refuses")
            }
            return
        }
        if let written = list.canonicalEntries {
            #expect(written == Array(CanonicalJSON.encode(list.entries)), "\(label)")
        }
    }

    @Test func agreesWithCodableOnSmallLists() {
        let good = #"[{"nama":"ACEH","id":1,"kode":"11","tingkat":1},{"nama":" P A P U A ","id":2,"kode":"91","tingkat":1}]"#
        check(Array(good.utf8), parent: nil, "good", expectFast: true)
        check(Array("[]".utf8), parent: nil, "empty", expectFast: true)
        check(Array(good.replacingOccurrences(of: "\"tingkat\":1}]", with: "\"tingkat\":2}]").utf8), parent: nil, "wrong level", expectFast: false)
        check(Array(good.replacingOccurrences(of: "\"id\":2", with: "\"id\":2,\"extra\":0").utf8), parent: nil, "extra key", expectFast: false)
        check(Array(good.replacingOccurrences(of: "ACEH", with: "ACÈH").utf8), parent: nil, "non-ASCII", expectFast: false)
        check(Array(good.replacingOccurrences(of: "\"91\"", with: "\"11\"").utf8), parent: nil, "listed twice", expectFast: true)
        check(Array(good.utf8), parent: RegionCode("11"), "not children", expectFast: true)
        check(Array(good.replacingOccurrences(of: "\"id\":2", with: "\"id\":1234567890123456789012345").utf8), parent: nil,
              "an id past Int", expectFast: false)
        #expect(RegionEntry.displayName(" P A P U A ") == "P A P U A")
        #expect(RegionEntry.displayName("ACEH") == "ACEH")
        #expect(RegionEntry.displayName("ACEH\u{00A0}") == "ACEH")
        #expect(RegionEntry.displayName("") == "")
    }

    @Test(.enabled(if: corpusRoot != nil, "needs ../shared/corpus"))
    func agreesWithCodableOnTheCorpusAndMutations() throws {
        let files = corpusRegionLists()
        #expect(files.count >= 100)
        var generator = SeededGenerator(seed: 11)
        for (index, (file, parent)) in files.enumerated() {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
            check(bytes, parent: parent, file)
            guard index % 20 == 0, !bytes.isEmpty else { continue }
            for _ in 0..<10 {
                var mutated = bytes
                if generator.next() % 2 == 0 {
                    mutated.removeLast(Int(generator.next() % UInt64(mutated.count)))
                } else {
                    mutated[Int(generator.next() % UInt64(mutated.count))] = UInt8(truncatingIfNeeded: generator.next())
                }
                check(mutated, parent: parent, "\(file) (mutated)")
            }
        }
    }
}

private var corpusRoot: String? {
    let here = URL(fileURLWithPath: #filePath)
    let shared = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/corpus").path
    return FileManager.default.fileExists(atPath: shared) ? shared : nil
}

/// TPS result files (13-digit names under `pemilu/hhcw/ppwp/`) of every copy in the corpus.
private func corpusTPSFiles() -> [String] {
    guard let root = corpusRoot, let walker = FileManager.default.enumerator(atPath: root) else { return [] }
    var files: [String] = []
    while let path = walker.nextObject() as? String {
        let name = (path as NSString).lastPathComponent
        if path.contains("pemilu/hhcw/ppwp/"), name.hasSuffix(".json"), name.count == 18 { files.append(root + "/" + path) }
    }
    return files.sorted()
}

/// Region lists (`wilayah/pemilu/ppwp/...`) of every copy in the corpus, with the parent each names.
private func corpusRegionLists() -> [(String, RegionCode?)] {
    guard let root = corpusRoot, let walker = FileManager.default.enumerator(atPath: root) else { return [] }
    var files: [(String, RegionCode?)] = []
    while let path = walker.nextObject() as? String {
        guard let range = path.range(of: "wilayah/pemilu/ppwp/"), path.hasSuffix(".json"),
              case .regionList(let parent)? = try? SourcePath(relativePath: String(path[range.lowerBound...])) else { continue }
        files.append((root + "/" + path, parent))
    }
    return files.sorted { $0.0 < $1.0 }
}
