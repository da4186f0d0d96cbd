import Foundation

/// The text `dig` prints, one or more queries per file: the header (status, flags), the question,
/// the records of each section with TTLs, and the footer (resolver, time). `+noall +answer`
/// captures, which print records only, come out as one query with an answer section.
public struct DigOutput: Sendable, Equatable {
    public var queries: [Query]

    public struct Query: Sendable, Equatable {
        /// `DiG 9.18.24` and the arguments, from the `; <<>> DiG ... <<>> ...` line.
        public var digVersion: String?
        public var arguments: String?
        public var status: String?
        public var flags: String?
        public var question: [String] = []
        public var answer: [Record] = []
        public var authority: [Record] = []
        public var additional: [Record] = []
        /// `;; SERVER:` without the `#53(...)` tail: the resolver that answered.
        public var server: String?
        /// `;; WHEN:` as printed (the capturing machine's clock and zone).
        public var when: String?
        public var queryTime: String?

        public init(digVersion: String? = nil, arguments: String? = nil) {
            self.digVersion = digVersion
            self.arguments = arguments
        }
    }

    public struct Record: Sendable, Equatable {
        public var name: String
        /// Absent in `+nottlid` output.
        public var ttl: Int?
        public var recordClass: String
        public var type: String
        public var data: String
    }

    public static func parse(_ text: String) throws(EvidenceParseError) -> DigOutput {
        var queries: [Query] = []
        var current: Query?
        enum Section { case question, answer, authority, additional, other }
        var section = Section.answer
        for (index, trimmed) in joinedLines(text) {
            if trimmed.isEmpty { continue }
            // `dig a.example b.example` prints its banner once, then one `;; Got answer:` per query:
            // a second answer starts a new query that keeps the banner's version and arguments.
            if trimmed.hasPrefix(";; Got answer:"), let seen = current, seen.status != nil || !seen.answer.isEmpty {
                queries.append(seen)
                current = Query(digVersion: seen.digVersion, arguments: seen.arguments)
                section = .answer
                continue
            }
            if trimmed.hasPrefix("; <<>> DiG") {
                if let current { queries.append(current) }
                current = Query()
                section = .answer
                let parts = trimmed.dropFirst(2).components(separatedBy: "<<>>").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
                current?.digVersion = parts.first
                current?.arguments = parts.count > 1 ? parts[1...].joined(separator: " ") : nil
                continue
            }
            if current == nil { current = Query() }
            if trimmed.hasPrefix(";; ->>HEADER<<-") {
                current?.status = field("status", in: trimmed)
            } else if trimmed.hasPrefix(";; flags:") {
                current?.flags = trimmed.dropFirst(";; flags:".count).split(separator: ";").first?.trimmingSpaces()
            } else if trimmed.hasPrefix(";; QUESTION SECTION") {
                section = .question
            } else if trimmed.hasPrefix(";; ANSWER SECTION") {
                section = .answer
            } else if trimmed.hasPrefix(";; AUTHORITY SECTION") {
                section = .authority
            } else if trimmed.hasPrefix(";; ADDITIONAL SECTION") {
                section = .additional
            } else if trimmed.hasPrefix(";; OPT PSEUDOSECTION") {
                section = .other
            } else if trimmed.hasPrefix(";; SERVER:") {
                let value = trimmed.dropFirst(";; SERVER:".count).trimmingSpaces()
                current?.server = value.split(separator: "#").first.map(String.init) ?? value
            } else if trimmed.hasPrefix(";; WHEN:") {
                current?.when = trimmed.dropFirst(";; WHEN:".count).trimmingSpaces()
            } else if trimmed.hasPrefix(";; Query time:") {
                current?.queryTime = trimmed.dropFirst(";; Query time:".count).trimmingSpaces()
            } else if trimmed.hasPrefix(";") {
                if section == .question { current?.question.append(trimmed.dropFirst().trimmingSpaces()) }
            } else {
                guard let record = record(trimmed) else {
                    throw EvidenceParseError("line \(index): not a DNS record: \(trimmed.prefix(80))")
                }
                switch section {
                case .answer: current?.answer.append(record)
                case .authority: current?.authority.append(record)
                case .additional: current?.additional.append(record)
                case .question, .other:
                    throw EvidenceParseError("line \(index): a record outside a record section")
                }
            }
        }
        if let current { queries.append(current) }
        guard !queries.isEmpty else { throw EvidenceParseError("no dig output in the file") }
        return DigOutput(queries: queries)
    }

    /// Lines with their 1-based numbers, where a record `+multiline` spread over several lines
    /// (an opening parenthesis closed on a later line) is joined into one.
    static func joinedLines(_ text: String) -> [(Int, String)] {
        var result: [(Int, String)] = []
        var pending: (Int, String)?
        var depth = 0
        for (index, raw) in text.lines.enumerated() {
            var line = raw.trimmingSpaces()
            let opens = line.filter { $0 == "(" }.count, closes = line.filter { $0 == ")" }.count
            // Only a line that leaves a parenthesis open starts a multiline record; a TXT string
            // holding "(...)" on one line stays as it is.
            guard pending != nil || (!line.hasPrefix(";") && opens > closes) else {
                result.append((index + 1, line))
                continue
            }
            // A `;` comment at the end of a multiline record's line is not part of the data.
            if let semicolon = line.firstIndex(of: ";") { line = line[..<semicolon].trimmingSpaces() }
            depth += opens - closes
            pending = pending.map { ($0.0, $0.1 + " " + line) } ?? (index + 1, line)
            if depth <= 0, let done = pending {
                result.append((done.0, done.1.replacingOccurrences(of: "(", with: "").replacingOccurrences(of: ")", with: "")
                    .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")))
                pending = nil
                depth = 0
            }
        }
        if let open = pending { result.append(open) }
        return result
    }

    /// A TTL in seconds, or in `+ttlunits` form (`1w2d3h4m5s`).
    static func ttl(_ text: String) -> Int? {
        if let seconds = Int(text) { return seconds }
        var total = 0
        var number = 0
        var sawDigit = false
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                number = number * 10 + digit
                sawDigit = true
                continue
            }
            let unit: Int
            switch character {
            case "w": unit = 604_800
            case "d": unit = 86_400
            case "h": unit = 3_600
            case "m": unit = 60
            case "s": unit = 1
            default: return nil
            }
            guard sawDigit else { return nil }
            total += number * unit
            number = 0
            sawDigit = false
        }
        return sawDigit ? nil : total
    }

    /// `owner [ttl] class type rdata...`; rdata keeps its own spacing (TXT strings hold spaces).
    static func record(_ line: String) -> Record? {
        var rest = Substring(line)
        func nextField() -> String? {
            rest = rest.drop { $0 == " " || $0 == "\t" }
            guard !rest.isEmpty else { return nil }
            let field = rest.prefix { $0 != " " && $0 != "\t" }
            rest = rest.dropFirst(field.count)
            return String(field)
        }
        guard let name = nextField(), var next = nextField() else { return nil }
        var ttl: Int?
        if let number = DigOutput.ttl(next) {
            ttl = number
            guard let following = nextField() else { return nil }
            next = following
        }
        guard dnsClasses.contains(next), let type = nextField() else { return nil }
        let data = rest.trimmingSpaces()
        guard !data.isEmpty else { return nil }
        return Record(name: name, ttl: ttl, recordClass: next, type: type, data: data)
    }

    static let dnsClasses: Set<String> = ["IN", "CH", "HS", "CS", "ANY", "NONE"]

    /// `status: NOERROR` from `;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1`.
    static func field(_ name: String, in line: String) -> String? {
        for part in line.split(separator: ",") {
            let pieces = part.split(separator: ":", maxSplits: 1)
            if pieces.count == 2, pieces[0].hasSuffix(name) { return pieces[1].trimmingSpaces() }
        }
        return nil
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return String(self[start...end])
    }
}
