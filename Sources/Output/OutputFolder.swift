import CExchange
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct OutputError: Error, CustomStringConvertible {
    public let description: String
    /// A hard link was refused because the file system does not do them (or not across devices).
    public let cannotLink: Bool
    public init(_ description: String, cannotLink: Bool = false) {
        self.description = description
        self.cannotLink = cannotLink
    }
}

/// The build's output, written into a staging folder beside the destination and swapped in whole
/// at the end: a failed or interrupted build leaves the previous site untouched.
///
/// Files are written with plain POSIX calls: for a million small files `FileManager` and
/// `Data.write` cost three times as much (see shared/reference/tech.md, section 5). Safe to call
/// `write` from several threads at once.
public final class OutputFolder: @unchecked Sendable {
    public let destination: String
    public let staging: String
    /// A file every built site carries, so that a folder we did not build is never replaced. It
    /// names the build (`build: ID`), which ties the site to the store's record of that build.
    public static let marker = ".publish-site"

    /// True when the staging folder started as hard links to the previous site's files: every
    /// write must then make a new file, never write through a link into the live site.
    public private(set) var reusesPrevious = false


    public init(destination: String) throws {
        let url = URL(fileURLWithPath: destination).standardizedFileURL
        self.destination = url.path
        self.staging = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).building").path
        try OutputFolder.checkReplaceable(self.destination)
        // Left by an interrupted build: never part of a good site.
        try FolderTree.remove(staging, threads: ProcessInfo.processInfo.activeProcessorCount)
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
    }

    /// Writes the marker naming this build.
    public func writeMarker(buildID: String) throws {
        try write(OutputFolder.marker, "Built by publish. This folder is replaced whole by the next build.\nbuild: \(buildID)\n")
    }

    /// The build id the site at `destination` carries, if it is a site we built.
    public static func buildID(of destination: String) -> String? {
        guard let text = try? String(contentsOfFile: destination + "/" + marker, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix("build: ") }.map { String($0.dropFirst("build: ".count)) }
    }

    /// Fills the staging folder with hard links to every file of the current site (the same
    /// folders, no file data copied), so that an incremental build writes only what changed and
    /// still swaps in a whole new folder. Returns the number of files linked.
    @discardableResult
    public func linkPrevious(threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> Int {
        reusesPrevious = true
        return try FolderTree.link(from: destination, to: staging, skipping: [OutputFolder.marker], threads: threads)
    }

    /// Makes room for a new file at `path`: in a staging folder of links, the old name is removed
    /// first, so the live site's file keeps its bytes. (The writers then create the file with
    /// `O_EXCL`: should a name survive, the write fails rather than go through the link.)
    func replace(_ path: String) throws {
        guard reusesPrevious else { return }
        guard unlink(path) == 0 else {
            guard errno == ENOENT else { throw OutputError("cannot replace \(path): \(String(cString: strerror(errno)))") }
            return
        }
        replacedLock.lock()
        replacedLinks += 1
        replacedLock.unlock()
    }

    /// Empties the staging folder and forgets the links (a fallback to a full build).
    public func resetStaging() throws {
        let threads = ProcessInfo.processInfo.activeProcessorCount
        try FolderTree.remove(staging, threads: threads)
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        reusesPrevious = false
    }

    /// Removes a folder from the staging folder (a link staging folder's copy of it).
    public func removeFolder(_ relativePath: String) throws {
        try FolderTree.remove(staging + "/" + relativePath, threads: 1)
    }

    private let replacedLock = NSLock()
    private var replacedLinks = 0

    /// Linked files written again since `linkPrevious()`.
    public var replacedCount: Int {
        replacedLock.lock()
        defer { replacedLock.unlock() }
        return replacedLinks
    }

    /// Refuses to replace a folder that holds anything and is not a site we built.
    static func checkReplaceable(_ path: String) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return }
        guard isFolder.boolValue else { throw OutputError("\(path) exists and is not a folder; choose another --output") }
        let entries = try FileManager.default.contentsOfDirectory(atPath: path)
        if !entries.isEmpty && !entries.contains(marker) {
            throw OutputError("\(path) holds files this program did not build; refusing to replace it (choose another --output)")
        }
    }

    /// Writes the string's UTF-8 straight from its storage: copying every page into an array first
    /// cost a copy per file on the hot path.
    public func write(_ relativePath: String, _ text: String) throws {
        var text = text
        try text.withUTF8 { try write(relativePath, UnsafeRawBufferPointer($0)) }
    }

    public func write(_ relativePath: String, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write(relativePath, $0) }
    }

    func write(_ relativePath: String, _ bytes: UnsafeRawBufferPointer) throws {
        let path = staging + "/" + relativePath
        try replace(path)
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (reusesPrevious ? O_EXCL : O_TRUNC)
        var fd = open(path, flags, 0o644)
        // A new page's folder does not exist yet: make it and try again. Asking the file system,
        // rather than remembering every folder made, keeps memory flat at a million folders.
        if fd < 0 && errno == ENOENT, let slash = relativePath.lastIndex(of: "/") {
            try makeFolders(staging + "/" + relativePath[..<slash])
            fd = open(path, flags, 0o644)
        }
        guard fd >= 0 else { throw OutputError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            guard written > 0 else { throw OutputError("cannot write \(path): \(String(cString: strerror(errno)))") }
            offset += written
        }
    }

    /// `mkdir -p` with POSIX calls; a folder another thread made first is fine.
    private func makeFolders(_ folder: String) throws {
        if mkdir(folder, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT, let slash = folder.lastIndex(of: "/"), folder.startIndex != slash else {
            throw OutputError("cannot create the folder \(folder): \(String(cString: strerror(errno)))")
        }
        try makeFolders(String(folder[..<slash]))
        guard mkdir(folder, 0o755) == 0 || errno == EEXIST else {
            throw OutputError("cannot create the folder \(folder): \(String(cString: strerror(errno)))")
        }
    }

    /// Copies a folder of static assets into the output, byte for byte.
    public func copyTree(from source: String, to relativeFolder: String) throws {
        guard let enumerator = FileManager.default.enumerator(atPath: source) else { return }
        var files: [String] = []
        while let item = enumerator.nextObject() as? String {
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: source + "/" + item, isDirectory: &isFolder)
            if !isFolder.boolValue && !(item as NSString).lastPathComponent.hasPrefix(".") { files.append(item) }
        }
        for item in files.sorted() {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: source + "/" + item))
            let target = relativeFolder.isEmpty ? item : relativeFolder + "/" + item
            try write(target, [UInt8](bytes))
        }
    }

    /// Puts the staged site in place of the destination. On Linux the two folders are exchanged
    /// in one atomic rename, so the destination is never missing; the old site is then removed.
    public func commit() throws {
        try OutputFolder.checkReplaceable(destination)
        let fileManager = FileManager.default
        if !fileManager.fileExists(atPath: destination) {
            try fileManager.moveItem(atPath: staging, toPath: destination)
            return
        }
        let threads = ProcessInfo.processInfo.activeProcessorCount
        if publish_exchange_paths(staging, destination) == 0 {
            try FolderTree.remove(staging, threads: threads)  // now holds the previous site
        } else {
            let old = staging + ".old"
            try FolderTree.remove(old, threads: threads)
            try fileManager.moveItem(atPath: destination, toPath: old)
            try fileManager.moveItem(atPath: staging, toPath: destination)
            try FolderTree.remove(old, threads: threads)
        }
    }

    /// Removes the staging folder after a failed build.
    public func discard() {
        try? FolderTree.remove(staging, threads: ProcessInfo.processInfo.activeProcessorCount)
    }
}
