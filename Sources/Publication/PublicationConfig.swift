import Foundation
import Render

/// `Publish/publication.json`: what this publication is called, where it is served, and which
/// mirrors a build imports by itself (the bundled demo).
public struct PublicationConfig: Decodable, Sendable {
    public var title: String
    public var description: String
    /// Where the site will be served, for permanent URLs (`https://example.org/pemilu2024`).
    public var baseURL: String?
    /// True while the bundled results are invented: every results page then says DEMO.
    public var demo: Bool
    /// Mirror folders, relative to the publication folder, imported before every build.
    public var importRoots: [String]
    public var license: String
    public var candidates: [Candidate]

    enum CodingKeys: String, CodingKey {
        case title, description, baseURL = "base_url", demo, importRoots = "import", license, candidates
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        title = try c.decode(String.self, forKey: .title)
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        baseURL = try c.decodeIfPresent(String.self, forKey: .baseURL).map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        demo = try c.decodeIfPresent(Bool.self, forKey: .demo) ?? false
        importRoots = try c.decodeIfPresent([String].self, forKey: .importRoots) ?? []
        license = try c.decodeIfPresent(String.self, forKey: .license) ?? ""
        candidates = try c.decode([Candidate].self, forKey: .candidates)
    }

    public static let fileName = "publication.json"

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads `publication.json` from a publication folder.
    public static func load(from folder: String) throws(LoadError) -> PublicationConfig {
        let path = folder + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(description: "\(path): not found (a publication folder holds \(fileName))")
        }
        do {
            return try JSONDecoder().decode(PublicationConfig.self, from: data)
        } catch let error as DecodingError {
            let detail: String
            switch error {
            case .keyNotFound(let key, _): detail = "required key \"\(key.stringValue)\" is missing"
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                let at = context.codingPath.map(\.stringValue).joined(separator: ".")
                detail = (at.isEmpty ? "" : "at \(at): ") + context.debugDescription
            @unknown default: detail = "\(error)"
            }
            throw LoadError(description: "\(path): \(detail)")
        } catch {
            throw LoadError(description: "\(path): \(error)")
        }
    }

    public var siteInfo: SiteInfo {
        SiteInfo(title: title, description: description, baseURL: baseURL, demo: demo, candidates: candidates, license: license)
    }
}
