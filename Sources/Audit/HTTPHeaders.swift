/// Raw HTTP response headers as `curl -sI` or `curl -D` save them: one block per response
/// (redirects give several), a status line then `name: value` lines, blocks separated by a blank line.
public struct HTTPHeaderCapture: Sendable, Equatable {
    public var responses: [Response]

    public struct Response: Sendable, Equatable {
        public var statusLine: String
        /// `HTTP/1.1`, `HTTP/2`.
        public var httpVersion: String
        public var status: Int
        /// In the order received, names as sent (case kept: it is evidence).
        public var headers: [Header]
        /// Providers whose known header fingerprints appear here.
        public var cdnHints: [CDNHint]
    }

    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    /// A header that matches a provider's known fingerprint. A hint, not proof: anyone can send any header.
    public struct CDNHint: Sendable, Equatable {
        public var provider: String
        public var header: String
        public var value: String
    }

    public static func parse(_ text: String) throws(EvidenceParseError) -> HTTPHeaderCapture {
        var responses: [Response] = []
        var current: Response?
        for (index, rawLine) in text.lines.enumerated() {
            let line = String(rawLine)
            if line.isEmpty {
                if let done = current { responses.append(done) }
                current = nil
                continue
            }
            if current == nil {
                let parts = line.split(separator: " ", maxSplits: 2)
                guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
                    throw EvidenceParseError("line \(index + 1): expected a status line such as `HTTP/2 200`")
                }
                current = Response(statusLine: line, httpVersion: String(parts[0]), status: status, headers: [], cdnHints: [])
                continue
            }
            if line.first == " " || line.first == "\t" {
                // An obsolete folded continuation line belongs to the previous header.
                guard let last = current!.headers.indices.last else {
                    throw EvidenceParseError("line \(index + 1): a continuation line before any header")
                }
                current!.headers[last].value += " " + line.trimmingSpaces()
                continue
            }
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw EvidenceParseError("line \(index + 1): not a `name: value` header line")
            }
            current!.headers.append(Header(name: String(line[..<colon]), value: line[line.index(after: colon)...].trimmingSpaces()))
        }
        if let done = current { responses.append(done) }
        guard !responses.isEmpty else { throw EvidenceParseError("no HTTP response in the file") }
        for index in responses.indices {
            responses[index].cdnHints = responses[index].headers.flatMap(CDNFingerprint.hints)
        }
        return HTTPHeaderCapture(responses: responses)
    }
}

/// Header fingerprints of CDN providers (after the rule set in zhousulong/cdn-server-info-userscript,
/// as summarised in the project's audit reference).
enum CDNFingerprint {
    enum Match {
        case present
        case valueContains(String)
    }

    static let rules: [(provider: String, header: String, match: Match)] = [
        ("Alibaba Cloud CDN", "eagleid", .present),
        ("Alibaba Cloud CDN", "ali-swift-global-savetime", .present),
        ("Alibaba Cloud CDN", "x-swift-savetime", .present),
        ("Alibaba Cloud CDN", "x-swift-cachetime", .present),
        ("Alibaba Cloud CDN", "via", .valueContains("aliyun")),
        ("Alibaba Cloud CDN", "server", .valueContains("tengine")),
        ("Cloudflare", "server", .valueContains("cloudflare")),
        ("Cloudflare", "cf-ray", .present),
        ("Akamai", "server", .valueContains("akamaighost")),
        ("Akamai", "x-akamai-request-id", .present),
        ("Akamai", "x-akamai-transformed", .present),
        ("Amazon CloudFront", "x-amz-cf-pop", .present),
        ("Amazon CloudFront", "x-amz-cf-id", .present),
        ("Amazon CloudFront", "via", .valueContains("cloudfront.net")),
        ("Tencent Cloud", "x-nws-log-uuid", .present),
        ("Tencent Cloud", "eo-log-uuid", .present),
        ("Huawei Cloud", "ohc-cache-hit", .present),
    ]

    static func hints(_ header: HTTPHeaderCapture.Header) -> [HTTPHeaderCapture.CDNHint] {
        let name = header.name.lowercased()
        let value = header.value.lowercased()
        return rules.compactMap { rule in
            guard rule.header == name else { return nil }
            switch rule.match {
            case .present: break
            case .valueContains(let needle): guard value.contains(needle) else { return nil }
            }
            return HTTPHeaderCapture.CDNHint(provider: rule.provider, header: header.name, value: header.value)
        }
    }
}
