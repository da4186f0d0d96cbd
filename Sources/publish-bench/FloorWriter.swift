import Dispatch
import Foundation

/// The file-output floor: the cost of writing a site's files (same paths, same sizes) with no
/// rendering at all, by two threads with plain POSIX calls. A build cannot be faster than this;
/// the benchmark reports the build as a multiple of it.
enum FloorWriter {
    struct Listing {
        var files: [(path: String, size: Int)] = []
        var bytes: Int { files.reduce(0) { $0 + $1.size } }
    }

    /// Every file under `root`, relative paths in byte order (not timed).
    static func list(_ root: String) -> Listing {
        var listing = Listing()
        // readdir and stat, not Foundation's enumerator and its attribute dictionaries: at national
        // scale (1.9 million files) that took minutes.
        func walk(_ relative: String) {
            let folder = relative.isEmpty ? root : root + "/" + relative
            guard let handle = opendir(folder) else { return }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                guard name != ".", name != ".." else { continue }
                let path = relative.isEmpty ? name : relative + "/" + name
                var status = stat()
                guard lstat(root + "/" + path, &status) == 0 else { continue }
                switch status.st_mode & S_IFMT {
                case S_IFDIR: walk(path)
                case S_IFREG: listing.files.append((path, Int(status.st_size)))
                default: break
                }
            }
        }
        walk("")
        listing.files.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return listing
    }

    /// Saves a listing as `path TAB size` lines.
    static func save(_ listing: Listing, to file: String) throws {
        var text = ""
        for (path, size) in listing.files { text += "\(path)\t\(size)\n" }
        try text.write(toFile: file, atomically: false, encoding: .utf8)
    }

    static func load(_ file: String) throws -> Listing {
        var listing = Listing()
        for line in try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: "\t")
            guard fields.count == 2, let size = Int(fields[1]) else { throw BenchError("\(file): bad line \(line)") }
            listing.files.append((String(fields[0]), size))
        }
        return listing
    }

    /// Writes the listing under `target` with two threads; returns the seconds taken.
    static func write(_ listing: Listing, to target: String) throws -> Double {
        let largest = listing.files.map(\.size).max() ?? 0
        let filler = [UInt8](repeating: 0x20, count: max(largest, 1))
        nonisolated(unsafe) var failure: String?
        let lock = NSLock()
        let files = listing.files
        let start = DispatchTime.now().uptimeNanoseconds
        // Each thread takes the next run of 32 files (in path order) as it comes free, as the
        // build's page workers do: threads writing neighbouring files would wait for each other
        // on their shared folder's lock, and the floor is the least a build could cost.
        nonisolated(unsafe) var nextRun = 0
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            // Files are made by name in their open folder, and a folder by name in the open folder
            // above it, as the build's page writers do (`OutputFolder.PageWriter`): one lookup of
            // a name each, not one per folder on the path.
            var folders = OpenFolders(root: target)
            while true {
                lock.lock()
                let first = nextRun
                nextRun += 32
                lock.unlock()
                guard first < files.count else { break }
                for (path, size) in files[first..<min(first + 32, files.count)] {
                    let slash = path.lastIndex(of: "/")
                    let folder = folders.open(slash.map { path[..<$0] } ?? "")
                    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
                    let fd = folder < 0 ? -1 : openat(folder, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                    if fd < 0 || filler.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, size) }) != size {
                        lock.lock()
                        failure = "\(target)/\(path): write failed (errno \(errno))"
                        lock.unlock()
                    }
                    if fd >= 0 { close(fd) }
                }
            }
            folders.close()
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if let failure { throw BenchError(failure) }
        return seconds
    }

    /// One thread's open folder and the folder above it, each made if missing.
    struct OpenFolders {
        let root: String
        var above: (path: Substring, fd: Int32)?
        var folder: (path: Substring, fd: Int32)?

        /// The descriptor of `path` (relative to `root`), or -1 if it cannot be made.
        mutating func open(_ path: Substring) -> Int32 {
            if let folder, folder.path == path { return folder.fd }
            if let folder { Glibc.close(folder.fd) }
            folder = nil
            let fd: Int32
            if path.isEmpty {
                FloorWriter.makeFolders(root)
                fd = Glibc.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            } else {
                let slash = path.lastIndex(of: "/")
                let abovePath = slash.map { path[..<$0] } ?? path[path.startIndex..<path.startIndex]
                if above?.path != abovePath {
                    if let above { Glibc.close(above.fd) }
                    let full = abovePath.isEmpty ? root : root + "/" + abovePath
                    FloorWriter.makeFolders(full)
                    above = (abovePath, Glibc.open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC))
                }
                let leaf = String(slash.map { path[path.index(after: $0)...] } ?? path)
                let aboveFD = above!.fd
                _ = mkdirat(aboveFD, leaf, 0o755)
                fd = openat(aboveFD, leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            }
            folder = (path, fd)
            return fd
        }

        mutating func close() {
            if let folder, folder.fd >= 0 { Glibc.close(folder.fd) }
            if let above, above.fd >= 0 { Glibc.close(above.fd) }
            folder = nil
            above = nil
        }
    }

    /// `mkdir -p`, tolerating a folder the other thread made first.
    static func makeFolders(_ path: String) {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        if errno == ENOENT, let slash = path.lastIndex(of: "/") {
            makeFolders(String(path[..<slash]))
            _ = mkdir(path, 0o755)
        }
    }
}
