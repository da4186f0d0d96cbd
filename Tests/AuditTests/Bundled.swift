import Foundation

/// Paths into the repository's own publication (`Publish/audit`).
enum Bundled {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let audit = repository + "/Publish/audit"
    static let evidence = audit + "/evidence"
}
