import Foundation
@testable import Render
import Testing
import TestSupport

/// The byte-level escapers (copying runs of ordinary bytes, one table load per byte) held to a
/// plain reference over every position of each special byte and seeded random mixes.
@Suite struct EscapingTests {
    /// Every byte that matters to either escaper, and ordinary ones (ASCII, the 0x80+ bytes of
    /// UTF-8, and the neighbours of the special bytes).
    static let alphabet: [String] = ["a", "Z", "0", "9", " ", "é", "ñ", "日", "&", "<", ">", "\"", "'", "\\",
                                     "\n", "\t", "\r", "\u{01}", "\u{1F}", "\u{7F}", "%", "(", "=", "?", "[", "]", "!", "#"]

    static func htmlReference(_ text: String) -> String {
        var out = ""
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    static func jsonReference(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Strings of 0 to 40 characters: one special character at each position of a plain run, and
    /// seeded random mixes.
    static func samples() -> [String] {
        var samples: [String] = []
        for length in 0...40 {
            let plain = String(repeating: "x", count: length)
            samples.append(plain)
            for special in ["&", "<", ">", "\"", "'", "\\", "\n", "\u{01}", "é"] {
                for position in 0..<max(length, 1) {
                    var characters = Array(plain.isEmpty ? "x" : plain)
                    characters[position] = Character(special)
                    samples.append(String(characters))
                }
            }
        }
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<2000 {
            let length = Int(generator.next() % 50)
            samples.append((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }.joined())
        }
        return samples
    }

    @Test func htmlEscapingMatchesTheReference() {
        for text in Self.samples() {
            var out: [UInt8] = Array("prefix".utf8)
            var copy = text
            copy.withUTF8 { MustacheRenderer.escape($0, into: &out) }
            #expect(String(decoding: out, as: UTF8.self) == "prefix" + Self.htmlReference(text), "\(text.debugDescription)")
        }
    }

    @Test func jsonQuotingMatchesTheReference() {
        for text in Self.samples() {
            var out: [UInt8] = []
            JSONValue.quote(text, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == Self.jsonReference(text), "\(text.debugDescription)")
            // And what it writes is JSON that reads back as the same string.
            let parsed = try? JSONSerialization.jsonObject(with: Data(out), options: [.fragmentsAllowed]) as? String
            #expect(parsed == text, "\(text.debugDescription)")
        }
    }
}
