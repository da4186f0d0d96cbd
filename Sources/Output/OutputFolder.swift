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
/// After an incremental build the site it replaced is kept beside the output (`previous`), not
/// removed: it shares every file that build did not rewrite, so the next incremental build starts
/// from it and re-links only what changed in between, instead of linking every file of the site
/// and removing a whole old site after the swap.
///
/// Files are written with plain POSIX calls: for a million small files `FileManager` and
/// `Data.write` cost three times as much (see shared/reference/tech.md, section 5). Safe to call
/// `write` from several threads at once.
public final class OutputFolder: @unchecked Sendable {
    public let destination: String
    public let staging: String
    /// The site before the current one, kept after an incremental build for the next one.
    public let previous: String
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
        self.previous = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).previous").path
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

    /// Makes the staging folder the current site in hard links (the same folders, no file data
    /// copied), so that an incremental build writes only what changed and still swaps in a whole
    /// new folder. Returns how many links that took.
    ///
    /// It starts from the kept previous site when there is one (renamed into place): that shares
    /// every file the last build did not write, and names the ones it wrote (`changesFile`), so
    /// only those are linked again. A kept site without that list is brought up to date by
    /// comparing the two trees entry by entry (a listing of both); without a kept site, every
    /// file is linked.
    @discardableResult
    public func linkPrevious(threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> Int {
        reusesPrevious = true
        guard OutputFolder.buildID(of: previous) != nil, rmdir(staging) == 0 else {
            return try FolderTree.mirror(from: destination, to: staging, skipping: [OutputFolder.marker], targetIsEmpty: true,
                                         threads: threads).linked
        }
        guard rename(previous, staging) == 0 else {
            // Cannot take it over (another device, say): link everything into a new folder.
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            return try FolderTree.mirror(from: destination, to: staging, skipping: [OutputFolder.marker], targetIsEmpty: true,
                                         threads: threads).linked
        }
        let list = staging + "/" + OutputFolder.changesFile
        let changes = (try? String(contentsOfFile: list, encoding: .utf8)).map { $0.split(separator: "\n").map(String.init) } ?? []
        unlink(list)
        guard let live = OutputFolder.buildID(of: destination), changes.count >= 2, changes[1] == "site: " + live else {
            return try FolderTree.mirror(from: destination, to: staging, skipping: [OutputFolder.marker], threads: threads).linked
        }
        return try FolderTree.mirrorEntries(Array(changes.dropFirst(2)), from: destination, to: staging, threads: threads)
    }

    /// In the kept previous site, the list of paths in which it differs from the site that
    /// replaced it (every file and folder that build wrote or removed), headed by that site's
    /// build id: what the next incremental build links again.
    public static let changesFile = ".publish-changed"

    /// Paths written or removed since `linkPrevious()` (nothing is recorded in a full build).
    private let changesLock = NSLock()
    private var changedPaths = Set<String>()
    private var filesCreated = 0

    /// Files this build wrote into a staging folder of links.
    public var filesWritten: Int {
        changesLock.lock()
        defer { changesLock.unlock() }
        return filesCreated
    }

    /// Makes room for a new file at `relativePath` and returns its full path. In a staging folder
    /// of links, the path is recorded and the old name removed first, so the live site's file
    /// keeps its bytes. (The writers then create the file with `O_EXCL`: should a name survive,
    /// the write fails rather than go through the link.)
    func claim(_ relativePath: String) throws -> String {
        let path = staging + "/" + relativePath
        guard reusesPrevious else { return path }
        record(relativePath, file: true)
        guard unlink(path) == 0 || errno == ENOENT else { throw OutputError("cannot replace \(path): \(String(cString: strerror(errno)))") }
        return path
    }

    private func record(_ relativePath: String, file: Bool) {
        guard relativePath != OutputFolder.marker else { return }
        changesLock.lock()
        if changedPaths.insert(relativePath).inserted && file { filesCreated += 1 }
        changesLock.unlock()
    }

    /// The full path for a file some other writer creates (Parquet's, say), its folder made and
    /// its name claimed as `claim` does. The writer must create it with `O_EXCL`.
    public func newFilePath(_ relativePath: String) throws -> String {
        if let slash = relativePath.lastIndex(of: "/") { try makeFolders(staging + "/" + relativePath[..<slash]) }
        return try claim(relativePath)
    }

    /// Empties the staging folder and forgets the links (a fallback to a full build).
    public func resetStaging() throws {
        let threads = ProcessInfo.processInfo.activeProcessorCount
        try FolderTree.remove(staging, threads: threads)
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        reusesPrevious = false
        changesLock.lock()
        changedPaths = []
        filesCreated = 0
        changesLock.unlock()
    }

    /// Removes a folder from the staging folder (a link staging folder's copy of it).
    public func removeFolder(_ relativePath: String) throws {
        if reusesPrevious { record(relativePath, file: false) }
        try FolderTree.remove(staging + "/" + relativePath, threads: 1)
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
        let path = try claim(relativePath)
        var fd = open(path, newFileFlags, 0o644)
        // A new page's folder does not exist yet: make it and try again. Asking the file system,
        // rather than remembering every folder made, keeps memory flat at a million folders.
        if fd < 0 && errno == ENOENT, let slash = relativePath.lastIndex(of: "/") {
            try makeFolders(staging + "/" + relativePath[..<slash])
            fd = open(path, newFileFlags, 0o644)
        }
        guard fd >= 0 else { throw OutputError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try OutputFolder.writeAll(bytes, to: fd, path: path)
    }

    /// In a staging folder of links a file is always new (`O_EXCL`), never written through a link.
    private var newFileFlags: Int32 { O_WRONLY | O_CREAT | O_CLOEXEC | (reusesPrevious ? O_EXCL : O_TRUNC) }

    private static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32, path: @autoclosure () -> String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            guard written > 0 else { throw OutputError("cannot write \(path()): \(String(cString: strerror(errno)))") }
            offset += written
        }
    }

    /// A writer of pages for one thread (`PageWriter`).
    public func pageWriter() -> PageWriter { PageWriter(output: self) }

    /// Writes pages' files relative to their open folders; one per worker thread, not shared.
    ///
    /// The kernel looks a path up one component at a time in its table of names (the dentry
    /// cache), and a TPS page's files are seven components down. Relative to open folders,
    /// making a page's folder and each of its files takes one lookup each, not seven. It
    /// matters where that table is small for the site: on the machines measured here it has
    /// 131,072 buckets for a national site's 2.8 million names, and in a national build lookups
    /// were an eighth of the CPU time (perf, 2026-11-26). Workers take runs of pages in path
    /// order, so most pages share the folder above theirs with the page before: it stays open.
    public final class PageWriter {
        private let output: OutputFolder
        /// The folder above the last page's, relative to the staging folder, and its descriptor.
        private var parent: (path: Substring, fd: Int32)?

        init(output: OutputFolder) { self.output = output }

        deinit { if let parent { close(parent.fd) } }

        /// Makes the page folder `folder` (relative, ending in `/`; "" for the site's root) if it
        /// is not there, and calls `body` with it open.
        public func page(_ folder: String, _ body: (PageFolder) throws -> Void) throws {
            let trimmed = folder.hasSuffix("/") ? folder.dropLast() : folder[...]
            let fd: Int32
            if trimmed.isEmpty {
                fd = open(output.staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            } else {
                let slash = trimmed.lastIndex(of: "/")
                let above = trimmed[..<(slash ?? trimmed.startIndex)]
                let leaf = slash.map { trimmed[trimmed.index(after: $0)...] } ?? trimmed
                let parentFD = try fdAbove(above) ?? openAbove(above)
                fd = String(leaf).withCString { name in
                    guard mkdirat(parentFD, name, 0o755) == 0 || errno == EEXIST else { return -1 }
                    return openat(parentFD, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                }
            }
            guard fd >= 0 else {
                throw OutputError("cannot create the folder \(output.staging)/\(trimmed): \(String(cString: strerror(errno)))")
            }
            defer { close(fd) }
            try body(PageFolder(output: output, folder: folder, fd: fd))
        }

        private func fdAbove(_ path: Substring) -> Int32? {
            guard let parent, parent.path == path else { return nil }
            return parent.fd
        }

        /// Opens the folder `path` (made, with the folders above it, if missing) and keeps it open.
        private func openAbove(_ path: Substring) throws -> Int32 {
            if let parent { close(parent.fd) }
            parent = nil
            let full = path.isEmpty ? output.staging : output.staging + "/" + path
            var fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd < 0 && errno == ENOENT {
                try output.makeFolders(full)
                fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            }
            guard fd >= 0 else { throw OutputError("cannot open the folder \(full): \(String(cString: strerror(errno)))") }
            parent = (path, fd)
            return fd
        }
    }

    /// One page's open folder, inside `PageWriter.page`.
    public struct PageFolder {
        let output: OutputFolder
        let folder: String
        let fd: Int32

        /// Writes the file `name` in this folder, as `OutputFolder.write` does.
        public func write(_ name: String, _ bytes: [UInt8]) throws {
            if output.reusesPrevious {
                output.record(folder + name, file: true)
                guard unlinkat(fd, name, 0) == 0 || errno == ENOENT else { throw error("cannot replace", name) }
            }
            let file = openat(fd, name, output.newFileFlags, 0o644)
            guard file >= 0 else { throw error("cannot create", name) }
            defer { close(file) }
            try bytes.withUnsafeBytes { try OutputFolder.writeAll($0, to: file, path: output.staging + "/" + folder + name) }
        }

        private func error(_ what: String, _ name: String) -> OutputError {
            OutputError("\(what) \(output.staging)/\(folder)\(name): \(String(cString: strerror(errno)))")
        }
    }

    /// `mkdir -p` with POSIX calls; a folder another thread made first is fine.
    func makeFolders(_ folder: String) throws {
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
            guard FileManager.default.fileExists(atPath: source + "/" + item, isDirectory: &isFolder), !isFolder.boolValue,
                  !(item as NSString).lastPathComponent.hasPrefix(".") else { continue }
            files.append(item)
        }
        for item in files.sorted() {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: source + "/" + item))
            let target = relativeFolder.isEmpty ? item : relativeFolder + "/" + item
            try write(target, [UInt8](bytes))
        }
    }

    /// Puts the staged site in place of the destination. On Linux the two folders are exchanged
    /// in one atomic rename, so the destination is never missing. The old site is then kept as
    /// `previous` when this build started from links to it (it shares most files with the new
    /// one), and removed otherwise, together with any older kept site.
    public func commit() throws {
        try OutputFolder.checkReplaceable(destination)
        let fileManager = FileManager.default
        let threads = ProcessInfo.processInfo.activeProcessorCount
        // Only a folder we built is ever removed or replaced under that name.
        let previousIsOurs = OutputFolder.buildID(of: previous) != nil
        if previousIsOurs { try FolderTree.remove(previous, threads: threads) }
        if !fileManager.fileExists(atPath: destination) {
            try fileManager.moveItem(atPath: staging, toPath: destination)
            return
        }
        var old = staging
        if publish_exchange_paths(staging, destination) != 0 {
            old = staging + ".old"
            try FolderTree.remove(old, threads: threads)
            try fileManager.moveItem(atPath: destination, toPath: old)
            try fileManager.moveItem(atPath: staging, toPath: destination)
        }
        // `old` now holds the site this build replaced: kept, with the list of what differs, when
        // this build started from links to it.
        // (A kept site of ours was removed above; a folder of that name we did not build stays.)
        if reusesPrevious && !fileManager.fileExists(atPath: previous), let id = OutputFolder.buildID(of: destination) {
            changesLock.lock()
            let paths = changedPaths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            changesLock.unlock()
            let list = "Paths in which this kept copy differs from the site of the build below; publish reads it. Safe to delete with the folder.\n"
                + "site: \(id)\n" + paths.map { $0 + "\n" }.joined()
            if (try? list.write(toFile: old + "/" + OutputFolder.changesFile, atomically: false, encoding: .utf8)) != nil,
               rename(old, previous) == 0 { return }
        }
        try FolderTree.remove(old, threads: threads)
    }

    /// Removes the staging folder after a failed build.
    public func discard() {
        try? FolderTree.remove(staging, threads: ProcessInfo.processInfo.activeProcessorCount)
    }
}
