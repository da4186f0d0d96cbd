import Foundation

/// Walks a folder tree lazily, in a fixed order (names compared byte-wise, files and folders
/// interleaved), so that memory does not grow with the tree and two imports see files in the same order.
struct FileWalker: Sequence, IteratorProtocol {
    struct File {
        /// Path relative to the root, with `/` separators.
        let relativePath: String
        let absolutePath: String
    }

    private let root: String
    /// Folders still to open, and the entries of open ones still to visit (last is next).
    private var pending: [[String]]
    private var prefixes: [String]

    init(root: String) {
        self.root = root
        pending = [FileWalker.sortedEntries(of: root)]
        prefixes = [""]
    }

    static func sortedEntries(of folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        // Hidden entries (.git, .DS_Store) are never part of a mirror.
        return names.filter { !$0.hasPrefix(".") }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .reversed()
    }

    mutating func next() -> File? {
        while !pending.isEmpty {
            guard let name = pending[pending.count - 1].popLast() else {
                pending.removeLast()
                prefixes.removeLast()
                continue
            }
            let relative = prefixes[prefixes.count - 1] + name
            let absolute = root + "/" + relative
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isFolder) else { continue }
            if isFolder.boolValue {
                pending.append(FileWalker.sortedEntries(of: absolute))
                prefixes.append(relative + "/")
            } else {
                return File(relativePath: relative, absolutePath: absolute)
            }
        }
        return nil
    }
}
