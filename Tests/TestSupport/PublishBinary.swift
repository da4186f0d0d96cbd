import Foundation

/// The `publish` executable built beside the tests.
public enum PublishBinary {
    public static let url: URL = {
        var candidates: [URL] = [Bundle.main.bundleURL.deletingLastPathComponent()]
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        candidates.append(packageRoot.appendingPathComponent(".build/debug"))
        for folder in candidates {
            let binary = folder.appendingPathComponent("publish")
            if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
        }
        fatalError("publish binary not found next to the tests (looked in \(candidates.map(\.path)))")
    }()

    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public struct Outcome {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Runs `publish` with `arguments` to completion.
    public static func run(_ arguments: [String], environment: [String: String] = [:], in folder: String? = nil) throws -> Outcome {
        let process = start(arguments, environment: environment, in: folder)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting so a full pipe cannot block the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                       stderr: String(decoding: stderr, as: UTF8.self))
    }

    public static func start(_ arguments: [String], environment: [String: String] = [:], in folder: String? = nil) -> Process {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        return process
    }
}

/// `../shared` beside the checkout, where CI keeps the real Sirekap corpus; nil when absent.
public enum SharedCorpus {
    public static var root: String? {
        let shared = PublishBinary.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")
        return FileManager.default.fileExists(atPath: shared.path + "/sirekap") ? shared.path : nil
    }

    /// The main copy plus every alternative copy, as the issues specify.
    public static var mirrors: [String] {
        guard let root else { return [] }
        let alt = root + "/sirekap-alt"
        let others = ((try? FileManager.default.contentsOfDirectory(atPath: alt)) ?? []).sorted().map { alt + "/" + $0 }
        return [root + "/sirekap"] + others
    }
}
