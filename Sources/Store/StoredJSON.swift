import Foundation
import SirekapFormat

/// Reads back the small JSON columns the importer wrote (`chart`, `administrasi`, `images`).
/// They are our own canonical JSON (compact, sorted keys), so a direct byte scan reads them
/// exactly; Foundation's JSONDecoder took half of every TPS read. Anything the scan does not
/// expect (an escape in a string, say) falls back to JSONDecoder, so no input is misread.
enum StoredJSON {
    /// `{"key":int-or-null,...}`; nil when the text is not of that simple shape.
    static func integerObject(_ text: String) -> [(key: String, value: Int?)]? {
        var text = text
        return text.withUTF8 { bytes -> [(key: String, value: Int?)]? in
            var members: [(key: String, value: Int?)] = []
            let read = scanIntegerObject(bytes) { key, value in members.append((String(decoding: key, as: UTF8.self), value)) }
            return read ? members : nil
        }
    }

    /// Calls `body` with each member of `{"key":int-or-null,...}` in order, straight from the
    /// bytes; false (having perhaps called `body` for some members) when the bytes are not of
    /// that simple shape, so the caller falls back to JSONDecoder.
    static func scanIntegerObject(_ bytes: UnsafeBufferPointer<UInt8>,
                                  _ body: (_ key: UnsafeBufferPointer<UInt8>, _ value: Int?) -> Void) -> Bool {
        let count = bytes.count
        guard count >= 2, bytes[0] == UInt8(ascii: "{"), bytes[count - 1] == UInt8(ascii: "}") else { return false }
        if count == 2 { return true }
        var index = 1
        while true {
            guard index < count, bytes[index] == UInt8(ascii: "\"") else { return false }
            let keyStart = index + 1
            var keyEnd = keyStart
            while keyEnd < count, bytes[keyEnd] != UInt8(ascii: "\"") {
                if bytes[keyEnd] == UInt8(ascii: "\\") { return false }
                keyEnd += 1
            }
            guard keyEnd + 1 < count, bytes[keyEnd + 1] == UInt8(ascii: ":") else { return false }
            index = keyEnd + 2
            guard let (value, next) = integerOrNull(bytes, at: index) else { return false }
            body(UnsafeBufferPointer(rebasing: bytes[keyStart..<keyEnd]), value)
            index = next
            guard index < count else { return false }
            if bytes[index] == UInt8(ascii: "}") { return index == count - 1 }
            guard bytes[index] == UInt8(ascii: ",") else { return false }
            index += 1
        }
    }

    /// `[null,"text",...]` with no escapes in the strings; nil otherwise.
    static func optionalStrings(_ text: String) -> [String?]? {
        var text = text
        return text.withUTF8 { bytes -> [String?]? in
            let count = bytes.count
            guard count >= 2, bytes[0] == UInt8(ascii: "["), bytes[count - 1] == UInt8(ascii: "]") else { return nil }
            var items: [String?] = []
            if count == 2 { return items }
            var index = 1
            while true {
                if bytes[index] == UInt8(ascii: "n") {
                    guard index + 4 <= count, bytes[index + 1] == UInt8(ascii: "u"), bytes[index + 2] == UInt8(ascii: "l"),
                          bytes[index + 3] == UInt8(ascii: "l") else { return nil }
                    items.append(nil)
                    index += 4
                } else if bytes[index] == UInt8(ascii: "\"") {
                    var end = index + 1
                    while end < count, bytes[end] != UInt8(ascii: "\"") {
                        if bytes[end] == UInt8(ascii: "\\") { return nil }
                        end += 1
                    }
                    guard end < count else { return nil }
                    items.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[(index + 1)..<end]), as: UTF8.self))
                    index = end + 1
                } else {
                    return nil
                }
                guard index < count else { return nil }
                if bytes[index] == UInt8(ascii: "]") { return index == count - 1 ? items : nil }
                guard bytes[index] == UInt8(ascii: ",") else { return nil }
                index += 1
            }
        }
    }

    /// An optionally negative decimal integer that fits in Int, or `null`; the value and the index after it.
    private static func integerOrNull(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (Int?, Int)? {
        if start + 4 <= bytes.count, bytes[start] == UInt8(ascii: "n") {
            guard bytes[start + 1] == UInt8(ascii: "u"), bytes[start + 2] == UInt8(ascii: "l"), bytes[start + 3] == UInt8(ascii: "l") else {
                return nil
            }
            return (nil, start + 4)
        }
        return JSONInteger.read(bytes, at: start).map { ($0.value, $0.end) }
    }

    static func candidateVotes(_ text: String, decoder: JSONDecoder) throws -> CandidateVotes {
        if let members = integerObject(text) {
            return CandidateVotes(Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }))
        }
        return try decoder.decode(CandidateVotes.self, from: Data(text.utf8))
    }

    static func administrasi(_ text: String, decoder: JSONDecoder) throws -> Administrasi {
        var text = text
        return try text.withUTF8 { try administrasi($0, decoder: decoder) }
    }

    static func administrasi(_ bytes: UnsafeBufferPointer<UInt8>, decoder: @autoclosure () -> JSONDecoder = JSONDecoder()) throws -> Administrasi {
        var slots = [Int?](repeating: nil, count: Administrasi.fieldNames.count)
        if scanAdministrasi(bytes, into: &slots) { return Administrasi(slots: slots) }
        return try decoder().decode(Administrasi.self, from: Data(bytes))
    }

    /// The form's values into `slots` (in `Administrasi.fieldNames` order, nil where absent), read
    /// straight from the bytes; false when they are not the plain shape the importer writes (the
    /// caller then decodes them with JSONDecoder). No allocation: the TPS tables read a form per row.
    static func scanAdministrasi(_ bytes: UnsafeBufferPointer<UInt8>, into slots: inout [Int?]) -> Bool {
        for index in slots.indices { slots[index] = nil }
        if scanCanonicalAdministrasi(bytes, into: &slots) { return true }
        for index in slots.indices { slots[index] = nil }
        // Another order or a subset of the fields: place each member by name.
        var known = true
        let scanned = scanIntegerObject(bytes) { key, value in
            guard let position = Administrasi.position(of: String(decoding: key, as: UTF8.self)), position < slots.count else {
                known = false
                return
            }
            slots[position] = value
        }
        return scanned && known
    }

    /// The form exactly as the importer writes it: every field, in byte order of the names,
    /// `{"name":value,...}`. Read by matching the bytes against that expected text, which is
    /// most of the TPS table's reading (a form per row), so no key is looked up by name.
    /// False at the first byte that differs.
    private static func scanCanonicalAdministrasi(_ bytes: UnsafeBufferPointer<UInt8>, into slots: inout [Int?]) -> Bool {
        let keys = administrasiKeys
        guard slots.count >= Administrasi.fieldNames.count else { return false }
        let count = bytes.count
        guard count > 0, bytes[0] == UInt8(ascii: "{") else { return false }
        var index = 1
        for field in 0..<keys.positions.count {
            // `"name":`
            let start = field == 0 ? 0 : keys.ends[field - 1]
            let length = keys.ends[field] - start
            guard index + length + 3 <= count, bytes[index] == UInt8(ascii: "\"") else { return false }
            guard memcmp(bytes.baseAddress! + index + 1, keys.bytes.baseAddress! + start, length) == 0 else { return false }
            index += 1 + length
            guard bytes[index] == UInt8(ascii: "\""), bytes[index + 1] == UInt8(ascii: ":") else { return false }
            guard let (value, next) = integerOrNull(bytes, at: index + 2), next < count else { return false }
            slots[keys.positions[field]] = value
            let separator = field == keys.positions.count - 1 ? UInt8(ascii: "}") : UInt8(ascii: ",")
            guard bytes[next] == separator else { return false }
            index = next + 1
        }
        return index == count
    }

    /// The form's names in byte order, back to back in one buffer that lives as long as the
    /// program, with where each ends and its position in `Administrasi.fieldNames`.
    // Never written after it is made: safe to read from every thread.
    nonisolated(unsafe) private static let administrasiKeys: (bytes: UnsafeBufferPointer<UInt8>, ends: UnsafeBufferPointer<Int>, positions: UnsafeBufferPointer<Int>) = {
        let order = Administrasi.canonicalOrder
        let names = order.flatMap { Array($0.name.utf8) }
        var ends: [Int] = []
        for entry in order { ends.append((ends.last ?? 0) + entry.name.utf8.count) }
        func permanent<T>(_ values: [T]) -> UnsafeBufferPointer<T> {
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: values.count)
            _ = buffer.initialize(from: values)
            return UnsafeBufferPointer(buffer)
        }
        return (permanent(names), permanent(ends), permanent(order.map(\.position)))
    }()

    static func images(_ text: String, decoder: JSONDecoder) throws -> [String?] {
        if let items = optionalStrings(text) { return items }
        return try decoder.decode([String?].self, from: Data(text.utf8))
    }
}
