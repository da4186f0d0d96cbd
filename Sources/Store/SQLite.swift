import CSQLite
import Foundation

/// A failure reported by SQLite, with the statement or file it concerned.
public struct SQLiteError: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public var description: String { "SQLite error \(code): \(message)" }
}

// SQLite's SQLITE_TRANSIENT is a macro Swift cannot import: it tells SQLite to copy bound bytes.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A thin wrapper over the system libsqlite3 C API: one connection, used from one thread.
final class Database {
    let handle: OpaquePointer
    let path: String
    private var cache: [String: Statement] = [:]

    /// Set once, before the first connection initializes SQLite (a global setting).
    private static let configured: Void = { _ = csqlite_disable_memory_statistics() }()

    init(path: String, readOnly: Bool = false) throws {
        Database.configured
        var db: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close(db) }
            throw SQLiteError(code: rc, message: "\(path): \(message)")
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, 10_000)
    }

    deinit {
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(error)
            throw SQLiteError(code: rc, message: message)
        }
    }

    /// A prepared statement, kept for reuse: the import runs the same few statements millions of times.
    func statement(_ sql: String) throws -> Statement {
        if let cached = cache[sql] {
            cached.reset()
            return cached
        }
        let statement = try Statement(database: self, sql: sql)
        cache[sql] = statement
        return statement
    }

    /// Runs `body` in one transaction: all of it is written, or (on a throw or a crash) none of it.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    var changes: Int { Int(sqlite3_changes(handle)) }
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    fileprivate func error(_ rc: Int32, _ sql: String) -> SQLiteError {
        SQLiteError(code: rc, message: "\(String(cString: sqlite3_errmsg(handle))) in: \(sql.prefix(200))")
    }
}

/// A value bound to, or read from, a statement.
enum SQLValue: Equatable {
    case null
    case int(Int64)
    case text(String)
    case double(Double)
}

final class Statement {
    let pointer: OpaquePointer
    private unowned let database: Database
    let sql: String

    init(database: Database, sql: String) throws {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(database.handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw database.error(rc, sql) }
        self.pointer = statement
        self.database = database
        self.sql = sql
    }

    deinit { sqlite3_finalize(pointer) }

    func reset() {
        sqlite3_reset(pointer)
        sqlite3_clear_bindings(pointer)
    }

    @discardableResult
    func bind(_ values: [SQLValue]) throws -> Statement {
        for (offset, value) in values.enumerated() { try bind(value, at: Int32(offset + 1)) }
        return self
    }

    /// Binds one value, copied (SQLITE_TRANSIENT): it stays valid however long the statement keeps it.
    private func bind(_ value: SQLValue, at index: Int32) throws {
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(pointer, index)
        case .int(let number): rc = sqlite3_bind_int64(pointer, index, number)
        case .double(let number): rc = sqlite3_bind_double(pointer, index, number)
        case .text(var text):
            // From the string's own UTF-8 with its length: no C string made, no strlen. An
            // empty text has no storage to point at (and a nil pointer would bind NULL).
            rc = text.isEmpty ? sqlite3_bind_text(pointer, index, "", 0, transient) : text.withUTF8 { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    sqlite3_bind_text(pointer, index, chars.baseAddress, Int32(chars.count), transient)
                }
            }
        }
        guard rc == SQLITE_OK else { throw database.error(rc, sql) }
    }

    /// Runs a statement that returns no rows. Its texts are bound where they are, not copied
    /// (the import binds a kilobyte or so per file): each value is bound inside the call that
    /// lends its bytes, and the statement runs inside the last.
    func run(_ values: [SQLValue] = []) throws {
        // Cleared on the way out, after a failed bind too: SQLite only reads the lent bytes while
        // the statement steps, inside the calls that lend them, and never a binding left over.
        defer { sqlite3_clear_bindings(pointer) }
        try withBindings(values, from: 0) {
            let rc = sqlite3_step(pointer)
            defer { sqlite3_reset(pointer) }  // after the error below has read SQLite's message
            guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw database.error(rc, sql) }
        }
    }

    private func withBindings(_ values: [SQLValue], from offset: Int, _ body: () throws -> Void) throws {
        guard offset < values.count else { return try body() }
        let index = Int32(offset + 1)
        if case .text(var text) = values[offset], !text.isEmpty {
            try text.withUTF8 { bytes in
                // A nil destructor is SQLITE_STATIC: SQLite reads the bytes in place until the bindings change.
                let rc = bytes.withMemoryRebound(to: CChar.self) { chars in
                    sqlite3_bind_text(pointer, index, chars.baseAddress, Int32(chars.count), nil)
                }
                guard rc == SQLITE_OK else { throw database.error(rc, sql) }
                try withBindings(values, from: offset + 1, body)
            }
        } else {
            try bind(values[offset], at: index)
            try withBindings(values, from: offset + 1, body)
        }
    }

    /// Steps to the next row; false at the end.
    func step() throws -> Bool {
        let rc = sqlite3_step(pointer)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw database.error(rc, sql)
    }

    /// Every row, each read by `read`.
    func rows<T>(_ values: [SQLValue] = [], _ read: (Statement) throws -> T) throws -> [T] {
        try bind(values)
        var result: [T] = []
        while try step() { result.append(try read(self)) }
        sqlite3_reset(pointer)
        return result
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(pointer, column) == SQLITE_NULL }
    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(pointer, column)) }
    func optionalInt(_ column: Int32) -> Int? { isNull(column) ? nil : int(column) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(pointer, column) }

    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(pointer, column) else { return "" }
        let count = Int(sqlite3_column_bytes(pointer, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
}

extension SQLValue {
    static func optional(_ text: String?) -> SQLValue { text.map(SQLValue.text) ?? .null }
    static func optional(_ number: Int?) -> SQLValue { number.map { .int(Int64($0)) } ?? .null }
    static func int(_ number: Int) -> SQLValue { .int(Int64(number)) }
    static func bool(_ flag: Bool) -> SQLValue { .int(flag ? 1 : 0) }
}
