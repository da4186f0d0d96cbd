import Foundation
import SirekapFormat

/// Walks a folder tree lazily, in a fixed order (names compared byte-wise, files and folders
/// interleaved), so that memory does not grow with the tree and two imports see files in the same order.
struct FileWalker: Sequence, IteratorProtocol {
    struct File {
        /// Path relative to the root, with `/` separators.
        let relativePath: String
        let absolutePath: String

        /// The folder part of `absolutePath`, and the file's name in it.
        var folder: Substring { absolutePath[..<nameStart] }
        var name: Substring { absolutePath[nameStart...] }
        private var nameStart: String.Index {
            absolutePath.lastIndex(of: "/").map { absolutePath.index(after: $0) } ?? absolutePath.startIndex
        }
    }

    private let root: String
    /// Folders still to open, and the entries of open ones still to visit (last is next).
    private var pending: [[Entry]]
    private var prefixes: [String]

    /// A folder entry and what `readdir` says it is (`unknown`: ask `stat`, which follows links).
    struct Entry {
        enum Kind { case file, folder, unknown }
        let name: String
        let kind: Kind
    }

    init(root: String) {
        self.root = root
        pending = [FileWalker.sortedEntries(of: root)]
        prefixes = [""]
    }

    /// With `readdir` and its entry types rather than Foundation's listing and a `stat` per entry:
    /// walking was a tenth of an import's serial time.
    static func sortedEntries(of folder: String) -> [Entry] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var entries: [Entry] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            // Hidden entries (.git, .DS_Store) are never part of a mirror; nor are . and ..
            if name.hasPrefix(".") { continue }
            let type = Int32(entry.pointee.d_type)
            entries.append(Entry(name: name, kind: type == Int32(DT_DIR) ? .folder : (type == Int32(DT_REG) ? .file : .unknown)))
        }
        return entries.sorted { $0.name.utf8Precedes($1.name) }.reversed()
    }

    mutating func next() -> File? {
        while !pending.isEmpty {
            guard let entry = pending[pending.count - 1].popLast() else {
                pending.removeLast()
                prefixes.removeLast()
                continue
            }
            let relative = prefixes[prefixes.count - 1] + entry.name
            let absolute = root + "/" + relative
            var isFolder = entry.kind == .folder
            if entry.kind == .unknown {
                // A link or a file system without entry types: follow it, skip it when broken.
                var status = stat()
                guard stat(absolute, &status) == 0 else { continue }
                isFolder = (status.st_mode & S_IFMT) == S_IFDIR
            }
            if isFolder {
                pending.append(FileWalker.sortedEntries(of: absolute))
                prefixes.append(relative + "/")
            } else {
                return File(relativePath: relative, absolutePath: absolute)
            }
        }
        return nil
    }
}
