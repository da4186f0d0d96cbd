/// The store's tables. Every version of every node is kept; nothing is ever updated in place
/// except the `region` directory, which is derived from the region lists.
///
/// Vote and form values are kept as canonical JSON objects (`chart`, `administrasi`): the
/// candidate set is data, not schema, and SQLite's `json_extract` reads them directly.
enum Schema {
    static let version = 3

    static let statements = [
        """
        CREATE TABLE IF NOT EXISTS meta(
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID
        """,
        // Regions at all five levels, from the region lists. `parent` is NULL for provinces.
        """
        CREATE TABLE IF NOT EXISTS region(
            code TEXT PRIMARY KEY,
            level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
            parent TEXT,
            name_raw TEXT NOT NULL,
            name TEXT NOT NULL,
            kpu_id INTEGER NOT NULL
        ) WITHOUT ROWID
        """,
        "CREATE INDEX IF NOT EXISTS region_parent ON region(parent, code)",
        "CREATE INDEX IF NOT EXISTS region_level ON region(level, code)",
        // Distinct contents of a region list; '' is the national list of provinces.
        """
        CREATE TABLE IF NOT EXISTS region_list_version(
            id INTEGER PRIMARY KEY,
            parent TEXT NOT NULL,
            content_sha256 TEXT NOT NULL,
            entries INTEGER NOT NULL,
            content TEXT NOT NULL,
            UNIQUE(parent, content_sha256)
        )
        """,
        // Distinct contents of a TPS result file. The current one has the newest ts. `first_*`
        // repeat the first saved copy of these bytes (the version's lowest `source_file` row:
        // raw SHA-256, URL, download time or else import time), fixed when the version is
        // added, so that the download tables read them without a join per row.
        """
        CREATE TABLE IF NOT EXISTS tps_version(
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL,
            content_sha256 TEXT NOT NULL,
            ts TEXT NOT NULL,
            mode TEXT,
            psu TEXT,
            status_suara INTEGER NOT NULL,
            status_adm INTEGER NOT NULL,
            chart TEXT,
            images TEXT NOT NULL,
            administrasi TEXT,
            first_raw_sha256 TEXT,
            first_url TEXT,
            first_retrieved_at TEXT,
            UNIQUE(code, content_sha256)
        )
        """,
        "CREATE INDEX IF NOT EXISTS tps_version_by_time ON tps_version(code, ts DESC, id DESC)",
        // Distinct contents of KPU's aggregate files; '' is the national file. `content` is the
        // whole file in canonical form (its table of children included).
        """
        CREATE TABLE IF NOT EXISTS aggregate_version(
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL,
            content_sha256 TEXT NOT NULL,
            ts TEXT NOT NULL,
            psu TEXT,
            mode TEXT,
            chart TEXT,
            persen REAL,
            progres_total INTEGER,
            progres_progres INTEGER,
            content TEXT NOT NULL,
            UNIQUE(code, content_sha256)
        )
        """,
        "CREATE INDEX IF NOT EXISTS aggregate_version_by_time ON aggregate_version(code, ts DESC, id DESC)",
        // Every saved file a version was read from: the provenance of each number. `retrieved_at`
        // is when the mirror was downloaded from KPU, where the importer was told.
        """
        CREATE TABLE IF NOT EXISTS source_file(
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('regions', 'aggregate', 'tps')),
            version_id INTEGER NOT NULL,
            url TEXT NOT NULL,
            raw_sha256 TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            root TEXT NOT NULL,
            path TEXT NOT NULL,
            file_modified TEXT,
            retrieved_at TEXT,
            imported_at TEXT NOT NULL,
            run_id INTEGER NOT NULL,
            UNIQUE(kind, version_id, raw_sha256, root, path)
        )
        """,
        // No index of its own on (kind, version_id): the UNIQUE index above starts with those columns
        // (a version's few copies are then sorted by id when read, a small temporary sort).
        // Files refused at import, with the reason: nothing of them entered the tables above.
        """
        CREATE TABLE IF NOT EXISTS rejected_file(
            id INTEGER PRIMARY KEY,
            root TEXT NOT NULL,
            path TEXT NOT NULL,
            raw_sha256 TEXT NOT NULL,
            reason TEXT NOT NULL,
            run_id INTEGER NOT NULL,
            UNIQUE(root, path, raw_sha256)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS import_run(
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            roots TEXT NOT NULL,
            files INTEGER,
            new_versions INTEGER,
            new_copies INTEGER,
            unchanged INTEGER,
            rejected INTEGER
        )
        """,
        // What the last committed site build was made from, so that the next one redoes only
        // what changed. Derived data only: deleting these rows makes the next build a full one.
        """
        CREATE TABLE IF NOT EXISTS build_state(
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID
        """,
        // Each village's computed totals as of that build (`ComputedTotals.encoded`).
        """
        CREATE TABLE IF NOT EXISTS build_village(
            code TEXT PRIMARY KEY,
            totals TEXT NOT NULL
        ) WITHOUT ROWID
        """,
        // Each TPS the rules flag or that has revisions: its anomalies and revision rows as that
        // build wrote them.
        """
        CREATE TABLE IF NOT EXISTS build_tps(
            code TEXT PRIMARY KEY,
            anomalies TEXT NOT NULL,
            revision_rows TEXT NOT NULL
        ) WITHOUT ROWID
        """,
        // The current version of each TPS and aggregate: newest KPU ts; on a tie (KPU re-published
        // other content under the same ts), the one imported last, as the later harvest.
        """
        CREATE VIEW IF NOT EXISTS tps_current AS
        SELECT * FROM tps_version v WHERE v.id = (
            SELECT w.id FROM tps_version w WHERE w.code = v.code ORDER BY w.ts DESC, w.id DESC LIMIT 1)
        """,
        """
        CREATE VIEW IF NOT EXISTS aggregate_current AS
        SELECT * FROM aggregate_version v WHERE v.id = (
            SELECT w.id FROM aggregate_version w WHERE w.code = v.code ORDER BY w.ts DESC, w.id DESC LIMIT 1)
        """,
    ]

    /// Brings a store written by an earlier schema up to this one, in one transaction.
    static let migrations: [Int: [String]] = [
        // 1 to 2: the first copy's provenance beside each TPS version.
        1: [
            "ALTER TABLE tps_version ADD COLUMN first_raw_sha256 TEXT",
            "ALTER TABLE tps_version ADD COLUMN first_url TEXT",
            "ALTER TABLE tps_version ADD COLUMN first_retrieved_at TEXT",
            """
            UPDATE tps_version SET (first_raw_sha256, first_url, first_retrieved_at) = (
                SELECT s.raw_sha256, s.url, coalesce(s.retrieved_at, s.imported_at) FROM source_file s
                WHERE s.kind = 'tps' AND s.version_id = tps_version.id ORDER BY s.id LIMIT 1)
            """,
        ],
        // 2 to 3: an index that only repeated the start of source_file's UNIQUE index, and cost the
        // import an index insert per file.
        2: ["DROP INDEX IF EXISTS source_file_version"],
    ]
}
