import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whole-folder operations on a site of a million files, with POSIX calls on several threads:
/// `FileManager` walks and removes one entry at a time through Foundation's path handling, and
/// at this size that alone took longer than writing the files.
enum FolderTree {
    /// Makes `target` the same tree as `source`, made of hard links to `source`'s files, and
    /// returns how many files `source` has and how many of them had to be linked. A file that is
    /// already the same file (same inode number, which `readdir` gives without a `stat`) is left
    /// as it is; any other entry is replaced or removed. This is how a kept site without its list
    /// of changes is brought up to date (a listing of both trees, plus links for what differs),
    /// and how an empty staging folder is filled (a link for every file). The top-level
    /// names in `skipping` are neither linked nor removed. With `targetIsEmpty`, nothing of the
    /// target is listed: every file is linked.
    static func mirror(from source: String, to target: String, skipping: Set<String>, targetIsEmpty: Bool = false,
                       threads: Int) throws -> (files: Int, linked: Int) {
        let lock = NSLock()
        nonisolated(unsafe) var linked = 0
        let files = try walk(source, threads: threads) { folder, entries in
            let relative = { (name: String) in folder.isEmpty ? name : folder + "/" + name }
            let here = folder.isEmpty ? target : target + "/" + folder
            var existing: [String: Entry] = [:]
            if !targetIsEmpty, let listed = try? list(here) {
                for entry in listed where !(folder.isEmpty && skipping.contains(entry.name)) { existing[entry.name] = entry }
            } else {
                guard mkdir(here, 0o755) == 0 || errno == EEXIST else {
                    throw OutputError("cannot create the folder \(here): \(String(cString: strerror(errno)))")
                }
            }
            // Each entry by its name in the two open folders: a lookup of one name, not of every
            // folder on its path (see `OutputFolder.PageWriter`).
            let pair = try FolderPair(source: folder.isEmpty ? source : source + "/" + folder, target: here)
            var count = 0, newLinks = 0
            for entry in entries where !(folder.isEmpty && skipping.contains(entry.name)) {
                let old = existing.removeValue(forKey: entry.name)
                if entry.isFolder {
                    if let old, !old.isFolder { try pair.removeFile(entry.name) }
                    if old?.isFolder != true {
                        guard mkdirat(pair.target, entry.name, 0o755) == 0 else {
                            throw OutputError("cannot create the folder \(here)/\(entry.name): \(String(cString: strerror(errno)))")
                        }
                    }
                    continue
                }
                count += 1
                if let old, !old.isFolder, old.inode == entry.inode { continue }
                if let old { try old.isFolder ? remove(target + "/" + relative(entry.name), threads: 1) : pair.removeFile(entry.name) }
                try pair.link(entry.name)
                newLinks += 1
            }
            // What the source no longer has.
            for (name, old) in existing {
                try old.isFolder ? remove(target + "/" + relative(name), threads: 1) : pair.removeFile(name)
            }
            lock.lock()
            linked += newLinks
            lock.unlock()
            return count
        }
        return (files, linked)
    }

    /// Brings one path of `target` to what it is under `source`: a file linked (unless it is the
    /// same file already), a folder mirrored, removed if `source` has nothing there; folders on
    /// the way made. Returns the links made. `open` holds the folders of the last path done:
    /// paths come in order, and the files of one page share a folder.
    static func mirrorEntry(_ relative: String, from source: String, to target: String, open: inout FolderPair?) throws -> Int {
        let slash = relative.lastIndex(of: "/")
        let folder = slash.map { relative[..<$0] } ?? ""
        let name = slash.map { String(relative[relative.index(after: $0)...]) } ?? relative
        if open?.folder != folder {
            open = nil
            open = FolderPair(folder: folder, source: source, target: target)
        }
        let pair = open!
        var sourceInfo = stat(), targetInfo = stat()
        let sourceExists = pair.source >= 0 && fstatat(pair.source, name, &sourceInfo, AT_SYMLINK_NOFOLLOW) == 0
        let targetExists = pair.target >= 0 && fstatat(pair.target, name, &targetInfo, AT_SYMLINK_NOFOLLOW) == 0
        let sourceIsFolder = sourceExists && sourceInfo.st_mode & S_IFMT == S_IFDIR
        let targetIsFolder = targetExists && targetInfo.st_mode & S_IFMT == S_IFDIR
        if sourceExists && !sourceIsFolder && targetExists && !targetIsFolder && sourceInfo.st_ino == targetInfo.st_ino { return 0 }
        if targetExists && !(sourceIsFolder && targetIsFolder) {
            try targetIsFolder ? remove(target + "/" + relative, threads: 1) : pair.removeFile(name)
        }
        guard sourceExists else { return 0 }
        if sourceIsFolder {
            try makeFolders(above: relative, in: target)
            return try mirror(from: source + "/" + relative, to: target + "/" + relative, skipping: [], threads: 1).linked
        }
        if pair.target < 0 {
            try makeFolders(above: relative, in: target)
            try pair.openTarget()
        }
        try pair.link(name)
        return 1
    }

    /// One folder of `source` and the same folder of `target`, open, so that the entries in them
    /// are found by name alone (see `OutputFolder.PageWriter`). A side that is not there is -1.
    final class FolderPair {
        /// The folder, relative to the two roots ("" for the roots themselves).
        let folder: Substring
        let source: Int32
        private(set) var target: Int32
        private let targetPath: String

        init(folder: Substring, source: String, target: String) {
            self.folder = folder
            let sourcePath = folder.isEmpty ? source : source + "/" + folder
            targetPath = folder.isEmpty ? target : target + "/" + folder
            self.source = open(sourcePath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            self.target = open(targetPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }

        /// Both folders, which must be there.
        convenience init(source: String, target: String) throws {
            self.init(folder: "", source: source, target: target)
            guard self.source >= 0, self.target >= 0 else {
                throw OutputError("cannot open \(self.source < 0 ? source : target): \(String(cString: strerror(errno)))")
            }
        }

        deinit {
            if source >= 0 { close(source) }
            if target >= 0 { close(target) }
        }

        /// Opens the target folder once it has been made.
        func openTarget() throws {
            if target < 0 { target = open(targetPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
            guard target >= 0 else { throw OutputError("cannot open the folder \(targetPath): \(String(cString: strerror(errno)))") }
        }

        func link(_ name: String) throws {
            guard linkat(source, name, target, name, 0) == 0 else { throw linkError(targetPath + "/" + name) }
        }

        func removeFile(_ name: String) throws {
            guard unlinkat(target, name, 0) == 0 || errno == ENOENT else {
                throw OutputError("cannot remove \(targetPath)/\(name): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// `mirrorEntry` for each of `paths`, on `threads` threads; returns the links made. Paths are
    /// grouped by their first three components (a region's subtree, say), each group done in
    /// order on one thread, so that a path and anything under it are never done at once (a
    /// folder mirrored while a file in it is linked); shorter paths, which may hold a group's,
    /// are done first, one after another. Each entry is brought to what `source` has, so the
    /// order of unrelated entries does not change the result.
    static func mirrorEntries(_ paths: [String], from source: String, to target: String, threads: Int) throws -> Int {
        var linked = 0
        var groups: [Substring: [String]] = [:]
        for path in paths {
            let parts = path.split(separator: "/", maxSplits: 3)
            guard parts.count > 3 else {
                var open: FolderPair?
                linked += try mirrorEntry(path, from: source, to: target, open: &open)
                continue
            }
            let key = path[..<parts[2].endIndex]
            groups[key, default: []].append(path)
        }
        let work = groups.keys.sorted().map { groups[$0]! }
        final class Shared: @unchecked Sendable {
            let lock = NSLock()
            var linked = 0
            var failure: Error?
        }
        let shared = Shared()
        let next = NextRun(count: work.count, length: 1)
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, work.count))) { _ in
            var links = 0
            var open: FolderPair?
            while let run = next.take() {
                do {
                    for path in work[run.lowerBound] { links += try mirrorEntry(path, from: source, to: target, open: &open) }
                } catch {
                    next.stop()
                    shared.lock.lock()
                    if shared.failure == nil { shared.failure = error }
                    shared.lock.unlock()
                }
            }
            shared.lock.lock()
            shared.linked += links
            shared.lock.unlock()
        }
        if let failure = shared.failure { throw failure }
        return linked + shared.linked
    }

    /// The failed link's error (read from `errno`), saying whether the file system refuses links.
    private static func linkError(_ path: String) -> OutputError {
        let code = errno
        return OutputError("cannot link \(path): \(String(cString: strerror(code)))",
                           cannotLink: [EPERM, ENOTSUP, EXDEV, EMLINK, ENOSYS].contains(code))
    }

    /// The folders on the way to `relative` under `root`, replacing a file that stands where one
    /// must be.
    private static func makeFolders(above relative: String, in root: String) throws {
        var folder = root
        for component in relative.split(separator: "/").dropLast() {
            folder += "/" + component
            var info = stat()
            if lstat(folder, &info) == 0 {
                if info.st_mode & S_IFMT == S_IFDIR { continue }
                try removeFile(folder)
            }
            // Another thread may make the same folder at the same moment (`mirrorEntries`).
            guard mkdir(folder, 0o755) == 0 || (errno == EEXIST && lstat(folder, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR) else {
                throw OutputError("cannot create the folder \(folder): \(String(cString: strerror(errno)))")
            }
        }
    }

    private static func removeFile(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw OutputError("cannot remove \(path): \(String(cString: strerror(errno)))") }
    }

    /// Removes `root` and everything in it.
    static func remove(_ root: String, threads: Int) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder) else { return }
        guard isFolder.boolValue else {
            guard unlink(root) == 0 else { throw OutputError("cannot remove \(root): \(String(cString: strerror(errno)))") }
            return
        }
        let lock = NSLock()
        nonisolated(unsafe) var folders: [String] = []
        _ = try walk(root, threads: threads) { folder, entries in
            var removed = 0
            for entry in entries where !entry.isFolder {
                let path = root + "/" + (folder.isEmpty ? entry.name : folder + "/" + entry.name)
                guard unlink(path) == 0 || errno == ENOENT else { throw OutputError("cannot remove \(path): \(String(cString: strerror(errno)))") }
                removed += 1
            }
            lock.lock()
            folders.append(folder)
            lock.unlock()
            return removed
        }
        // Deepest first: a folder is empty once its files and subfolders are gone.
        for folder in folders.sorted(by: { $0.utf8.count > $1.utf8.count }) {
            let path = folder.isEmpty ? root : root + "/" + folder
            guard rmdir(path) == 0 || errno == ENOENT else { throw OutputError("cannot remove \(path): \(String(cString: strerror(errno)))") }
        }
    }

    /// Calls `body` once for every folder under `root` (relative path, "" for the root itself)
    /// with its entries, on `threads` threads; a folder's subfolders are visited after `body`
    /// returned for it. Returns the sum of what `body` returned.
    private static func walk(_ root: String, threads: Int,
                             _ body: @escaping (String, [Entry]) throws -> Int) throws -> Int {
        final class Queue: @unchecked Sendable {
            let condition = NSCondition()
            var pending: [String] = [""]
            var busy = 0
            var total = 0
            var failure: Error?
        }
        let queue = Queue()
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: max(1, threads)) { _ in
            while true {
                queue.condition.lock()
                while queue.pending.isEmpty && queue.busy > 0 && queue.failure == nil { queue.condition.wait() }
                guard queue.failure == nil, let folder = queue.pending.popLast() else {
                    queue.condition.broadcast()
                    queue.condition.unlock()
                    return
                }
                queue.busy += 1
                queue.condition.unlock()

                var subfolders: [String] = []
                var count = 0
                var failure: Error?
                do {
                    let entries = try list(folder.isEmpty ? root : root + "/" + folder)
                    count = try body(folder, entries)
                    subfolders = entries.filter(\.isFolder).map { folder.isEmpty ? $0.name : folder + "/" + $0.name }
                } catch {
                    failure = error
                }
                queue.condition.lock()
                queue.busy -= 1
                queue.total += count
                queue.pending += subfolders
                if let failure, queue.failure == nil { queue.failure = failure }
                queue.condition.broadcast()
                queue.condition.unlock()
            }
        }
        if let failure = queue.failure { throw failure }
        return queue.total
    }

    /// One entry of a folder.
    struct Entry {
        let name: String
        let isFolder: Bool
        /// Its inode number: two names with the same one in a file system are one file.
        let inode: UInt64
    }

    /// The entries of one folder, with whether each is a folder (from `d_type` where the file
    /// system gives it, else `lstat`).
    private static func list(_ path: String) throws -> [Entry] {
        guard let folder = opendir(path) else { throw OutputError("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { closedir(folder) }
        var entries: [Entry] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name == "." || name == ".." { continue }
            var isFolder = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var info = stat()
                guard lstat(path + "/" + name, &info) == 0 else { throw OutputError("cannot read \(path)/\(name): \(String(cString: strerror(errno)))") }
                isFolder = info.st_mode & S_IFMT == S_IFDIR
            }
            entries.append(Entry(name: name, isFolder: isFolder, inode: UInt64(entry.pointee.d_ino)))
        }
        return entries
    }
}
