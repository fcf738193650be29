import Engine

/// The database layout, as ordered migrations, and the table views. Documented in docs/SCHEMA.md;
/// keep the two in step.
extension RunStore {
    /// Marks a file as an `ablate` results database ("FRAB" in ASCII), so a foreign SQLite file is
    /// refused instead of being written into.
    static let applicationID: Int32 = 0x4652_4142

    /// Migration `i` takes the schema from version `i` to `i + 1` (`PRAGMA user_version`).
    static let migrations: [String] = [
        // v0 → v1: runs, their metrics and their training logs.
        """
        CREATE TABLE runs (
            id               TEXT PRIMARY KEY,
            sweep            TEXT NOT NULL,
            config_json      TEXT NOT NULL,
            protocol_version INTEGER NOT NULL,
            status           TEXT NOT NULL DEFAULT 'queued'
                             CHECK (status IN ('queued','running','finished','failed','diverged','killed')),
            seed             INTEGER NOT NULL,
            git_commit       TEXT,
            host             TEXT,
            pid              INTEGER,
            attempts         INTEGER NOT NULL DEFAULT 0,
            message          TEXT,
            queued_at        TEXT NOT NULL,
            started_at       TEXT,
            finished_at      TEXT,
            wall_seconds     REAL,
            heartbeat_at     REAL,
            UNIQUE (config_json, protocol_version)
        );
        CREATE INDEX runs_status ON runs(status);
        CREATE TABLE metrics (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            name   TEXT NOT NULL,
            value  REAL NOT NULL,
            PRIMARY KEY (run_id, name)
        ) WITHOUT ROWID;
        CREATE TABLE train_log (
            run_id    TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            iteration INTEGER NOT NULL,
            loss_cls  REAL,
            loss_box  REAL,
            lr        REAL,
            seconds   REAL,
            PRIMARY KEY (run_id, iteration)
        ) WITHOUT ROWID;
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
        // v1 → v2: a run can belong to several sweeps/profiles/tables (identical configs are one
        // run). Existing runs become members of the sweep that created them.
        """
        CREATE TABLE sweep_runs (
            sweep       TEXT NOT NULL,
            profile     TEXT NOT NULL,
            paper_table TEXT,
            run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            position    INTEGER NOT NULL,
            PRIMARY KEY (sweep, profile, run_id)
        );
        CREATE INDEX sweep_runs_table ON sweep_runs(paper_table);
        INSERT INTO sweep_runs (sweep, profile, paper_table, run_id, position)
            SELECT sweep, 'unknown',
                   CASE sweep WHEN 'alpha' THEN '1a' WHEN 'gamma' THEN '1b' WHEN 'anchors' THEN '1c'
                              WHEN 'ohem' THEN '1d' WHEN 'depth-scale' THEN '1e' WHEN 'flstar' THEN '3' END,
                   id, rowid
            FROM runs;
        """,
    ]

    static var schemaVersion: Int { migrations.count }

    /// Bumped when a view's SQL changes; views are recreated when this, the schema version or
    /// the protocol version differ from what the database recorded.
    static let viewsRevision = 1

    static var viewsStamp: String { "schema \(schemaVersion) views \(viewsRevision) protocol \(EngineProtocol.version)" }

    static let viewNames = ["run_summary", "table_1a", "table_1b_all", "table_1b", "table_1c", "table_1d",
                            "table_1e", "table_3"]

    /// The views: one row per table row, averaged over seeds (`runs` counts the finished runs
    /// behind a row, `diverged` the diverged ones). AP-type columns are percentages like the
    /// paper's; only runs of the current protocol version are shown.
    static var viewsSQL: String {
        let pv = EngineProtocol.version
        func cfg(_ key: String) -> String { "json_extract(r.config_json, '$.\(key)')" }
        let ap3 = """
            100 * AVG(CASE WHEN r.status = 'finished' THEN r.AP END) AS AP,
                100 * AVG(CASE WHEN r.status = 'finished' THEN r.AP50 END) AS AP50,
                100 * AVG(CASE WHEN r.status = 'finished' THEN r.AP75 END) AS AP75
            """
        let counts = """
            SUM(r.status = 'finished') AS runs,
                SUM(r.status = 'diverged') AS diverged
            """
        func from(_ table: String) -> String {
            """
            FROM (SELECT DISTINCT profile, paper_table, run_id FROM sweep_runs) s
                JOIN run_summary r ON r.run_id = s.run_id
                WHERE s.paper_table = '\(table)' AND r.protocol_version = \(pv)
                  AND r.status IN ('finished', 'diverged')
            """
        }
        let method = """
            CASE \(cfg("loss"))
                    WHEN 'ohem' THEN CASE WHEN \(cfg("ohemPositiveFraction")) > 0 THEN 'OHEM 1:3' ELSE 'OHEM' END
                    WHEN 'flstar' THEN 'FL*'
                    ELSE CASE WHEN \(cfg("gamma")) = 0 THEN 'CE' ELSE 'FL' END
                END
            """
        let pivot = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl",
                     "inference_ms"]
            .map { "MAX(CASE WHEN m.name = '\($0)' THEN m.value END) AS \($0)" }
            .joined(separator: ",\n    ")
        return """
        CREATE VIEW run_summary AS
        SELECT r.id AS run_id, r.sweep, r.status, r.protocol_version, r.config_json, r.seed, r.git_commit,
            r.wall_seconds,
            \(pivot)
        FROM runs r LEFT JOIN metrics m ON m.run_id = r.id
        GROUP BY r.id;

        CREATE VIEW table_1a AS
        SELECT s.profile, \(cfg("alpha")) AS alpha,
            \(ap3),
            \(counts)
        \(from("1a"))
        GROUP BY s.profile, alpha ORDER BY s.profile, alpha;

        CREATE VIEW table_1b_all AS
        SELECT s.profile, \(cfg("gamma")) AS gamma, \(cfg("alpha")) AS alpha,
            \(ap3),
            \(counts)
        \(from("1b"))
        GROUP BY s.profile, gamma, alpha ORDER BY s.profile, gamma, alpha;

        CREATE VIEW table_1b AS
        SELECT profile, gamma, alpha, AP, AP50, AP75, runs, diverged FROM (
            SELECT *, ROW_NUMBER() OVER (PARTITION BY profile, gamma ORDER BY AP IS NULL, AP DESC, alpha) AS rank
            FROM table_1b_all)
        WHERE rank = 1 ORDER BY profile, gamma;

        CREATE VIEW table_1c AS
        SELECT s.profile, \(cfg("scalesPerOctave")) AS scales, json_array_length(r.config_json, '$.aspectRatios') AS ratios,
            \(ap3),
            \(counts)
        \(from("1c"))
        GROUP BY s.profile, scales, ratios ORDER BY s.profile, ratios, scales;

        CREATE VIEW table_1d AS
        SELECT s.profile, \(method) AS method,
            CASE WHEN \(cfg("loss")) = 'ohem' THEN \(cfg("ohemBatch")) END AS batch_size,
            CASE WHEN \(cfg("loss")) = 'ohem' THEN \(cfg("ohemNMS")) END AS nms_thr,
            \(ap3),
            \(counts)
        \(from("1d"))
        GROUP BY s.profile, method, batch_size, nms_thr
        ORDER BY s.profile, method = 'FL', method, nms_thr DESC, batch_size;

        CREATE VIEW table_1e AS
        SELECT s.profile, \(cfg("depth")) AS depth, \(cfg("scale")) AS scale,
            \(ap3),
            100 * AVG(CASE WHEN r.status = 'finished' THEN r.APs END) AS APs,
            100 * AVG(CASE WHEN r.status = 'finished' THEN r.APm END) AS APm,
            100 * AVG(CASE WHEN r.status = 'finished' THEN r.APl END) AS APl,
            AVG(CASE WHEN r.status = 'finished' THEN r.inference_ms END) AS time_ms,
            \(counts)
        \(from("1e"))
        GROUP BY s.profile, depth, scale ORDER BY s.profile, depth, scale;

        CREATE VIEW table_3 AS
        SELECT s.profile, \(method) AS loss, \(cfg("gamma")) AS gamma,
            CASE WHEN \(cfg("loss")) = 'flstar' THEN \(cfg("beta")) END AS beta,
            \(ap3),
            \(counts)
        \(from("3"))
        GROUP BY s.profile, loss, gamma, beta
        ORDER BY s.profile, CASE loss WHEN 'CE' THEN 0 WHEN 'FL' THEN 1 ELSE 2 END, gamma, beta;
        """
    }
}
