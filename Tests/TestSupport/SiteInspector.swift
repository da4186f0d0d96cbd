import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a built site back the way a reader's tools would, for checks that must hold on every page.
public struct SiteInspector {
    public let root: String
    /// Whatever must outlive the inspection (the temporary folder the site lies in).
    let owner: AnyObject?

    private let cache = FileListCache()

    public init(root: String, owner: AnyObject? = nil) {
        self.root = root
        self.owner = owner
    }

    final class FileListCache: @unchecked Sendable {
        var files: [String]?
    }

    /// Every file in the site, relative to its root, sorted (listed once; the site does not change).
    public func files() -> [String] {
        if let files = cache.files { return files }
        let files = listFiles()
        cache.files = files
        return files
    }

    private func listFiles() -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var result: [String] = []
        while let item = enumerator.nextObject() as? String {
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: root + "/" + item, isDirectory: &isFolder)
            if !isFolder.boolValue { result.append(item) }
        }
        return result.sorted()
    }

    public func text(_ relativePath: String) throws -> String {
        try String(contentsOfFile: root + "/" + relativePath, encoding: .utf8)
    }

    public func json(_ relativePath: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/" + relativePath))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw InspectionError("\(relativePath): not a JSON object")
        }
        return object
    }

    public func exists(_ relativePath: String) -> Bool {
        FileManager.default.fileExists(atPath: root + "/" + relativePath)
    }

    public struct InspectionError: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Values of `attribute` on `tag` elements, e.g. every `href` of `<a>` (`tag` nil: any element).
    /// Our pages are generated with every attribute value in double quotes, so one forward pass
    /// over the bytes suffices (Foundation's string search is far slower on Linux).
    public static func attributes(_ attribute: String, of tag: String?, in html: String) -> [String] {
        var html = html
        let needle = Array(" \(attribute)=\"".utf8)
        let tagPrefix = tag.map { Array("<\($0) ".utf8) }
        return html.withUTF8 { bytes -> [String] in
            guard let base = bytes.baseAddress else { return [] }
            var values: [String] = []
            var offset = 0
            while offset < bytes.count, let hit = find(needle, in: base + offset, count: bytes.count - offset) {
                let start = base.distance(to: hit)
                let valueStart = start + needle.count
                let valueEnd = memchr(base + valueStart, 0x22, bytes.count - valueStart)
                    .map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? bytes.count
                offset = valueEnd
                // The element the attribute belongs to: the last `<` before it, with no `>` between.
                var open = start
                while open > 0 && bytes[open] != 0x3C && bytes[open] != 0x3E { open -= 1 }
                guard bytes[open] == 0x3C else { continue }
                if let tagPrefix {
                    guard open + tagPrefix.count <= bytes.count,
                          memcmp(base + open, tagPrefix, tagPrefix.count) == 0 else { continue }
                }
                values.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[valueStart..<valueEnd]), as: UTF8.self))
            }
            return values
        }
    }

    /// The first occurrence of `pattern` in `count` bytes at `start` (memchr and memcmp do the work;
    /// glibc's memmem is not visible to Swift).
    static func find(_ pattern: [UInt8], in start: UnsafePointer<UInt8>, count: Int) -> UnsafePointer<UInt8>? {
        var offset = 0
        while offset + pattern.count <= count {
            guard let hit = memchr(start + offset, Int32(pattern[0]), count - offset - pattern.count + 1) else { return nil }
            let candidate = hit.assumingMemoryBound(to: UInt8.self)
            if memcmp(candidate, pattern, pattern.count) == 0 { return UnsafePointer(candidate) }
            offset = start.distance(to: candidate) + 1
        }
        return nil
    }

    /// `a/b/../c` -> `a/c`, without touching the file system; nil when it climbs above the root.
    static func normalize(_ path: String) -> String? {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if parts.isEmpty { return nil }
                parts.removeLast()
            } else {
                parts.append(part)
            }
        }
        return parts.joined(separator: "/")
    }

    /// Problems with one page: the rules every page must follow (HTML5 basics, no external
    /// resources, unique ids, one h1).
    public static func pageProblems(_ html: String) -> [String] {
        var problems: [String] = []
        if !html.hasPrefix("<!doctype html>") { problems.append("no <!doctype html> first") }
        if occurrences(of: "<html lang=\"", in: html) != 1 { problems.append("no lang on <html>") }
        if occurrences(of: "<meta charset=\"utf-8\">", in: html) != 1 { problems.append("no <meta charset=\"utf-8\">") }
        if occurrences(of: "<title>", in: html) != 1 { problems.append("not exactly one <title>") }
        if occurrences(of: "<h1", in: html) != 1 { problems.append("not exactly one <h1>") }
        let ids = attributes("id", of: nil, in: html)
        if Set(ids).count != ids.count { problems.append("duplicate ids \(ids)") }
        // Resources the page loads (not links it offers) must come from the site itself.
        for source in attributes("src", of: nil, in: html) where source.contains("//") {
            problems.append("external resource \(source)")
        }
        for href in attributes("href", of: "link", in: html) where href.contains("//") {
            problems.append("external stylesheet or link \(href)")
        }
        // Structured data (JSON-LD) is the only script a page may carry: nothing that runs.
        let scripts = occurrences(of: "<script", in: html) + occurrences(of: "<SCRIPT", in: html)
        if scripts > occurrences(of: "<script type=\"application/ld+json\">", in: html) { problems.append("a <script> element") }
        return problems
    }

    /// How often `needle` occurs in `text`. C's `memmem` does the search: byte loops in a debug
    /// build (as tests are compiled) would dominate the check of 100,000 pages.
    public static func occurrences(of needle: String, in text: String) -> Int {
        var text = text
        let pattern = Array(needle.utf8)
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return 0 }
            var found = 0
            var offset = 0
            while offset < bytes.count, let hit = find(pattern, in: base + offset, count: bytes.count - offset) {
                found += 1
                offset = base.distance(to: hit) + pattern.count
            }
            return found
        }
    }

    /// Internal links that lead nowhere, as "page -> target".
    public func brokenLinks() throws -> [String] {
        var broken: [String] = []
        var known: [String: Bool] = [:]
        for page in files() where page.hasSuffix(".html") {
            let html = try text(page)
            let folder = page.split(separator: "/").dropLast().joined(separator: "/")
            let targets = SiteInspector.attributes("href", of: "a", in: html) + SiteInspector.attributes("href", of: "link", in: html)
            for href in targets where !href.contains("//") && !href.hasPrefix("#") && !href.hasPrefix("mailto:") {
                let path = href.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
                guard let resolved = SiteInspector.normalize(folder + "/" + path) else {
                    broken.append("\(page) -> \(href)")
                    continue
                }
                let target = path.isEmpty || path.hasSuffix("/") ? (resolved.isEmpty ? "index.html" : resolved + "/index.html") : resolved
                let found = known[target] ?? exists(target)
                known[target] = found
                if !found { broken.append("\(page) -> \(href)") }
            }
        }
        return broken
    }

    /// CSV rows (RFC 4180, quoted fields with doubled quotes, CRLF).
    public static func csvRows(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var index = text.startIndex
        while index < text.endIndex {
            let char = text[index]
            if quoted {
                if char == "\"" {
                    let next = text.index(after: index)
                    if next < text.endIndex && text[next] == "\"" { field.append("\""); index = next } else { quoted = false }
                } else {
                    field.append(char)
                }
            } else if char == "\"" {
                quoted = true
            } else if char == "," {
                row.append(field); field = ""
            } else if char == "\r\n" || char == "\n" {
                row.append(field); rows.append(row); row = []; field = ""
            } else {
                field.append(char)
            }
            index = text.index(after: index)
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
