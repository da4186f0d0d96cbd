import CZlib
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

    /// Writes `relativePath + ".gz"` beside a staged file (gzip, no name or time in the header, so
    /// the bytes depend on the content alone) and returns its digest. Level 6, zlib's default:
    /// on the national TPS table level 9 took a third longer for a file 2% smaller.
    public func gzip(_ relativePath: String) throws -> FileDigest {
        let source = try FileHandle(forReadingFrom: URL(fileURLWithPath: staging + "/" + relativePath))
        defer { try? source.close() }
        let target = try stream(relativePath + ".gz")
        var zs = z_stream()
        guard czlib_deflate_init_gzip(&zs, 6) == Z_OK else { throw OutputError("zlib could not start for \(relativePath)") }
        defer { deflateEnd(&zs) }
        var output = [UInt8](repeating: 0, count: 1 << 18)
        func pump(_ input: inout [UInt8], flush: Int32) throws {
            try input.withUnsafeMutableBytes { inBuffer in
                zs.next_in = inBuffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
                zs.avail_in = uInt(inBuffer.count)
                repeat {
                    let produced = output.withUnsafeMutableBytes { outBuffer -> Int in
                        zs.next_out = outBuffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                        zs.avail_out = uInt(outBuffer.count)
                        deflate(&zs, flush)
                        return outBuffer.count - Int(zs.avail_out)
                    }
                    if produced > 0 { try target.append(output[0..<produced]) }
                } while zs.avail_out == 0
            }
        }
        while let chunk = try source.read(upToCount: 1 << 20), !chunk.isEmpty {
            var input = [UInt8](chunk)
            try pump(&input, flush: Z_NO_FLUSH)
        }
        var empty: [UInt8] = []
        try pump(&empty, flush: Z_FINISH)
        let sha = try target.close()
        return FileDigest(bytes: target.bytes, sha256: sha)
    }
}

extension SHA256.Digest {
    /// Lower-case hex, as `sha256sum` prints it.
    public var hex: String { map { String(format: "%02x", $0) }.joined() }
}
