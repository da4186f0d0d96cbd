import Crypto
import Dispatch
import Foundation
import SirekapFormat

/// What an import did, counted per saved file.
public struct ImportSummary: Equatable, Sendable {
    /// Presidential (`ppwp`) files read: region lists, aggregates and TPS results.
    public var files = 0
    /// Files whose content the store did not hold: a new version of their node.
    public var newVersions = 0
    /// Files whose content was held already but from other bytes or another place: provenance added.
    public var newCopies = 0
    /// Files imported before, byte for byte from the same place: nothing to do.
    public var unchanged = 0
    /// Files refused whole, each reported with its reason.
    public var rejected = 0
    /// Files of other contests or API parts, per folder (`pemilu/hhcw/pdpd`): skipped.
    public var skipped: [String: Int] = [:]
    /// Files that are not at a Sirekap API path at all (a README in the mirror, say).
    public var ignored = 0

    public init() {}
}

/// Something the caller should tell the user while an import runs.
public enum ImportEvent: Sendable {
    /// A file refused whole. `file` is the path as given on the command line plus the relative path.
    case rejected(file: String, reason: String)
    /// The first file of another contest's folder; the rest of that folder is skipped silently.
    case skippedFolder(name: String, firstFile: String)
    /// Sent after every batch.
    case progress(ImportSummary)
}

public enum ImportError: Error, CustomStringConvertible {
    case notAFolder(String)

    public var description: String {
        switch self {
        case .notAFolder(let path): "\(path): not a folder (a root is a folder laid out like sirekap-obj-data.kpu.go.id)"
        }
    }
}

/// Reads mirrors of the Sirekap API into the store.
///
/// Files are read, hashed and parsed in parallel, a batch at a time, and each batch is written in
/// one transaction: an import killed at any point leaves only whole files in the store, and running
/// it again picks up where it stopped (files already held are recognised by content and source).
public struct Importer {
    public let store: Store
    /// Stamped on every provenance record of this run (ISO 8601, UTC).
    public let importedAt: String
    /// When the mirrors were downloaded from KPU (ISO 8601, UTC), if known.
    public var retrievedAt: String?
    public var batchSize = 512

    public init(store: Store, importedAt: String, retrievedAt: String? = nil) {
        self.store = store
        self.importedAt = importedAt
        self.retrievedAt = retrievedAt
    }

    public func run(roots: [String], onEvent: (ImportEvent) -> Void = { _ in }) throws -> ImportSummary {
        let resolved = try roots.map { root -> (given: String, absolute: String) in
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue else {
                throw ImportError.notAFolder(root)
            }
            let absolute = URL(fileURLWithPath: root).standardizedFileURL.path
            return (root, absolute)
        }
        let db = store.db
        try db.statement("INSERT INTO import_run(started_at, roots) VALUES (?, ?)")
            .run([.text(importedAt), .text(resolved.map(\.absolute).joined(separator: "\n"))])
        let runID = Int(db.lastInsertRowID)

        var summary = ImportSummary()
        var announced = Set<String>()
        for root in resolved {
            // Files are examined (path, bytes, hashes, parse) on all cores a batch at a time; each
            // batch is written here, in walk order, while the next one is examined.
            var examining: (group: DispatchGroup, results: ExaminedBatch)?
            // A write that fails must not leave workers reading files after the import returned.
            defer { examining?.group.wait() }
            func submit(_ batch: [FileWalker.File]) throws {
                let previous = examining
                examining = nil
                if !batch.isEmpty {
                    let group = DispatchGroup()
                    let results = ExaminedBatch()
                    DispatchQueue.global().async(group: group) { results.files = Importer.examineAll(batch) }
                    examining = (group, results)
                }
                if let previous {
                    previous.group.wait()
                    try writeBatch(previous.results.files, root: root, runID: runID, summary: &summary,
                                   announced: &announced, onEvent: onEvent)
                    // Freeing a batch's bytes and parsed results is a tenth of this thread's work,
                    // and this thread bounds the import: another thread does it.
                    let done = previous.results
                    DispatchQueue.global().async { done.files = [] }
                }
            }
            // The walk runs on a thread of its own: this thread's time goes to SQLite, which
            // bounds the import's speed.
            let walk = WalkedBatches(root: root.absolute, batchSize: batchSize)
            defer { walk.cancel() }
            while let batch = walk.next() { try submit(batch) }
            try submit([])
        }
        try db.statement("""
            UPDATE import_run SET finished_at = ?, files = ?, new_versions = ?, new_copies = ?, unchanged = ?, rejected = ?
            WHERE id = ?
            """).run([.text(importedAt), .int(summary.files), .int(summary.newVersions), .int(summary.newCopies),
                      .int(summary.unchanged), .int(summary.rejected), .int(runID)])
        return summary
    }

    // MARK: Parsing (parallel, no store access)

    enum Content {
        case regions(RegionList)
        case aggregate(RegionCode?, Aggregate)
        case tps(RegionCode, TPSResult, TPSColumns)
    }

    /// The canonical JSON of a TPS result's parts, as the store's columns keep them.
    struct TPSColumns {
        let chart: String?
        let images: String
        let administrasi: String?
    }

    /// What a worker made of one file the walk found; acted on in walk order when its batch is written.
    enum ExaminedFile {
        /// A presidential Sirekap file, read and parsed (or refused for its content).
        case parsed(ParsedFile)
        /// Its path is not a valid Sirekap path; the bytes' hash makes the rejection traceable.
        case badPath(FileWalker.File, reason: String, sha256: String)
        /// A file of another contest or API part (`pemilu/hhcw/pdpd`), skipped.
        case otherContest(FileWalker.File, name: String)
        /// Not at a Sirekap API path at all (a README in the mirror, say).
        case unrecognized
    }

    /// Batches of the files under a root, in walk order, made by a thread of their own a few
    /// batches ahead of the reader.
    final class WalkedBatches: @unchecked Sendable {
        private let condition = NSCondition()
        private var ready: [[FileWalker.File]] = []
        private var finished = false
        private var cancelled = false
        /// Batches made ahead at most: enough to never wait, few enough to keep memory flat.
        private let ahead = 4

        init(root: String, batchSize: Int) {
            let thread = Thread { [self] in
                var batch: [FileWalker.File] = []
                for file in FileWalker(root: root) {
                    batch.append(file)
                    if batch.count >= batchSize {
                        guard put(batch) else { return }
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                if !batch.isEmpty { _ = put(batch) }
                condition.lock()
                finished = true
                condition.broadcast()
                condition.unlock()
            }
            thread.start()
        }

        /// False when the reader stopped (an error): the walk ends.
        private func put(_ batch: [FileWalker.File]) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            while ready.count >= ahead && !cancelled { condition.wait() }
            guard !cancelled else { return false }
            ready.append(batch)
            condition.broadcast()
            return true
        }

        /// The next batch, or nil when the walk is done.
        func next() -> [FileWalker.File]? {
            condition.lock()
            defer { condition.unlock() }
            while ready.isEmpty && !finished { condition.wait() }
            guard !ready.isEmpty else { return nil }
            condition.broadcast()
            return ready.removeFirst()
        }

        func cancel() {
            condition.lock()
            cancelled = true
            condition.broadcast()
            condition.unlock()
        }
    }

    /// One batch's examined files, filled by the thread that examines them.
    final class ExaminedBatch: @unchecked Sendable {
        var files: [ExaminedFile] = []
    }

    /// `folder`: the file's folder, open (see `examineAll`), or -1 (it could not be opened): the
    /// file is then opened by its path.
    static func examine(_ file: FileWalker.File, in folder: Int32) -> ExaminedFile {
        let path: SourcePath
        do {
            path = try SourcePath(relativePath: file.relativePath)
        } catch {
            let bytes = (try? read(file.absolutePath))?.bytes ?? []
            return .badPath(file, reason: error.description, sha256: hex(SHA256.hash(data: bytes)))
        }
        switch path {
        case .otherContest(let name): return .otherContest(file, name: name)
        case .unrecognized: return .unrecognized
        case .regionList, .aggregate, .tpsResult: return .parsed(parse(file, path: path, in: folder))
        }
    }

    struct ParsedFile {
        let file: FileWalker.File
        let url: String
        let rawSHA256: String
        let bytes: Int
        let modified: String?
        let outcome: Result<(content: Content, canonical: String, contentSHA256: String), FormatError>
    }

    static func parse(_ file: FileWalker.File, path: SourcePath, in folder: Int32) -> ParsedFile {
        // A Sirekap path was checked to be exactly the one KPU serves (`SourcePath`), so its URL is
        // the base and the path as found: no need to build the path again.
        let url = SourcePath.apiBase + file.relativePath
        let bytes: [UInt8]
        let modifiedSeconds: Int
        do {
            (bytes, modifiedSeconds) = try folder < 0 ? read(file.absolutePath) : read(file.name, in: folder)
        } catch {
            return ParsedFile(file: file, url: url, rawSHA256: "", bytes: 0, modified: nil,
                              outcome: .failure(FormatError("cannot read the file: \(error.description)")))
        }
        let rawSHA256 = hex(SHA256.hash(data: bytes))
        let modified = KPUTimestamp.iso8601(unixSeconds: modifiedSeconds)
        let outcome = Result { () throws(FormatError) -> (Content, String, String) in
            let content: Content
            let canonical: [UInt8]
            switch path {
            case .regionList(let parent):
                let list = try RegionList.decode(bytes: bytes, parent: parent)
                content = .regions(list)
                canonical = list.canonicalEntries ?? Array(CanonicalJSON.encode(list.entries))
            case .aggregate(let code):
                let aggregate = try Aggregate.decode(Data(bytes), region: code)
                content = .aggregate(code, aggregate)
                canonical = Array(CanonicalJSON.encode(aggregate))
            case .tpsResult(let code):
                // The fast path for plainly well-formed files; `Codable` for the rest, and for
                // the precise error when a file is bad.
                let result: TPSResult
                if let fast = RawTPSParser.parse(bytes) { result = fast } else { result = try TPSResult.decode(Data(bytes)) }
                if let written = CanonicalTPS(result) {
                    content = .tps(code, result, TPSColumns(chart: written.chart, images: written.images,
                                                            administrasi: written.administrasi))
                    canonical = written.document
                } else {
                    content = .tps(code, result, TPSColumns(chart: result.chart.map(CanonicalJSON.string),
                                                            images: CanonicalJSON.string(result.images),
                                                            administrasi: result.administrasi.map(CanonicalJSON.string)))
                    canonical = Array(CanonicalJSON.encode(result))
                }
            case .otherContest, .unrecognized:
                throw FormatError("not a presidential Sirekap file")
            }
            return (content, String(decoding: canonical, as: UTF8.self), hex(SHA256.hash(data: canonical)))
        }.map { (content: $0.0, canonical: $0.1, contentSHA256: $0.2) }
        return ParsedFile(file: file, url: url, rawSHA256: rawSHA256, bytes: bytes.count, modified: modified, outcome: outcome)
    }

    struct ReadError: Error, CustomStringConvertible {
        let description: String
    }

    /// The file's bytes and its modification time (whole seconds since 1970), with one open and
    /// one fstat: Foundation's `Data(contentsOf:)` and `attributesOfItem` cost a fifth of the
    /// parse step (URL building, a second stat, an attribute dictionary per file).
    static func read(_ path: String) throws(ReadError) -> (bytes: [UInt8], modified: Int) {
        try read(opening: open(path, O_RDONLY | O_CLOEXEC))
    }

    /// The same for the file `name` in the open folder `folder`.
    static func read(_ name: Substring, in folder: Int32) throws(ReadError) -> (bytes: [UInt8], modified: Int) {
        try read(opening: openat(folder, String(name), O_RDONLY | O_CLOEXEC))
    }

    private static func read(opening fd: Int32) throws(ReadError) -> (bytes: [UInt8], modified: Int) {
        guard fd >= 0 else { throw ReadError(description: String(cString: strerror(errno))) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw ReadError(description: String(cString: strerror(errno))) }
        // One byte more than the size: the read that finds the end fits without growing the array.
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size) + 1)
        var filled = 0
        while true {
            if filled == bytes.count { bytes.append(contentsOf: repeatElement(0, count: max(4096, bytes.count))) }
            let count = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(description: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            filled += count
        }
        bytes.removeLast(bytes.count - filled)
        return (bytes, Int(status.st_mtim.tv_sec))
    }

    /// Examines files on all cores, keeping their order. The files of one folder (a village's
    /// TPS, say) go to one worker, which opens the folder once and each file by its name in it:
    /// a file opened by its full path is looked up one folder at a time, eleven names deep in a
    /// national mirror, and those lookups were a twentieth of a national import (perf, 2026-11-26).
    static func examineAll(_ files: [FileWalker.File]) -> [ExaminedFile] {
        let results = UnsafeMutableBufferPointer<ExaminedFile?>.allocate(capacity: files.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        nonisolated(unsafe) let output = results
        var runs: [Range<Int>] = []
        var start = 0
        for index in files.indices.dropFirst() where files[index].folder != files[start].folder {
            runs.append(start..<index)
            start = index
        }
        if !files.isEmpty { runs.append(start..<files.count) }
        let folderRuns = runs
        DispatchQueue.concurrentPerform(iterations: folderRuns.count) { run in
            let folder = open(String(files[folderRuns[run].lowerBound].folder), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            defer { if folder >= 0 { close(folder) } }
            for index in folderRuns[run] { output[index] = examine(files[index], in: folder) }
        }
        // Moved out, not copied: a copy retains every string and array of a parsed file, and
        // the buffer's release of them then follows (copying was about 2% of an import).
        return (0..<files.count).map { (results.baseAddress! + $0).move()! }
    }

    // MARK: Writing (one transaction per batch)

    private func writeBatch(_ examined: [ExaminedFile], root: (given: String, absolute: String), runID: Int,
                            summary: inout ImportSummary, announced: inout Set<String>, onEvent: (ImportEvent) -> Void) throws {
        guard !examined.isEmpty else { return }
        // The two statements run for every TPS file, looked up once a batch, not once a file.
        let insertSource = try store.db.statement("""
            INSERT OR IGNORE INTO source_file(kind, version_id, url, raw_sha256, bytes, root, path,
                file_modified, retrieved_at, imported_at, run_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let insertTPS = try store.db.statement("""
            INSERT OR IGNORE INTO tps_version(code, content_sha256, ts, mode, psu, status_suara, status_adm,
                chart, images, administrasi, first_raw_sha256, first_url, first_retrieved_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try store.db.transaction {
            for file in examined {
                let item: ParsedFile
                switch file {
                case .parsed(let parsed):
                    item = parsed
                case .badPath(let file, let reason, let sha256):
                    try reject(file, root: root, sha256: sha256, reason: reason, runID: runID, summary: &summary, onEvent: onEvent)
                    continue
                case .otherContest(let file, let name):
                    summary.skipped[name, default: 0] += 1
                    if announced.insert(name).inserted {
                        onEvent(.skippedFolder(name: name, firstFile: Importer.display(root.given, file.relativePath)))
                    }
                    continue
                case .unrecognized:
                    summary.ignored += 1
                    continue
                }
                switch item.outcome {
                case .failure(let error):
                    try reject(item.file, root: root, sha256: item.rawSHA256, reason: error.description,
                               runID: runID, summary: &summary, onEvent: onEvent)
                case .success(let value):
                    summary.files += 1
                    let (kind, versionID, isNew) = try storeVersion(value.content, canonical: value.canonical,
                                                                    contentSHA256: value.contentSHA256, source: item,
                                                                    insertTPS: insertTPS)
                    try insertSource.run([.text(kind), .int(versionID), .text(item.url), .text(item.rawSHA256),
                                  .int(item.bytes), .text(root.absolute), .text(item.file.relativePath),
                                  .optional(item.modified), .optional(retrievedAt), .text(importedAt), .int(runID)])
                    let isNewSource = store.db.changes > 0
                    if isNew { summary.newVersions += 1 } else if isNewSource { summary.newCopies += 1 } else { summary.unchanged += 1 }
                }
            }
        }
        onEvent(.progress(summary))
    }

    /// Adds the content as a version of its node unless held already. Returns the version's id.
    /// `source`: the file being imported, which is the version's first copy when the version is new.
    private func storeVersion(_ content: Content, canonical: String, contentSHA256: String, source: ParsedFile,
                              insertTPS: Statement) throws -> (kind: String, id: Int, isNew: Bool) {
        let db = store.db
        switch content {
        case .tps(let code, let result, let columns):
            try insertTPS.run([.text(code.rawValue), .text(contentSHA256), .text(result.ts.text), .optional(result.mode),
                          .optional(result.psu), .bool(result.statusSuara), .bool(result.statusAdm),
                          .optional(columns.chart), .text(columns.images), .optional(columns.administrasi),
                          .text(source.rawSHA256), .text(source.url), .text(retrievedAt ?? importedAt)])
            let isNew = db.changes > 0
            // A new version's id is the row just added; a known one is looked up.
            return ("tps", isNew ? Int(db.lastInsertRowID) : try versionID(table: "tps_version", code: code.rawValue, hash: contentSHA256), isNew)
        case .aggregate(let code, let aggregate):
            try db.statement("""
                INSERT OR IGNORE INTO aggregate_version(code, content_sha256, ts, psu, mode, chart, persen,
                    progres_total, progres_progres, content)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).run([.text(code?.rawValue ?? ""), .text(contentSHA256), .text(aggregate.ts.text),
                          .optional(aggregate.psu), .optional(aggregate.mode),
                          .optional(aggregate.chart.map { CanonicalJSON.string($0.votes) }),
                          aggregate.chart?.persen.map(SQLValue.double) ?? .null,
                          .optional(aggregate.progres?.total), .optional(aggregate.progres?.progres), .text(canonical)])
            let isNew = db.changes > 0
            return ("aggregate", try versionID(table: "aggregate_version", code: code?.rawValue ?? "", hash: contentSHA256), isNew)
        case .regions(let list):
            let parent = list.parent?.rawValue ?? ""
            try db.statement("""
                INSERT OR IGNORE INTO region_list_version(parent, content_sha256, entries, content) VALUES (?, ?, ?, ?)
                """).run([.text(parent), .text(contentSHA256), .int(list.entries.count), .text(canonical)])
            let isNew = db.changes > 0
            if isNew {
                // A list not seen before: its names and ids become the directory's (the last import wins).
                let upsert = try db.statement("""
                    INSERT INTO region(code, level, parent, name_raw, name, kpu_id) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(code) DO UPDATE SET name_raw = excluded.name_raw, name = excluded.name,
                        kpu_id = excluded.kpu_id
                    """)
                for entry in list.entries {
                    try upsert.run([.text(entry.code.rawValue), .int(entry.code.level.rawValue),
                                    .optional(entry.code.parent?.rawValue), .text(entry.rawName),
                                    .text(entry.displayName), .int(entry.kpuID)])
                }
            }
            return ("regions", try versionID(table: "region_list_version", column: "parent", code: parent, hash: contentSHA256), isNew)
        }
    }

    private func versionID(table: String, column: String = "code", code: String, hash: String) throws -> Int {
        try store.db.statement("SELECT id FROM \(table) WHERE \(column) = ? AND content_sha256 = ?")
            .rows([.text(code), .text(hash)]) { $0.int(0) }[0]
    }

    private func reject(_ file: FileWalker.File, root: (given: String, absolute: String), sha256: String, reason: String,
                        runID: Int, summary: inout ImportSummary, onEvent: (ImportEvent) -> Void) throws {
        summary.rejected += 1
        onEvent(.rejected(file: Importer.display(root.given, file.relativePath), reason: reason))
        try store.db.statement("""
            INSERT OR IGNORE INTO rejected_file(root, path, raw_sha256, reason, run_id) VALUES (?, ?, ?, ?, ?)
            """).run([.text(root.absolute), .text(file.relativePath), .text(sha256), .text(reason), .int(runID)])
    }

    static func display(_ root: String, _ relative: String) -> String {
        root.hasSuffix("/") ? root + relative : root + "/" + relative
    }

    /// Lower-case hex of a digest, written straight into the string's storage: two per file
    /// imported, and iterating the digest byte by byte into an array was 1.5% of an import.
    static func hex(_ digest: SHA256.Digest) -> String {
        let digits: StaticString = "0123456789abcdef"
        return digest.withUnsafeBytes { raw in
            String(unsafeUninitializedCapacity: raw.count * 2) { out in
                for (index, byte) in raw.enumerated() {
                    out[2 * index] = digits.utf8Start[Int(byte >> 4)]
                    out[2 * index + 1] = digits.utf8Start[Int(byte & 0x0F)]
                }
                return raw.count * 2
            }
        }
    }
}
