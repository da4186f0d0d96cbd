import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whole-folder operations on a site of a million files, with POSIX calls on several threads:
/// `FileManager` walks and removes one entry at a time through Foundation's path handling, and
/// at this size that alone took longer than writing the files.
enum FolderTree {
    /// Hard-links every file under `source` into `target` (same relative paths; folders made),
    /// except the top-level names in `skipping`. Returns the number of files linked.
    static func link(from source: String, to target: String, skipping: Set<String>, threads: Int) throws -> Int {
        try walk(source, threads: threads) { folder, entries in
            var linked = 0
            for (name, isFolder) in entries where !(folder.isEmpty && skipping.contains(name)) {
                let relative = folder.isEmpty ? name : folder + "/" + name
                if isFolder {
                    guard mkdir(target + "/" + relative, 0o755) == 0 || errno == EEXIST else {
                        throw OutputError("cannot create the folder \(target)/\(relative): \(String(cString: strerror(errno)))")
                    }
                } else {
                    guard Glibc.link(source + "/" + relative, target + "/" + relative) == 0 else {
                        let code = errno
                        throw OutputError("cannot link \(target)/\(relative): \(String(cString: strerror(code)))",
                                          cannotLink: [EPERM, ENOTSUP, EXDEV, EMLINK, ENOSYS].contains(code))
                    }
                    linked += 1
                }
            }
            return linked
        }
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
            for (name, isFolder) in entries where !isFolder {
                let path = root + "/" + (folder.isEmpty ? name : folder + "/" + name)
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
                             _ body: @escaping (String, [(name: String, isFolder: Bool)]) throws -> Int) throws -> Int {
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

    /// The entries of one folder, with whether each is a folder (from `d_type` where the file
    /// system gives it, else `lstat`).
    private static func list(_ path: String) throws -> [(name: String, isFolder: Bool)] {
        guard let folder = opendir(path) else { throw OutputError("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { closedir(folder) }
        var entries: [(name: String, isFolder: Bool)] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name == "." || name == ".." { continue }
            var isFolder = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var info = stat()
                guard lstat(path + "/" + name, &info) == 0 else { throw OutputError("cannot read \(path)/\(name): \(String(cString: strerror(errno)))") }
                isFolder = info.st_mode & S_IFMT == S_IFDIR
            }
            entries.append((name, isFolder))
        }
        return entries
    }
}
