/// Fast paths for the two most common files: one TPS result (about 823,000 of them) and one
/// region list (about 92,000).
///
/// `TPSResult.decode` (Foundation's `JSONDecoder` behind `Codable`) was two thirds of an import's
/// CPU time, `CanonicalJSON` (`JSONEncoder`) most of the rest (perf, Jawa Barat import,
/// 2026-11-26). This parser reads the bytes once and builds the same `TPSResult`, and
/// `CanonicalTPS` writes the same canonical bytes `JSONEncoder` does, for the files that are
/// plainly well formed: ASCII strings without escapes, integer counts, each key once.
///
/// Region lists get the same treatment (`RegionList.decode(bytes:)`, `RegionList.canonicalEntries`).
///
/// It never decides that a file is bad. Anything else (an escape, a fraction, a duplicate or
/// unknown key, a type out of place, broken JSON) returns nil, and the caller decodes the file
/// with `TPSResult.decode`, which either accepts it or says precisely what is wrong. So the fast
/// path accepts a subset of what `Codable` accepts and, on that subset, gives the same result (a
/// test checks both on real and mutated files).
public enum RawTPSParser {
    public static func parse(_ bytes: [UInt8]) -> TPSResult? {
        bytes.withUnsafeBufferPointer { bytes in
            var scanner = PlainJSONScanner(bytes: bytes)
            return scanner.tpsResult()
        }
    }
}

/// Reads the plain subset of JSON the fast paths accept: strings of ASCII from space up without
/// escapes, integers without fraction or exponent. Every method returns nil (or false) for
/// anything else, never an error: the caller then hands the file to `Codable`.
struct PlainJSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// The next byte after white space, not consumed.
    mutating func peek() -> UInt8? {
        skipSpace()
        return index < bytes.count ? bytes[index] : nil
    }

    mutating func expect(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    /// `null`, `true` or `false` when the next bytes spell it.
    mutating func literal(_ word: StaticString) -> Bool {
        skipSpace()
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        // A literal runs into nothing but punctuation or space (`nullx` is not `null`).
        if index + count < bytes.count, PlainJSONScanner.isWordByte(bytes[index + count]) { return false }
        index += count
        return true
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2E
    }

    /// A string of plain ASCII (no escapes, no control characters): the range of its bytes.
    mutating func stringRange() -> Range<Int>? {
        guard expect(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return start..<(index - 1)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { return nil }
            index += 1
        }
        return nil
    }

    mutating func string() -> String? {
        stringRange().map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
    }

    /// A string or null; nil when neither.
    mutating func optionalString() -> String?? {
        if literal("null") { return .some(nil) }
        return string().map { .some($0) }
    }

    /// An integer in JSON's form (`-?(0|[1-9][0-9]*)`), up to 18 digits (more is `Codable`'s to
    /// judge); nil for anything else.
    mutating func integer() -> Int? {
        skipSpace()
        guard let (value, end) = JSONInteger.read(bytes, at: index, maxDigits: 18) else { return nil }
        index = end
        // Nor may a letter or a sign run into it (`12abc`); `Codable` decides what to make of that.
        if index < bytes.count, PlainJSONScanner.isWordByte(bytes[index]) || bytes[index] == UInt8(ascii: "-")
            || bytes[index] == UInt8(ascii: "+") { return nil }
        return value
    }

    /// An integer or null; nil when neither.
    mutating func optionalInteger() -> Int?? {
        if literal("null") { return .some(nil) }
        return integer().map { .some($0) }
    }

    mutating func bool() -> Bool? {
        if literal("true") { return true }
        if literal("false") { return false }
        return nil
    }

    /// Calls `member` for each key of an object, with the scanner on the value. `member`
    /// returns false to give up.
    mutating func object(_ member: (inout PlainJSONScanner, Range<Int>) -> Bool) -> Bool {
        guard expect(UInt8(ascii: "{")) else { return false }
        if expect(UInt8(ascii: "}")) { return true }
        while true {
            guard let key = stringRange(), expect(UInt8(ascii: ":")), member(&self, key) else { return false }
            if expect(UInt8(ascii: ",")) { continue }
            return expect(UInt8(ascii: "}"))
        }
    }

    func equals(_ range: Range<Int>, _ name: StaticString) -> Bool {
        guard range.count == name.utf8CodeUnitCount else { return false }
        for offset in 0..<range.count where bytes[range.lowerBound + offset] != name.utf8Start[offset] { return false }
        return true
    }

    func equals(_ range: Range<Int>, _ name: [UInt8]) -> Bool {
        guard range.count == name.count else { return false }
        for offset in 0..<range.count where bytes[range.lowerBound + offset] != name[offset] { return false }
        return true
    }

    mutating func tpsResult() -> TPSResult? {
        var mode: String??, chart: CandidateVotes??, images: [String?]?, administrasi: Administrasi??
        var psu: String??, ts: KPUTimestamp?, statusSuara: Bool?, statusAdm: Bool?
        let complete = object { scanner, key in
            // Each key once: a repeated key goes to `Codable`, whose rule for it is its own.
            if scanner.equals(key, "chart") {
                guard chart == nil, let value = scanner.chart() else { return false }
                chart = .some(value)
            } else if scanner.equals(key, "administrasi") {
                guard administrasi == nil, let value = scanner.administrasi() else { return false }
                administrasi = .some(value)
            } else if scanner.equals(key, "images") {
                guard images == nil, let value = scanner.images() else { return false }
                images = value
            } else if scanner.equals(key, "ts") {
                guard ts == nil, let text = scanner.string(), let value = KPUTimestamp(text) else { return false }
                ts = value
            } else if scanner.equals(key, "psu") {
                guard psu == nil, let value = scanner.optionalString() else { return false }
                psu = .some(value)
            } else if scanner.equals(key, "mode") {
                guard mode == nil, let value = scanner.optionalString() else { return false }
                mode = .some(value)
            } else if scanner.equals(key, "status_suara") {
                guard statusSuara == nil, let value = scanner.bool() else { return false }
                statusSuara = value
            } else if scanner.equals(key, "status_adm") {
                guard statusAdm == nil, let value = scanner.bool() else { return false }
                statusAdm = value
            } else {
                return false
            }
            return true
        }
        // Nothing may follow the object; `chart`, `administrasi`, `images`, `ts` and both
        // statuses must be present (`mode` and `psu` may be missing).
        guard complete, peek() == nil, let chart, let administrasi, let images, let ts, let statusSuara, let statusAdm
        else { return nil }
        return TPSResult(mode: mode ?? nil, chart: chart, images: images, administrasi: administrasi,
                         psu: psu ?? nil, ts: ts, statusSuara: statusSuara, statusAdm: statusAdm)
    }

    /// `null`, or an object of candidate ids (digits) to counts or null, plus KPU's junk key
    /// `"null"` holding null.
    mutating func chart() -> CandidateVotes?? {
        if literal("null") { return .some(nil) }
        var votes: [String: Int?] = [:]
        var sawNullKey = false
        let complete = object { scanner, key in
            if scanner.equals(key, "null") {
                guard !sawNullKey, scanner.literal("null") else { return false }
                sawNullKey = true
                return true
            }
            guard !key.isEmpty, key.allSatisfy({ scanner.bytes[$0] >= 0x30 && scanner.bytes[$0] <= 0x39 }),
                  let value = scanner.optionalInteger() else { return false }
            let id = String(decoding: UnsafeBufferPointer(rebasing: scanner.bytes[key]), as: UTF8.self)
            guard votes.updateValue(value, forKey: id) == nil else { return false }
            return true
        }
        return complete ? .some(CandidateVotes(votes)) : nil
    }

    /// `null`, or an object of the 18 C1 fields (each an integer or null, any may be missing).
    mutating func administrasi() -> Administrasi?? {
        if literal("null") { return .some(nil) }
        var slots = [Int?](repeating: nil, count: Administrasi.fieldNames.count)
        var seen = [Bool](repeating: false, count: Administrasi.fieldNames.count)
        var next = 0
        let complete = object { scanner, key in
            // KPU writes the fields in `fieldNames` order: try the one after the last first.
            let position = next < Administrasi.fieldBytes.count && scanner.equals(key, Administrasi.fieldBytes[next])
                ? next : Administrasi.fieldBytes.firstIndex(where: { scanner.equals(key, $0) })
            guard let position, !seen[position], let value = scanner.optionalInteger() else { return false }
            seen[position] = true
            slots[position] = value
            next = position + 1
            return true
        }
        return complete ? .some(Administrasi(slots: slots)) : nil
    }

    /// An array of strings or nulls.
    mutating func images() -> [String?]? {
        guard expect(UInt8(ascii: "[")) else { return nil }
        var images: [String?] = []
        if expect(UInt8(ascii: "]")) { return images }
        while true {
            guard let image = optionalString() else { return nil }
            images.append(image)
            if expect(UInt8(ascii: ",")) { continue }
            return expect(UInt8(ascii: "]")) ? images : nil
        }
    }
}

extension PlainJSONScanner {
    /// Whether a text is written as it is between quotes, the same by us as by `JSONEncoder`:
    /// ASCII from space up, no quote, no backslash (what the scanner accepts in a string).
    static func isPlain(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x80 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
    }

    /// A region list: an array of `{"nama", "id", "kode", "tingkat"}` objects, each key once and
    /// no other, `tingkat` matching the code's level.
    mutating func regionEntries() -> [RegionEntry]? {
        guard expect(UInt8(ascii: "[")) else { return nil }
        var entries: [RegionEntry] = []
        if expect(UInt8(ascii: "]")) { return peek() == nil ? entries : nil }
        while true {
            var name: String?, id: Int?, code: RegionCode?, level: Int?
            let complete = object { scanner, key in
                if scanner.equals(key, "nama") {
                    guard name == nil, let value = scanner.string() else { return false }
                    name = value
                } else if scanner.equals(key, "id") {
                    guard id == nil, let value = scanner.integer() else { return false }
                    id = value
                } else if scanner.equals(key, "kode") {
                    guard code == nil, let text = scanner.string(), let value = RegionCode(text) else { return false }
                    code = value
                } else if scanner.equals(key, "tingkat") {
                    guard level == nil, let value = scanner.integer() else { return false }
                    level = value
                } else {
                    return false
                }
                return true
            }
            guard complete, let name, let id, let code, level == code.level.rawValue else { return nil }
            entries.append(RegionEntry(rawName: name, kpuID: id, code: code))
            if expect(UInt8(ascii: ",")) { continue }
            return expect(UInt8(ascii: "]")) && peek() == nil ? entries : nil
        }
    }
}

extension RegionList {
    /// The canonical form of the entries (what `CanonicalJSON.encode(entries)` gives), written
    /// directly; nil when a name would need escaping (those go through `JSONEncoder`).
    public var canonicalEntries: [UInt8]? {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(64 * entries.count + 2)
        for (index, entry) in entries.enumerated() {
            guard PlainJSONScanner.isPlain(entry.rawName) else { return nil }
            if index > 0 { out.append(UInt8(ascii: ",")) }
            // Keys in byte order: id, kode, nama, tingkat.
            out.append(contentsOf: "{\"id\":".utf8)
            out.append(contentsOf: String(entry.kpuID).utf8)
            out.append(contentsOf: ",\"kode\":\"".utf8)
            out.append(contentsOf: entry.code.rawValue.utf8)
            out.append(contentsOf: "\",\"nama\":\"".utf8)
            out.append(contentsOf: entry.rawName.utf8)
            out.append(contentsOf: "\",\"tingkat\":".utf8)
            out.append(contentsOf: String(entry.code.level.rawValue).utf8)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return out
    }
}

/// JSON integers read straight from bytes, for the import's fast path and the store's readers.
public enum JSONInteger {
    /// An integer in JSON's form (`-?(0|[1-9][0-9]*)`) at `start`, of at most `maxDigits` digits,
    /// within `Int` and not followed by a fraction or an exponent: the value and the index after it.
    /// Nil for anything else: the callers then leave the text to `Codable`.
    public static func read(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, maxDigits: Int = 19) -> (value: Int, end: Int)? {
        var index = start
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        let digitsStart = index
        var value = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            guard index - digitsStart < maxDigits else { return nil }
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times.addingReportingOverflow(Int(bytes[index] - 0x30))
            guard !overflow, !carry else { return nil }
            value = sum
            index += 1
        }
        guard index > digitsStart, index - digitsStart == 1 || bytes[digitsStart] != 0x30 else { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            return nil
        }
        return (negative ? -value : value, index)
    }
}

extension Administrasi {
    /// The field names as bytes, for matching keys without making strings.
    static let fieldBytes: [[UInt8]] = fieldNames.map { Array($0.utf8) }
}

/// The canonical form of a TPS result (what `CanonicalJSON.encode` gives: keys sorted, no spaces,
/// slashes unescaped), written directly, with the parts the store keeps in their own columns.
public struct CanonicalTPS: Sendable {
    /// The whole canonical document.
    public let document: [UInt8]
    /// `chart` (nil when null), `images` and `administrasi` (nil when null) as the store keeps them.
    public let chart: String?
    public let images: String
    public let administrasi: String?

    /// Nil when a string holds anything but plain ASCII (quotes, backslashes, control or non-ASCII
    /// bytes): such rare files go through `JSONEncoder`, so that escaping has one author.
    public init?(_ result: TPSResult) {
        let plain = PlainJSONScanner.isPlain
        guard result.images.allSatisfy({ $0.map(plain) ?? true }), result.mode.map(plain) ?? true,
              result.psu.map(plain) ?? true, plain(result.ts.text),
              result.chart?.entries.allSatisfy({ plain($0.candidate) }) ?? true else { return nil }

        func append(_ text: String, to out: inout [UInt8]) {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: text.utf8)
            out.append(UInt8(ascii: "\""))
        }
        func append(_ number: Int?, to out: inout [UInt8]) {
            if let number { out.append(contentsOf: String(number).utf8) } else { out.append(contentsOf: "null".utf8) }
        }

        var chartBytes: [UInt8]?
        if let chart = result.chart {
            // Entries are kept sorted by candidate id, the order sorted keys give.
            var out: [UInt8] = [UInt8(ascii: "{")]
            for (index, entry) in chart.entries.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                append(entry.candidate, to: &out)
                out.append(UInt8(ascii: ":"))
                append(entry.votes, to: &out)
            }
            out.append(UInt8(ascii: "}"))
            chartBytes = out
        }
        var imageBytes: [UInt8] = [UInt8(ascii: "[")]
        for (index, image) in result.images.enumerated() {
            if index > 0 { imageBytes.append(UInt8(ascii: ",")) }
            if let image { append(image, to: &imageBytes) } else { imageBytes.append(contentsOf: "null".utf8) }
        }
        imageBytes.append(UInt8(ascii: "]"))
        var formBytes: [UInt8]?
        if let form = result.administrasi {
            var out: [UInt8] = [UInt8(ascii: "{")]
            for (index, field) in Administrasi.canonicalOrder.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                append(field.name, to: &out)
                out.append(UInt8(ascii: ":"))
                append(form.slots[field.position], to: &out)
            }
            out.append(UInt8(ascii: "}"))
            formBytes = out
        }

        // Keys in byte order: administrasi, chart, images, mode (only when present), psu,
        // status_adm, status_suara, ts.
        var document: [UInt8] = []
        document.reserveCapacity(1024)
        document.append(contentsOf: "{\"administrasi\":".utf8)
        if let formBytes { document.append(contentsOf: formBytes) } else { document.append(contentsOf: "null".utf8) }
        document.append(contentsOf: ",\"chart\":".utf8)
        if let chartBytes { document.append(contentsOf: chartBytes) } else { document.append(contentsOf: "null".utf8) }
        document.append(contentsOf: ",\"images\":".utf8)
        document.append(contentsOf: imageBytes)
        if let mode = result.mode {
            document.append(contentsOf: ",\"mode\":".utf8)
            append(mode, to: &document)
        }
        document.append(contentsOf: ",\"psu\":".utf8)
        if let psu = result.psu { append(psu, to: &document) } else { document.append(contentsOf: "null".utf8) }
        document.append(contentsOf: ",\"status_adm\":".utf8)
        document.append(contentsOf: (result.statusAdm ? "true" : "false").utf8)
        document.append(contentsOf: ",\"status_suara\":".utf8)
        document.append(contentsOf: (result.statusSuara ? "true" : "false").utf8)
        document.append(contentsOf: ",\"ts\":".utf8)
        append(result.ts.text, to: &document)
        document.append(UInt8(ascii: "}"))

        self.document = document
        chart = chartBytes.map { String(decoding: $0, as: UTF8.self) }
        images = String(decoding: imageBytes, as: UTF8.self)
        administrasi = formBytes.map { String(decoding: $0, as: UTF8.self) }
    }
}
