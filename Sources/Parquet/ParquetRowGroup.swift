import Foundation

/// The rows of one row group, buffered per column until `encode` turns them into pages.
///
/// Rows are added either whole (`append(_:)`, checked before anything is stored) or a value at
/// a time with the typed appends followed by `endRow()`, which is how the national TPS table is
/// written: straight from the store's bytes, with no value or string made per cell.
public struct ParquetRowGroup {
    public let columns: [ParquetColumn]
    var buffers: [ColumnBuffer]
    public private(set) var rows = 0
    /// Each column's kind and whether it takes nulls, apart from its name: checking a value
    /// then copies no string.
    private let kinds: [(kind: ParquetColumn.Kind, optional: Bool)]

    /// `capacity`: rows expected, so that the buffers grow once rather than by doubling.
    public init(columns: [ParquetColumn], capacity: Int = 0) {
        self.columns = columns
        buffers = columns.map { ColumnBuffer(column: $0, capacity: capacity) }
        kinds = columns.map { ($0.kind, $0.optional) }
    }

    public var isEmpty: Bool { rows == 0 }

    /// Empties the group for the next rows, keeping its memory: a writer making many row
    /// groups one after another then does not allocate (and fault in) its buffers again.
    public mutating func removeAll() {
        for index in buffers.indices { buffers[index].removeAll() }
        rows = 0
    }

    /// Adds a whole row; nothing is stored when any value does not fit its column.
    public mutating func append(_ row: [ParquetValue]) throws {
        guard row.count == columns.count else {
            throw ParquetError(description: "a row of \(row.count) values for \(columns.count) columns")
        }
        for index in row.indices { try buffers[index].check(row[index]) }
        for index in row.indices {
            switch row[index] {
            case .null: buffers[index].appendNull()
            case .int(let n): buffers[index].append(int: n)
            case .double(let d): buffers[index].append(double: d)
            case .bool(let b): buffers[index].append(bool: b)
            case .string(let s):
                var s = s
                s.withUTF8 { buffers[index].append(utf8: $0) }
            }
        }
        rows += 1
    }

    // Typed appends: one value into one column; `endRow()` checks every column got exactly one.

    public mutating func appendNull(_ column: Int) throws {
        guard kinds[column].optional else { throw ParquetError(description: "null in required column \(columns[column].name)") }
        buffers[column].appendNull()
    }

    public mutating func append(_ column: Int, int value: Int64) throws {
        switch kinds[column].kind {
        case .int64, .timestampMicrosUTC: break
        case .int32 where value >= Int64(Int32.min) && value <= Int64(Int32.max): break
        default: throw ParquetError(description: "\(value) does not fit the column \(columns[column].name)")
        }
        buffers[column].append(int: value)
    }

    /// Integers (nil: null) into the consecutive columns from `column`, one value each: a row's
    /// run of counts in one call. Nothing is stored when a value does not fit its column.
    public mutating func append(_ column: Int, ints values: [Int?]) throws {
        guard column >= 0, column + values.count <= columns.count else {
            throw ParquetError(description: "\(values.count) values from column \(column) of \(columns.count)")
        }
        for (offset, value) in values.enumerated() {
            let target = kinds[column + offset]
            switch (target.kind, value) {
            case (_, nil) where target.optional, (.int64, _?), (.timestampMicrosUTC, _?): break
            case (.int32, let value?) where value >= Int(Int32.min) && value <= Int(Int32.max): break
            default:
                throw ParquetError(description: "\(value.map(String.init) ?? "null") does not fit the column \(columns[column + offset].name)")
            }
        }
        buffers.withUnsafeMutableBufferPointer { buffers in
            for (offset, value) in values.enumerated() {
                if let value { buffers[column + offset].append(int: Int64(value)) } else { buffers[column + offset].appendNull() }
            }
        }
    }

    /// The previous row's values again in the columns of `range`, which have none yet in this
    /// row (the names of a village's ancestors, say, while its TPS follow one another): no
    /// dictionary lookup or copy of the bytes.
    public mutating func repeatPrevious(_ range: Range<Int>) throws {
        guard rows > 0 else { throw ParquetError(description: "no previous row to repeat") }
        guard range.lowerBound >= 0, range.upperBound <= columns.count else {
            throw ParquetError(description: "columns \(range) of \(columns.count)")
        }
        for column in range where buffers[column].count != rows {
            throw ParquetError(description: "column \(columns[column].name) has a value in this row already")
        }
        let previous = rows - 1
        buffers.withUnsafeMutableBufferPointer { buffers in
            for column in range { buffers[column].repeatValue(ofRow: previous) }
        }
    }

    public mutating func append(_ column: Int, bool value: Bool) throws {
        guard kinds[column].kind == .boolean else { throw ParquetError(description: "\(value) does not fit the column \(columns[column].name)") }
        buffers[column].append(bool: value)
    }

    public mutating func append(_ column: Int, double value: Double) throws {
        guard kinds[column].kind == .double, !value.isNaN else {
            throw ParquetError(description: "\(value) does not fit the column \(columns[column].name)")
        }
        buffers[column].append(double: value)
    }

    /// A string as UTF-8 bytes (copied; the pointer need only live for the call).
    public mutating func append(_ column: Int, utf8 value: UnsafeBufferPointer<UInt8>) throws {
        guard kinds[column].kind == .string else { throw ParquetError(description: "text does not fit the column \(columns[column].name)") }
        buffers[column].append(utf8: value)
    }

    public mutating func append(_ column: Int, string value: String) throws {
        var value = value
        try value.withUTF8 { try append(column, utf8: $0) }
    }

    /// Ends a row of typed appends.
    public mutating func endRow() throws {
        rows += 1
        for buffer in buffers where buffer.count != rows {
            throw ParquetError(description: "row \(rows) has \(buffer.count - rows + 1) values in column \(buffer.column.name), not 1")
        }
    }
}

/// The values of one column in a row group.
///
/// Strings are kept as one contiguous byte buffer with end offsets, not an array per value: a
/// province's row group holds up to 140,000 rows, and an allocation per string cell was most of
/// the writer's memory. Dictionary columns keep only the distinct values and one index per row.
struct ColumnBuffer {
    let column: ParquetColumn
    /// The rows (in order) whose value is null: far fewer than the values, so a row costs
    /// nothing here unless it is null. The definition levels are made from them when encoding.
    var nullRows: [Int] = []
    var ints: [Int64] = []
    var doubles: [Double] = []
    var bools: [Bool] = []
    /// Non-dictionary strings: their bytes back to back, and where each one ends.
    var strings = ByteStrings()
    /// Dictionary strings: distinct values in first-seen order, and each row's index.
    var dictionary = ByteDictionary()
    var dictionaryIndices: [UInt32] = []
    var count = 0
    var nulls: Int { nullRows.count }

    init(column: ParquetColumn, capacity: Int = 0) {
        self.column = column
        guard capacity > 0 else { return }
        switch column.kind {
        case .int32, .int64, .timestampMicrosUTC: ints.reserveCapacity(capacity)
        case .double: doubles.reserveCapacity(capacity)
        case .boolean: bools.reserveCapacity(capacity)
        case .string where column.dictionary: dictionaryIndices.reserveCapacity(capacity)
        case .string: strings.reserveCapacity(capacity)
        }
    }

    var physicalType: Int32 { column.kind.physicalType }

    /// Number of non-null strings held.
    var stringCount: Int { column.dictionary ? dictionaryIndices.count : strings.count }

    /// Whether `value` fits this column, without storing it.
    func check(_ value: ParquetValue) throws {
        switch (column.kind, value) {
        case (_, .null):
            guard column.optional else { throw ParquetError(description: "null in required column \(column.name)") }
        case (.int32, .int(let n)):
            guard n >= Int64(Int32.min) && n <= Int64(Int32.max) else {
                throw ParquetError(description: "\(n) does not fit the INT32 column \(column.name)")
            }
        case (.int64, .int), (.timestampMicrosUTC, .int), (.boolean, .bool), (.string, .string): break
        case (.double, .double(let d)):
            guard !d.isNaN else { throw ParquetError(description: "NaN in column \(column.name)") }
        default: throw ParquetError(description: "\(value) does not fit the column \(column.name)")
        }
    }

    mutating func removeAll() {
        nullRows.removeAll(keepingCapacity: true)
        ints.removeAll(keepingCapacity: true)
        doubles.removeAll(keepingCapacity: true)
        bools.removeAll(keepingCapacity: true)
        strings.removeAll()
        dictionary.removeAll()
        dictionaryIndices.removeAll(keepingCapacity: true)
        count = 0
    }

    mutating func appendNull() {
        nullRows.append(count)
        count += 1
    }

    private mutating func present() {
        count += 1
    }

    /// Appends the value of row `row`, which must be this column's last (null if it was null).
    mutating func repeatValue(ofRow row: Int) {
        precondition(row == count - 1, "only the last row repeats")
        if nullRows.last == row {
            appendNull()
            return
        }
        present()
        switch column.kind {
        case .int32, .int64, .timestampMicrosUTC: ints.append(ints[ints.count - 1])
        case .double: doubles.append(doubles[doubles.count - 1])
        case .boolean: bools.append(bools[bools.count - 1])
        case .string where column.dictionary: dictionaryIndices.append(dictionaryIndices[dictionaryIndices.count - 1])
        case .string: strings.repeatLast()
        }
    }

    /// 1 for each value present, 0 for each null, in row order.
    var definitionLevels: [UInt8] {
        var levels = [UInt8](repeating: 1, count: count)
        for row in nullRows { levels[row] = 0 }
        return levels
    }

    mutating func append(int value: Int64) {
        present()
        ints.append(value)
    }

    mutating func append(double value: Double) {
        present()
        doubles.append(value)
    }

    mutating func append(bool value: Bool) {
        present()
        bools.append(value)
    }

    mutating func append(utf8 value: UnsafeBufferPointer<UInt8>) {
        present()
        if column.dictionary {
            dictionaryIndices.append(dictionary.id(of: value))
        } else {
            strings.append(value)
        }
    }

    /// Calls `body` with each non-null string, in row order.
    func forEachString(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        if column.dictionary {
            for index in dictionaryIndices { dictionary.values.withValue(Int(index), body) }
        } else {
            for index in 0..<strings.count { strings.withValue(index, body) }
        }
    }
}

/// Byte strings stored back to back with their end offsets.
struct ByteStrings {
    private(set) var bytes: [UInt8] = []
    private(set) var ends: [Int] = []

    var count: Int { ends.count }

    mutating func reserveCapacity(_ values: Int) { ends.reserveCapacity(values) }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    /// Appends the last value again.
    mutating func repeatLast() {
        let start = ends.count < 2 ? 0 : ends[ends.count - 2]
        let end = ends[ends.count - 1]
        // Through a copy of the value: appending a slice of the array to itself would copy the
        // whole array first.
        let value = Array(bytes[start..<end])
        bytes.append(contentsOf: value)
        ends.append(bytes.count)
    }

    mutating func append(_ value: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: value)
        ends.append(bytes.count)
    }

    func withValue<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let start = index == 0 ? 0 : ends[index - 1]
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<ends[index]])) }
    }

    /// Calls `body` with a function from index to value, valid inside `body`: for passes over
    /// many values without a closure call per value.
    func withValues<R>(_ body: ((Int) -> UnsafeBufferPointer<UInt8>) -> R) -> R {
        bytes.withUnsafeBufferPointer { all in
            ends.withUnsafeBufferPointer { ends in
                body { index in
                    let start = index == 0 ? 0 : ends[index - 1]
                    return UnsafeBufferPointer(rebasing: all[start..<ends[index]])
                }
            }
        }
    }

    /// Unsigned byte order, as Parquet orders strings: negative, zero or positive.
    static func order(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let shared = min(a.count, b.count)
        if shared > 0 {
            let order = memcmp(a.baseAddress!, b.baseAddress!, shared)
            if order != 0 { return Int(order) }
        }
        return a.count - b.count
    }
}

/// Distinct byte strings in first-seen order, looked up by an open-addressing hash table.
///
/// Swift's `Dictionary` keyed by `[UInt8]` hashes a byte at a time and needs an array per
/// lookup; this hashes the bytes in place (FNV-1a) and keeps the values contiguous. Rows come
/// in code order, so the same name often repeats: the last value is checked first.
struct ByteDictionary {
    private(set) var values = ByteStrings()
    private var slots = [Int32](repeating: -1, count: 1024)
    private var last: Int32 = -1

    var count: Int { values.count }

    mutating func removeAll() {
        values.removeAll()
        for index in slots.indices { slots[index] = -1 }
        last = -1
    }

    mutating func id(of value: UnsafeBufferPointer<UInt8>) -> UInt32 {
        if last >= 0, values.withValue(Int(last), { ByteDictionary.equal($0, value) }) { return UInt32(last) }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: ByteDictionary.hash(value)) & mask
        while slots[slot] >= 0 {
            let id = slots[slot]
            if values.withValue(Int(id), { ByteDictionary.equal($0, value) }) {
                last = id
                return UInt32(id)
            }
            slot = (slot + 1) & mask
        }
        let id = Int32(values.count)
        values.append(value)
        slots[slot] = id
        last = id
        if values.count * 2 > slots.count { grow() }
        return UInt32(id)
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for id in 0..<values.count {
            var slot = Int(truncatingIfNeeded: values.withValue(id, ByteDictionary.hash)) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(id)
        }
    }

    /// FNV-1a, 64 bits.
    private static func hash(_ value: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in value { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    private static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
    }
}
