import CSnappy
import CZlib
import Dispatch

/// A row group turned into pages: its column chunks back to back, with each chunk's metadata
/// relative to the group's first byte. The same encoded group can go into several files (the
/// national TPS table and its province's file hold the same row group), encoded once.
public struct EncodedRowGroup: Sendable {
    /// The column chunks' bytes, in column order (kept apart: joining them would copy them all).
    let pieces: [[UInt8]]
    let chunks: [ChunkMeta]
    public let rows: Int
    let codec: ParquetOptions.Codec

    public var byteCount: Int { pieces.reduce(0) { $0 + $1.count } }
}

struct ChunkMeta: Sendable {
    let name: String
    let physicalType: Int32
    let values: Int64
    /// Offsets from the start of the encoded row group.
    let dataOffset: Int64
    let dictionaryOffset: Int64?
    let uncompressedSize: Int64
    let compressedSize: Int64
    let statistics: ColumnStatistics?

    func moved(by offset: Int64) -> ChunkMeta {
        ChunkMeta(name: name, physicalType: physicalType, values: values, dataOffset: dataOffset + offset,
                  dictionaryOffset: dictionaryOffset.map { $0 + offset }, uncompressedSize: uncompressedSize,
                  compressedSize: compressedSize, statistics: statistics)
    }
}

struct ColumnStatistics: Sendable {
    let nulls: Int64
    let min: [UInt8]?
    let max: [UInt8]?
}

extension ParquetRowGroup {
    /// Encodes and compresses every column chunk. With `options.threads` above 1 the chunks are
    /// compressed side by side; each chunk's bytes depend on its own values only, so the result
    /// is the same for any number of threads.
    public func encode(_ options: ParquetOptions) throws -> EncodedRowGroup {
        let count = buffers.count
        let results = UnsafeMutableBufferPointer<Result<(bytes: [UInt8], meta: ChunkMeta), Error>?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer { results.deinitialize().deallocate() }
        nonisolated(unsafe) let slots = results
        let buffers = self.buffers
        let threads = max(1, min(options.threads, count))
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            for index in stride(from: worker, to: count, by: threads) {
                slots[index] = Result { try buffers[index].encodeChunk(options) }
            }
        }
        var pieces: [[UInt8]] = []
        var chunks: [ChunkMeta] = []
        var offset: Int64 = 0
        for result in results {
            let (chunk, meta) = try result!.get()
            chunks.append(meta.moved(by: offset))
            offset += Int64(chunk.count)
            pieces.append(chunk)
        }
        return EncodedRowGroup(pieces: pieces, chunks: chunks, rows: rows, codec: options.codec)
    }
}

extension ColumnBuffer {
    /// The chunk's pages (a dictionary page for dictionary columns, then one data page), with
    /// offsets from the chunk's first byte.
    func encodeChunk(_ options: ParquetOptions) throws -> (bytes: [UInt8], meta: ChunkMeta) {
        var out: [UInt8] = []
        var uncompressed: Int64 = 0
        var compressed: Int64 = 0
        var dictionaryOffset: Int64?
        var valueBytes: [UInt8]
        var encoding: Int32 = 0
        if let dictionary = dictionaryEncoding() {
            dictionaryOffset = 0
            let (u, c) = try ColumnBuffer.page([dictionary.page], options, into: &out) { size, compressedSize in
                var h = ThriftWriter()
                h.i32(1, 2)  // DICTIONARY_PAGE
                h.i32(2, Int32(size))
                h.i32(3, Int32(compressedSize))
                h.structure(7) { d in
                    d.i32(1, Int32(dictionary.count))
                    d.i32(2, 0)  // PLAIN
                }
                h.stop()
                return h.bytes
            }
            uncompressed += u
            compressed += c
            valueBytes = dictionary.indices
            encoding = 8
        } else {
            valueBytes = plainValues()
        }
        let dataOffset = Int64(out.count)
        var payload: [[UInt8]] = []
        if column.optional {
            let levels = RLE.encode(definitionLevels, bitWidth: 1)
            payload.append(withUnsafeBytes(of: UInt32(levels.count).littleEndian) { Array($0) })
            payload.append(levels)
        }
        payload.append(valueBytes)
        let count = self.count
        let (u, c) = try ColumnBuffer.page(payload, options, into: &out) { size, compressedSize in
            var h = ThriftWriter()
            h.i32(1, 0)  // DATA_PAGE
            h.i32(2, Int32(size))
            h.i32(3, Int32(compressedSize))
            h.structure(5) { d in
                d.i32(1, Int32(count))  // nulls included
                d.i32(2, encoding)
                d.i32(3, 3)  // RLE definition levels
                d.i32(4, 3)  // RLE repetition levels (none written: flat schema)
            }
            h.stop()
            return h.bytes
        }
        uncompressed += u
        compressed += c
        let meta = ChunkMeta(name: column.name, physicalType: physicalType, values: Int64(count), dataOffset: dataOffset,
                             dictionaryOffset: dictionaryOffset, uncompressedSize: uncompressed, compressedSize: compressed,
                             statistics: options.statistics ? statistics : nil)
        return (out, meta)
    }

    /// Appends header + (compressed) payload, given in pieces; returns the sizes including the
    /// header, as the column metadata must count them.
    private static func page(_ payload: [[UInt8]], _ options: ParquetOptions, into out: inout [UInt8],
                             header: (Int, Int) -> [UInt8]) throws -> (Int64, Int64) {
        let size = payload.reduce(0) { $0 + $1.count }
        let body: [UInt8]
        switch options.codec {
        case .uncompressed: body = concatenated(payload)
        case .gzip: body = try Gzip.compress(payload, level: options.gzipLevel)
        case .snappy: body = try Snappy.compress(payload)
        }
        let head = header(size, body.count)
        out += head
        out += body
        return (Int64(head.count + size), Int64(head.count + body.count))
    }

    func plainValues() -> [UInt8] {
        var out: [UInt8] = []
        switch column.kind {
        case .int32:
            out.reserveCapacity(ints.count * 4)
            for n in ints { withUnsafeBytes(of: Int32(n).littleEndian) { out += $0 } }
        case .int64, .timestampMicrosUTC:
            #if _endian(little)
            ints.withUnsafeBytes { out += $0 }  // already PLAIN's little-endian layout
            #else
            out.reserveCapacity(ints.count * 8)
            for n in ints { withUnsafeBytes(of: n.littleEndian) { out += $0 } }
            #endif
        case .double:
            out.reserveCapacity(doubles.count * 8)
            for d in doubles { withUnsafeBytes(of: d.bitPattern.littleEndian) { out += $0 } }
        case .boolean:
            out = [UInt8](repeating: 0, count: (bools.count + 7) / 8)
            for (i, b) in bools.enumerated() where b { out[i / 8] |= 1 << (i % 8) }
        case .string:
            out.reserveCapacity(strings.bytes.count + 4 * stringCount)
            forEachString { ParquetPlain.appendByteArray($0, to: &out) }
        }
        return out
    }

    struct Dictionary {
        let page: [UInt8]
        let count: Int
        /// Bit width byte + RLE runs of the non-null values' indices.
        let indices: [UInt8]
    }

    /// Dictionary encoding for a column asked to have one, unless the dictionary would hold more
    /// than 65,536 values or not be smaller than the plain values.
    func dictionaryEncoding() -> Dictionary? {
        guard column.dictionary else { return nil }
        switch column.kind {
        case .string:
            guard dictionary.count <= 65_536 else { return nil }
            var page: [UInt8] = []
            for id in 0..<dictionary.count { dictionary.values.withValue(id) { ParquetPlain.appendByteArray($0, to: &page) } }
            let width = ColumnBuffer.bitWidth(dictionary.count)
            return Dictionary(page: page, count: dictionary.count, indices: [UInt8(width)] + RLE.encode(dictionaryIndices, bitWidth: width))
        case .int32, .int64:
            // Counts repeat a few hundred values over a province: indices of 10 bits or so
            // instead of 8 bytes a value, and far less for zlib to read.
            var index = IntegerIndex()
            var indices = [UInt32]()
            indices.reserveCapacity(ints.count)
            for value in ints {
                guard let id = index.id(of: value), id < 65_536 else { return nil }
                indices.append(id)
            }
            let size = column.kind == .int32 ? 4 : 8
            let width = ColumnBuffer.bitWidth(index.values.count)
            guard index.values.count * size + (ints.count * width + 7) / 8 < ints.count * size else { return nil }
            var page: [UInt8] = []
            page.reserveCapacity(index.values.count * size)
            for value in index.values {
                if size == 4 { withUnsafeBytes(of: Int32(value).littleEndian) { page += $0 } } else { withUnsafeBytes(of: value.littleEndian) { page += $0 } }
            }
            return Dictionary(page: page, count: index.values.count, indices: [UInt8(width)] + RLE.encode(indices, bitWidth: width))
        default:
            return nil
        }
    }

    /// Bits for indices into a dictionary of `count` values.
    static func bitWidth(_ count: Int) -> Int { count <= 1 ? 0 : Int.bitWidth - (count - 1).leadingZeroBitCount }

    /// Min and max in the column's sort order: signed for numbers, unsigned bytes for strings.
    var statistics: ColumnStatistics {
        let nulls = Int64(self.nulls)
        func bytes<T>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }
        switch column.kind {
        case .int32:
            guard let lo = ints.min(), let hi = ints.max() else { return ColumnStatistics(nulls: nulls, min: nil, max: nil) }
            return ColumnStatistics(nulls: nulls, min: bytes(Int32(lo).littleEndian), max: bytes(Int32(hi).littleEndian))
        case .int64, .timestampMicrosUTC:
            guard let lo = ints.min(), let hi = ints.max() else { return ColumnStatistics(nulls: nulls, min: nil, max: nil) }
            return ColumnStatistics(nulls: nulls, min: bytes(lo.littleEndian), max: bytes(hi.littleEndian))
        case .double:
            guard let lo = doubles.min(), let hi = doubles.max() else { return ColumnStatistics(nulls: nulls, min: nil, max: nil) }
            // -0.0 and +0.0 compare equal: the spec asks writers to widen the bounds over both.
            let low = lo == 0 ? -0.0 : lo, high = hi == 0 ? 0.0 : hi
            return ColumnStatistics(nulls: nulls, min: bytes(low.bitPattern.littleEndian), max: bytes(high.bitPattern.littleEndian))
        case .boolean:
            guard !bools.isEmpty else { return ColumnStatistics(nulls: nulls, min: nil, max: nil) }
            return ColumnStatistics(nulls: nulls, min: [bools.allSatisfy { $0 } ? 1 : 0], max: [bools.contains(true) ? 1 : 0])
        case .string:
            guard stringCount > 0 else { return ColumnStatistics(nulls: nulls, min: nil, max: nil) }
            // For a dictionary column the distinct values decide min and max.
            let values = column.dictionary ? dictionary.values : strings
            var lo = 0, hi = 0
            values.withValues { value in
                for index in 1..<values.count {
                    if ByteStrings.order(value(index), value(lo)) < 0 { lo = index }
                    if ByteStrings.order(value(index), value(hi)) > 0 { hi = index }
                }
            }
            return ColumnStatistics(nulls: nulls, min: values.withValue(lo) { Array($0) }, max: values.withValue(hi) { Array($0) })
        }
    }
}

/// Distinct integers in first-seen order, found by an open-addressing hash table.
struct IntegerIndex {
    private(set) var values: [Int64] = []
    private var slots = [Int32](repeating: -1, count: 1024)

    /// The value's index, added if new.
    mutating func id(of value: Int64) -> UInt32? {
        var mask = slots.count - 1
        var slot = IntegerIndex.slot(value, mask)
        while slots[slot] >= 0 {
            if values[Int(slots[slot])] == value { return UInt32(slots[slot]) }
            slot = (slot + 1) & mask
        }
        let id = Int32(values.count)
        values.append(value)
        slots[slot] = id
        if values.count * 2 > slots.count {
            slots = [Int32](repeating: -1, count: slots.count * 2)
            mask = slots.count - 1
            for (id, value) in values.enumerated() {
                var slot = IntegerIndex.slot(value, mask)
                while slots[slot] >= 0 { slot = (slot + 1) & mask }
                slots[slot] = Int32(id)
            }
        }
        return UInt32(id)
    }

    private static func slot(_ value: Int64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: value) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }
}

enum ParquetPlain {
    static func appendByteArray(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { out += $0 }
        out += bytes
    }
}

/// The RLE/bit-packing hybrid (definition levels and dictionary indices): a run of 8 or more
/// equal values is one RLE run; other values are bit-packed in groups of 8. Bit-packing keeps
/// high-entropy indices (vote counts) at their bit width instead of a header and whole bytes
/// per value.
enum RLE {
    static func encode<T: BinaryInteger>(_ values: [T], bitWidth: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(values.count * max(bitWidth, 1) / 8 + 16)
        var literalStart = 0  // values[literalStart..<index] wait to be bit-packed
        var index = 0
        while index < values.count {
            var end = index + 1
            while end < values.count && values[end] == values[index] && end - index < (1 << 30) { end += 1 }
            if end - index >= 8 {
                // Bit-packed runs hold whole groups of 8: fill the pending group from this run.
                var start = index
                let pending = (index - literalStart) % 8
                if pending > 0 { start += 8 - pending }
                if start > literalStart { bitPack(values[literalStart..<start], bitWidth: bitWidth, into: &out) }
                if end > start { run(values[start], count: end - start, bitWidth: bitWidth, into: &out) }
                literalStart = end
            }
            index = end
        }
        if literalStart < values.count { bitPack(values[literalStart...], bitWidth: bitWidth, into: &out) }
        return out
    }

    private static func varint(_ value: UInt64, into out: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
    }

    private static func run<T: BinaryInteger>(_ value: T, count: Int, bitWidth: Int, into out: inout [UInt8]) {
        varint(UInt64(count) << 1, into: &out)
        var value = UInt64(value)
        for _ in 0..<((bitWidth + 7) / 8) {
            out.append(UInt8(value & 0xFF))
            value >>= 8
        }
    }

    /// Values packed least significant bit first, in groups of 8; a last group short of 8 is
    /// padded with zeros (readers stop at the page's value count).
    private static func bitPack<T: BinaryInteger>(_ values: ArraySlice<T>, bitWidth: Int, into out: inout [UInt8]) {
        let groups = (values.count + 7) / 8
        varint(UInt64(groups) << 1 | 1, into: &out)
        guard bitWidth > 0 else { return }
        // Exactly `groups * bitWidth` bytes (8 values of `bitWidth` bits per group), written in
        // place: an append per byte checked the array's uniqueness and capacity each time.
        let start = out.count
        let size = groups * bitWidth
        out.append(contentsOf: repeatElement(0, count: size))
        out.withUnsafeMutableBufferPointer { bytes in
            var position = start
            var buffer: UInt64 = 0
            var bits = 0
            for value in values {
                buffer |= UInt64(value) << bits
                bits &+= bitWidth
                while bits >= 8 {
                    bytes[position] = UInt8(truncatingIfNeeded: buffer)
                    position &+= 1
                    buffer >>= 8
                    bits &-= 8
                }
            }
            // Padding values are zeros: so are their bits, and the bytes are zeros already.
            if bits > 0 { bytes[position] = UInt8(truncatingIfNeeded: buffer) }
        }
    }
}

/// GZIP (RFC 1952) through the system zlib: Parquet's GZIP codec is a gzip member, not a zlib stream.
enum Gzip {
    /// One gzip member of the pieces, back to back.
    static func compress(_ pieces: [[UInt8]], level: Int32) throws -> [UInt8] {
        var stream = z_stream()
        guard czlib_deflate_init_gzip(&stream, level) == Z_OK else { throw ParquetError(description: "zlib init failed") }
        defer { deflateEnd(&stream) }
        let total = pieces.reduce(0) { $0 + $1.count }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(total))) + 64 * (pieces.count + 1))
        var produced = 0
        for (index, piece) in pieces.enumerated() {
            let flush = index == pieces.count - 1 ? Z_FINISH : Z_NO_FLUSH
            let status = piece.withUnsafeBytes { source in
                output.withUnsafeMutableBytes { target in
                    stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: Bytef.self))
                    stream.avail_in = uInt(source.count)
                    stream.next_out = target.baseAddress!.assumingMemoryBound(to: Bytef.self) + produced
                    stream.avail_out = uInt(target.count - produced)
                    let status = deflate(&stream, flush)
                    produced = target.count - Int(stream.avail_out)
                    return status
                }
            }
            let expected = flush == Z_FINISH ? Z_STREAM_END : Z_OK
            guard status == expected, stream.avail_in == 0 else { throw ParquetError(description: "zlib deflate failed (\(status))") }
        }
        if pieces.isEmpty { return try compress([[]], level: level) }
        output.removeSubrange(produced...)
        return output
    }
}

/// A page's pieces back to back, copied a piece at a time (`Array(pieces.joined())` copies a
/// byte at a time).
private func concatenated(_ pieces: [[UInt8]]) -> [UInt8] {
    if pieces.count == 1 { return pieces[0] }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(pieces.reduce(0) { $0 + $1.count })
    for piece in pieces { bytes += piece }
    return bytes
}

/// SNAPPY through the system libsnappy: Parquet's SNAPPY codec is one raw Snappy block per page
/// (no framing format).
enum Snappy {
    static func compress(_ pieces: [[UInt8]]) throws -> [UInt8] {
        // Snappy compresses one contiguous buffer.
        let input = concatenated(pieces)
        // The empty block is its length alone, a varint 0.
        guard !input.isEmpty else { return [0] }
        var length = snappy_max_compressed_length(input.count)
        var output = [UInt8](repeating: 0, count: length)
        let status = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { target in
                snappy_compress(source.baseAddress!.assumingMemoryBound(to: CChar.self), source.count,
                                target.baseAddress!.assumingMemoryBound(to: CChar.self), &length)
            }
        }
        guard status == SNAPPY_OK else { throw ParquetError(description: "snappy compression failed (\(status.rawValue))") }
        output.removeSubrange(length...)
        return output
    }
}
