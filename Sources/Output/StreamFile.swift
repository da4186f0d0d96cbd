import Crypto
import Foundation

/// A large output file (a national CSV) written as it is produced, never held in memory,
/// with its size and SHA-256 computed on the way for the checksum list.
public final class StreamFile {
    public let relativePath: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var hasher = SHA256()
    public private(set) var bytes = 0
    public private(set) var rows = 0

    /// Creates the file, which must not exist yet (`O_EXCL`: never written through a link).
    init(relativePath: String, absolutePath: String) throws {
        let fd = open(absolutePath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError("cannot create \(absolutePath): \(String(cString: strerror(errno)))") }
        self.relativePath = relativePath
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        buffer.reserveCapacity(1 << 20)
    }

    /// Appends one row (or any text); `countsAsRow` false for a header.
    public func append(_ text: String, countsAsRow: Bool = true) throws {
        try append(text, rows: countsAsRow ? 1 : 0)
    }

    /// Appends text holding `rows` rows.
    public func append(_ text: String, rows: Int) throws {
        buffer.append(contentsOf: text.utf8)
        self.rows += rows
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Appends raw bytes (compressed output, say).
    public func append(_ bytes: ArraySlice<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    public func append(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        hasher.update(data: buffer)
        bytes += buffer.count
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is left and returns the file's SHA-256 (hex).
    public func close() throws -> String {
        try flush()
        try handle.close()
        return hasher.finalize().hex
    }
}

extension OutputFolder {
    /// Opens a file for streaming writes inside the staging folder (a new file, even where a
    /// link to the previous site's file stood, or an earlier file of this build).
    public func stream(_ relativePath: String) throws -> StreamFile {
        if let slash = relativePath.lastIndex(of: "/") {
            try FileManager.default.createDirectory(atPath: staging + "/" + relativePath[..<slash], withIntermediateDirectories: true)
        }
        let path = try claim(relativePath)
        if !reusesPrevious { unlink(path) }
        return try StreamFile(relativePath: relativePath, absolutePath: path)
    }
}
