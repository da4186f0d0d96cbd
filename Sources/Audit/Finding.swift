/// Text in Bahasa Indonesia and English. Both are required: the audit is read in both.
public struct Localized: Codable, Sendable, Hashable {
    public let id: String
    public let en: String

    public init(id: String, en: String) {
        self.id = id
        self.en = en
    }
}

/// One infrastructure finding, from one YAML file in `Publish/audit/findings/` (the schema is
/// documented in docs/audit.md). Observation and interpretation are kept apart on purpose:
/// what was seen is one claim, what it means is another.
public struct Finding: Codable, Sendable {
    public let schemaVersion: String
    /// Stable, never reused; also the file name and the page's folder (`/audit/{id}/`).
    public let id: String
    public let title: Localized
    public let category: Category
    public let status: Status
    public let significance: Localized
    public let subjects: [Subject]
    public let observed: Period
    public let observation: Localized
    public let interpretation: Localized
    /// KPU's stated position, with its source: the other side of every claim.
    public let kpuPosition: [Position]
    public let evidence: [Evidence]
    /// Required when `evidence` is empty: why no raw capture exists (for example, none was taken at the time).
    public let evidenceNote: Localized?
    public let sources: [Source]
    public let caveats: [Localized]
    public let history: [Change]

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case id, title, category, status, significance, subjects, observed, observation, interpretation
        case kpuPosition = "kpu_position"
        case evidence
        case evidenceNote = "evidence_note"
        case sources, caveats, history
    }

    public enum Category: String, Codable, Sendable, CaseIterable {
        case hostingProvider = "hosting-provider"
        case cdnDDoS = "cdn-ddos"
        case dns, tls
        case httpHeaders = "http-headers"
        case exposure, availability, governance, transparency
    }

    /// How far the finding has been checked. `example` marks a finding that only shows how
    /// evidence is presented, with documentation addresses; it is never a claim about KPU.
    public enum Status: String, Codable, Sendable, CaseIterable {
        case reported, reproduced, disputed, superseded, retracted, example
    }

    /// What the finding is about: a domain, the addresses reported for it, and who reported them when.
    public struct Subject: Codable, Sendable {
        public let domain: String
        public let addresses: [ReportedAddress]
        /// `edge`, `origin` or `unknown`: an address seen from outside is usually an edge.
        public let role: String?

        public init(domain: String, addresses: [ReportedAddress], role: String?) {
            self.domain = domain
            self.addresses = addresses
            self.role = role
        }
    }

    public struct ReportedAddress: Codable, Sendable {
        public let address: String
        /// The holder as the source named it, in its words ("Alibaba Cloud Singapura").
        public let reportedHolder: String?
        public let reportedOn: String?
        /// Ids of entries in `sources`.
        public let sources: [String]

        enum CodingKeys: String, CodingKey {
            case address
            case reportedHolder = "reported_holder"
            case reportedOn = "reported_on"
            case sources
        }
    }

    /// Dates as `YYYY-MM-DD` (or full RFC 3339); `to` is absent while the observation is open.
    public struct Period: Codable, Sendable {
        public let from: String
        public let to: String?
    }

    public struct Position: Codable, Sendable {
        public let date: String
        public let by: String
        public let summary: Localized
        public let sources: [String]
    }

    public struct Source: Codable, Sendable {
        public let id: String
        public let title: String
        /// True when the title was reconstructed from the page's address, not read from the page.
        public let titleFromURL: Bool?
        public let publisher: String
        /// `YYYY-MM-DD`; absent for an undated page (shown as undated, never guessed).
        public let date: String?
        public let url: String
        public let kind: Kind

        enum CodingKeys: String, CodingKey {
            case id, title
            case titleFromURL = "title_from_url"
            case publisher, date, url, kind
        }

        public enum Kind: String, Codable, Sendable, CaseIterable {
            case official, hearing, news, blog, repository
        }
    }

    public struct Change: Codable, Sendable {
        public let date: String
        public let change: String
    }
}

/// One raw file behind a finding, with everything needed to judge it: what made it, how, when,
/// and from where. The file itself is published unchanged under `/audit/evidence/`.
public struct Evidence: Codable, Sendable {
    public let id: String
    /// Relative to `Publish/audit/evidence/`.
    public let path: String
    /// Lowercase hex SHA-256 of the file's bytes; the build refuses a file that does not match.
    public let sha256: String
    public let type: EvidenceType
    public let tool: Tool
    /// The exact command that produced the file.
    public let command: String
    /// RFC 3339 in UTC (`2024-02-16T04:31:07Z`).
    public let capturedAt: String
    public let vantage: Vantage
    /// True for files that only illustrate a format (documentation addresses, `.example` names).
    public let example: Bool
    public let description: Localized?

    enum CodingKeys: String, CodingKey {
        case id, path, sha256, type, tool, command
        case capturedAt = "captured_at"
        case vantage, example, description
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        path = try container.decode(String.self, forKey: .path)
        sha256 = try container.decode(String.self, forKey: .sha256)
        type = try container.decode(EvidenceType.self, forKey: .type)
        tool = try container.decode(Tool.self, forKey: .tool)
        command = try container.decode(String.self, forKey: .command)
        capturedAt = try container.decode(String.self, forKey: .capturedAt)
        vantage = try container.decode(Vantage.self, forKey: .vantage)
        example = try container.decodeIfPresent(Bool.self, forKey: .example) ?? false
        description = try container.decodeIfPresent(Localized.self, forKey: .description)
    }

    /// The formats the build parses into tables; anything else is published as is, with its hash.
    public enum EvidenceType: String, Codable, Sendable, CaseIterable {
        case nmapXML = "nmap-xml"
        case dig
        case httpHeaders = "http-headers"
        case pemCertificate = "tls-cert-pem"
        case testsslJSON = "testssl-json"
        case document, screenshot, other
    }

    public struct Tool: Codable, Sendable {
        public let name: String
        public let version: String
    }

    /// Where a capture was taken from: answers differ by network and resolver (anycast, GeoDNS).
    public struct Vantage: Codable, Sendable {
        /// The probe's network, e.g. `AS7713 (Telkom Indonesia)`.
        public let network: String
        /// ISO 3166 code of the probe's country.
        public let country: String
        public let resolver: String?
    }
}
