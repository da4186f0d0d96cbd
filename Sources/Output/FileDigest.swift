import CLibDeflate
import Crypto
import Foundation

/// Size and SHA-256 of a written file, for the checksum list and the data package.
public struct FileDigest: Sendable, Equatable {
    public let bytes: Int
    public let sha256: String

    public init(bytes: Int, sha256: String) {
        self.bytes = bytes
        self.sha256 = sha256
    }
}

extension OutputFolder {
    /// Size and SHA-256 of a file in the staging folder, read in chunks.
    public func digest(_ relativePath: String) throws -> FileDigest {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: staging + "/" + relativePath))
        defer { try? handle.close() }
        var hasher = SHA256()
        var bytes = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            bytes += chunk.count
        }
        return FileDigest(bytes: bytes, sha256: hasher.finalize().hex)
    }

    /// Writes `relativePath + ".gz"` beside a staged file and returns its digest. The file goes in
    /// pieces of 4 MiB, each a gzip member of its own (RFC 1952 allows any number, and readers
    /// decompress them as one stream), compressed by libdeflate at its fastest level (see
    /// `GzipCompressor`): on whole buffers only, which the pieces give it with little memory. The
    /// gzip header holds no name and no time, so the bytes depend on the content alone.
    /// With `headerMember`, the first line is a member of its own: the rest of the file is then a
    /// run of members that a larger file can reuse as it is (`concatenateGzip`).
    public func gzip(_ relativePath: String, headerMember: Bool = false) throws -> FileDigest {
        let path = staging + "/" + relativePath
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw OutputError("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let target = try stream(relativePath + ".gz")
        let compressor = try GzipCompressor()
        let piece = 4 << 20
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var splitHeader = headerMember
        var members = 0
        func compress(_ bytes: ArraySlice<UInt8>) throws {
            try target.append(compressor.member(bytes)[...])
            members += 1
        }
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard count >= 0 else { throw OutputError("cannot read \(path): \(String(cString: strerror(errno)))") }
            pending.append(contentsOf: chunk[..<count])
            if splitHeader, let end = pending.firstIndex(of: 0x0A).map({ $0 + 1 }) ?? (count == 0 ? pending.count : nil) {
                try compress(pending[..<end])
                pending.removeSubrange(..<end)
                splitHeader = false
            }
            // Pieces start at fixed offsets after the header line, whatever the reads returned.
            while pending.count >= piece {
                try compress(pending[..<piece])
                pending.removeSubrange(..<piece)
            }
            if count == 0 { break }
        }
        if !pending.isEmpty || members == 0 { try compress(pending[...]) }
        let sha = try target.close()
        return FileDigest(bytes: target.bytes, sha256: sha)
    }

    /// The first line of a staged file, its line end included.
    public func firstLine(_ relativePath: String) throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: staging + "/" + relativePath))
        defer { try? handle.close() }
        var bytes: [UInt8] = []
        while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            bytes.append(contentsOf: chunk)
            if let newline = bytes.firstIndex(of: 0x0A) { return Array(bytes[...newline]) }
        }
        return bytes
    }

    /// `bytes` compressed as one whole gzip member, as `gzip` writes them.
    static func gzipMember(_ bytes: [UInt8]) throws -> [UInt8] {
        try GzipCompressor().member(bytes[...])
    }

    /// Writes `target` (a `.gz` beside a staged CSV) as the compressed header line followed by the
    /// body members of `parts`: `.gz` files `gzip(_:headerMember: true)` wrote, whose CSVs' rows
    /// make up the target's CSV in this order. Nothing is compressed again. Returns nil, writing
    /// nothing, when a part does not start with the same header member (a file kept from a site
    /// an older version built): the caller then compresses the CSV itself.
    public func concatenateGzip(_ target: String, header: [UInt8], parts: [String]) throws -> FileDigest? {
        let headerMember = try OutputFolder.gzipMember(header)
        var handles: [FileHandle] = []
        defer { for handle in handles { try? handle.close() } }
        for part in parts {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: staging + "/" + part))
            handles.append(handle)
            guard let start = try handle.read(upToCount: headerMember.count), [UInt8](start) == headerMember else { return nil }
        }
        let file = try stream(target)
        try file.append(headerMember[...])
        for handle in handles {
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { try file.append([UInt8](chunk)[...]) }
        }
        let sha = try file.close()
        return FileDigest(bytes: file.bytes, sha256: sha)
    }
}

extension SHA256.Digest {
    /// Lower-case hex, as `sha256sum` prints it.
    public var hex: String { map { String(format: "%02x", $0) }.joined() }
}

/// libdeflate's compressor, making one gzip member per call.
final class GzipCompressor {
    private let compressor: OpaquePointer

    /// Level 1. Measured on the Jawa Barat TPS table (47 MB of CSV, 4 MiB pieces): level 1 takes
    /// 0.18 s and keeps 22.4% of the bytes, level 6 (zlib's default) 0.58 s and 20.0%. The table
    /// is compressed again whenever one of its TPS changes, so at national scale that is about
    /// 2 s of every build for a file a ninth larger; Parquet is the compact download.
    static let level: Int32 = 1

    init() throws {
        guard let compressor = libdeflate_alloc_compressor(Self.level) else { throw OutputError("libdeflate could not start") }
        self.compressor = compressor
    }

    deinit { libdeflate_free_compressor(compressor) }

    func member(_ bytes: ArraySlice<UInt8>) throws -> [UInt8] {
        let bound = libdeflate_gzip_compress_bound(compressor, bytes.count)
        var output = [UInt8](repeating: 0, count: bound)
        let size = bytes.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { libdeflate_gzip_compress(compressor, input.baseAddress, input.count, $0.baseAddress, $0.count) }
        }
        guard size > 0 else { throw OutputError("libdeflate could not compress \(bytes.count) bytes") }
        output.removeSubrange(size...)
        return output
    }
}
