-- The workbench store: DuckDB schema (spec: spec/report-record.md, store design: docs/store.md).
--
-- Applied on every ingest with IF NOT EXISTS / OR REPLACE, so it is safe to re-run.
-- There are no PRIMARY KEY / UNIQUE constraints on purpose: DuckDB checks them eagerly
-- on UPDATE (an update is a delete + insert) and every index slows the bulk loads.
-- Uniqueness is the ingest's job (a single writer under a lock) and is tested.
-- Keys that should be unique are named in the comments.

CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR NOT NULL,            -- unique
    value VARCHAR
);

-- Every file the ingest has seen: one row per (path, sha256).
CREATE TABLE IF NOT EXISTS documents (
    path        VARCHAR   NOT NULL,    -- absolute path when ingested
    sha256      VARCHAR   NOT NULL,    -- of the file's bytes; (path, sha256) is unique
    format      VARCHAR,               -- pdf | html | docx | txt | doc | wps | rtf | xlsx | xls | image (NULL when the file could not be read)
    size        BIGINT,                -- bytes
    ingested_at TIMESTAMP NOT NULL,
    status      VARCHAR   NOT NULL,    -- loaded | same_record | alternate | duplicate | failed
    error       VARCHAR,               -- the plain reason when status = 'failed'
    report_id   INTEGER                -- the report this file produced or matched
);

-- One row per agency-year revision. revision 1, 2, …; exactly one is_current per (agency_id, year).
-- A twin reading of a revision (the PDF and the portal page of one report) has the same revision
-- number; the better reading is current, the others are alternate.
CREATE TABLE IF NOT EXISTS reports (
    report_id           INTEGER   NOT NULL,  -- unique
    agency_id           VARCHAR   NOT NULL,  -- canonical agency name, agencies.agency_id
    agency              VARCHAR   NOT NULL,  -- the name as the report prints it
    year                INTEGER   NOT NULL,  -- the year the report covers
    revision            INTEGER   NOT NULL,
    is_current          BOOLEAN   NOT NULL,
    template            VARCHAR,             -- '2019' | '2021'
    published_on        DATE,
    fees_collected_yuan DOUBLE,
    source_path         VARCHAR,
    source_sha256       VARCHAR,
    source_format       VARCHAR,
    content_hash        VARCHAR   NOT NULL,  -- sha256 of the record's content (not of the file)
    cells               INTEGER,             -- table cells in sections 二, 三, 四
    filled_cells        INTEGER,             -- of which not blank
    ingested_at         TIMESTAMP NOT NULL,
    alternate           BOOLEAN   NOT NULL DEFAULT false  -- another file's reading of the same version
                                                          -- (store/twins.py), kept beside the better one
);
ALTER TABLE reports ADD COLUMN IF NOT EXISTS alternate BOOLEAN DEFAULT false;

-- Section 二, long form: (report_id, item, measure) is unique.
CREATE TABLE IF NOT EXISTS active_disclosure (
    report_id INTEGER NOT NULL,
    item      VARCHAR NOT NULL,
    measure   VARCHAR NOT NULL,
    value     DOUBLE,              -- NULL = blank cell, never 0 …
    unread    BOOLEAN NOT NULL DEFAULT false  -- … unless unread: the workbench could not read it
);

-- Section 三, long form: (report_id, row, applicant) is unique.
CREATE TABLE IF NOT EXISTS requests (
    report_id INTEGER NOT NULL,
    row       VARCHAR NOT NULL,
    applicant VARCHAR NOT NULL,
    value     BIGINT,
    unread    BOOLEAN NOT NULL DEFAULT false
);

-- Section 四, long form: (report_id, proceeding, result) is unique.
CREATE TABLE IF NOT EXISTS review_litigation (
    report_id  INTEGER NOT NULL,
    proceeding VARCHAR NOT NULL,
    result     VARCHAR NOT NULL,
    value      BIGINT,
    unread     BOOLEAN NOT NULL DEFAULT false
);

-- Where each OCR'd cell of tables 二, 三 and 四 was read (a scan, a photo, a table published as a
-- picture), so a supervisor can check a number against the page image (queries/ocr_cell_sources.sql,
-- the agency notebook's 扫描件识别来源). Only OCR'd cells have a row: a cell of a text layer has none.
-- (report_id, table_name, row_key, column_key) is unique; a report's rows never change afterwards,
-- except that re-reading the same file to the same content replaces them (a store loaded before
-- this table existed gets them with `workbench ingest --reparse`).
CREATE TABLE IF NOT EXISTS cell_sources (
    report_id  INTEGER NOT NULL,
    table_name VARCHAR NOT NULL,   -- active_disclosure | requests | review_litigation
    row_key    VARCHAR NOT NULL,   -- the table's first key: item | row | proceeding
    column_key VARCHAR NOT NULL,   -- its second key: measure | applicant | result
    page       INTEGER NOT NULL,   -- 1-based: PDF page, image frame, or (HTML) the page's n-th picture read
    box_x      DOUBLE  NOT NULL,   -- the cell's box as fractions of that page, from its top left
    box_y      DOUBLE  NOT NULL,
    box_w      DOUBLE  NOT NULL,
    box_h      DOUBLE  NOT NULL,
    confidence DOUBLE  NOT NULL,   -- the recogniser's, 0–1 (below workbench.sources.scan.UNCERTAIN: unread)
    text       VARCHAR,            -- what it read there, as read (the cell's value may differ: unread, corrected)
    image      VARCHAR             -- HTML only: which picture of the page (its src, or data:sha256:… for an
                                   -- embedded one); the box is on that picture. '' for PDF pages and image files
);
ALTER TABLE cell_sources ADD COLUMN IF NOT EXISTS image VARCHAR;
-- When this store began to keep cell_sources: a report ingested before may be OCR'd without rows.
INSERT INTO meta SELECT 'cell_sources_since', strftime(date_trunc('second', current_localtimestamp()), '%Y-%m-%d %H:%M:%S')
WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = 'cell_sources_since');

-- Stores made before cells carried ``unread``: every writer adds the column on opening.
ALTER TABLE active_disclosure ADD COLUMN IF NOT EXISTS unread BOOLEAN DEFAULT false;
ALTER TABLE requests ADD COLUMN IF NOT EXISTS unread BOOLEAN DEFAULT false;
ALTER TABLE review_litigation ADD COLUMN IF NOT EXISTS unread BOOLEAN DEFAULT false;

-- Counts stated in section 一's prose, in the order the report states them.
CREATE TABLE IF NOT EXISTS submitted_info (
    report_id INTEGER NOT NULL,
    ordinal   INTEGER NOT NULL,
    label     VARCHAR NOT NULL,
    category  VARCHAR,
    count     BIGINT,
    unit      VARCHAR
);

-- Section 五's problems and improvements, one item per row (ordinal from 1).
CREATE TABLE IF NOT EXISTS narrative_items (
    report_id INTEGER NOT NULL,
    section   VARCHAR NOT NULL,    -- problems | improvements
    ordinal   INTEGER NOT NULL,
    text      VARCHAR NOT NULL
);

-- The raw text of each section (overview, active, requests, review, problems, other).
CREATE TABLE IF NOT EXISTS report_sections (
    report_id INTEGER NOT NULL,
    section   VARCHAR NOT NULL,
    text      VARCHAR
);

-- What the parser noticed (source 'parse', rules parse.*) and what the checks found (source 'check').
CREATE TABLE IF NOT EXISTS findings (
    report_id INTEGER NOT NULL,
    source    VARCHAR NOT NULL,    -- parse | check
    rule      VARCHAR NOT NULL,
    severity  VARCHAR NOT NULL,    -- info | warning | error
    message   VARCHAR,
    expected  VARCHAR,
    actual    VARCHAR,
    section   VARCHAR,
    cells     VARCHAR              -- the cells it is about, comma-separated ("requests.granted.total"); see finding_key
);
ALTER TABLE findings ADD COLUMN IF NOT EXISTS cells VARCHAR;

-- A supervisor's decisions on findings (workbench review): every decision is kept, the latest
-- per finding_key is the state. Keyed by agency, year, rule and cells, not by report_id, so a
-- dismissed finding stays dismissed when the report is re-ingested or re-checked.
CREATE TABLE IF NOT EXISTS finding_reviews (
    finding_key VARCHAR   NOT NULL,   -- findings_detail.finding_key
    agency_id   VARCHAR   NOT NULL,
    year        INTEGER   NOT NULL,
    rule        VARCHAR   NOT NULL,
    cells       VARCHAR,
    decision    VARCHAR   NOT NULL,   -- confirmed | dismissed | reopened
    note        VARCHAR,
    reviewer    VARCHAR,
    reviewed_at TIMESTAMP NOT NULL,
    message     VARCHAR               -- the finding as it read when it was decided
);

-- A supervisor's corrections of misread cells (workbench correct), one row per decision; the
-- latest per (agency_id, year, cell) holds. value NULL with cleared = true withdraws it.
CREATE TABLE IF NOT EXISTS corrections (
    agency_id    VARCHAR   NOT NULL,
    year         INTEGER   NOT NULL,
    cell         VARCHAR   NOT NULL,  -- "requests.granted.total", "active_disclosure.normative_documents.in_force"
    value        DOUBLE,              -- NULL: the cell is blank in the report
    read_value   DOUBLE,              -- what the workbench had read when it was corrected
    read_unread  BOOLEAN   NOT NULL DEFAULT false,  -- … or that it could not read the cell at all
    cleared      BOOLEAN   NOT NULL DEFAULT false,
    note         VARCHAR,
    corrected_by VARCHAR,
    corrected_at TIMESTAMP NOT NULL
);

-- The agency registry: one row per canonical agency (agency_id is unique).
CREATE TABLE IF NOT EXISTS agencies (
    agency_id VARCHAR NOT NULL,    -- canonical name
    level     VARCHAR,             -- province | city | county | township (NULL when not derivable)
    kind      VARCHAR,             -- government | department
    region    VARCHAR,             -- the place, as far as known, e.g. 江苏省淮安市洪泽区
    parent    VARCHAR,             -- agency_id of the government above, when derivable
    origin    VARCHAR NOT NULL     -- registry (data/agencies.csv) | derived (from the name)
);

-- Every agency name seen in a report or listed in the registry, and what it resolves to.
CREATE TABLE IF NOT EXISTS agency_names (
    name      VARCHAR NOT NULL,    -- unique; as printed (NFKC, no whitespace)
    agency_id VARCHAR NOT NULL
);

-- How every command, query and notebook matches a user's agency text (--agency, agency=): the
-- canonical name, the name the report prints, or any name of the agency (registry aliases and
-- every spelling seen in a report) contains it, literally (% and _ are not wildcards).
CREATE OR REPLACE MACRO agency_matches(id, printed, text) AS
    CAST(text AS VARCHAR) IS NULL
    OR contains(id, CAST(text AS VARCHAR))
    OR contains(coalesce(printed, ''), CAST(text AS VARCHAR))
    OR id IN (SELECT n.agency_id FROM agency_names n WHERE contains(n.name, CAST(text AS VARCHAR)));

-- Which publication deadline applies to the agency (workbench.store.agencies.checks_kind):
-- government = 县级以上地方人民政府 (31 March), department = departments, 乡镇, 街道 (31 January).
-- Set by every ingest and roster import (workbench/store/roster.py); NULL in older stores.
ALTER TABLE agencies ADD COLUMN IF NOT EXISTS deadline_kind VARCHAR;

-- The bodies expected to publish a report (who has not reported: queries/roster_status.sql).
-- One row per body and source; a body listed by several sources is expected when any row says so.
CREATE TABLE IF NOT EXISTS roster (
    agency_id     VARCHAR   NOT NULL,  -- resolved like a report's agency name (agencies.agency_id)
    name          VARCHAR   NOT NULL,  -- as the list writes it (NFKC, no whitespace)
    level         VARCHAR,             -- province | city | county | township
    kind          VARCHAR,             -- government | department
    expected_from INTEGER,             -- first year it must report (NULL: every year)
    expected_to   INTEGER,             -- last year it must report (NULL: still expected)
    source        VARCHAR   NOT NULL,  -- 'registry' (data/agencies.csv, rewritten by every ingest) | the imported file
    imported_at   TIMESTAMP NOT NULL,
    deadline_kind VARCHAR              -- government | department: which deadline applies (checks_kind)
);

-- One entry per new revision of an agency-year: what changed between two reports.
CREATE TABLE IF NOT EXISTS revision_log (
    agency_id     VARCHAR   NOT NULL,
    year          INTEGER   NOT NULL,
    from_report   INTEGER,             -- the revision that was current before
    to_report     INTEGER   NOT NULL,  -- the new current revision
    changed_at    TIMESTAMP NOT NULL,
    changed_cells JSON,                -- [{"table", "key", "old", "new"}, …]
    summary       VARCHAR
);

-- Reference labels, so that exports and notebooks can show the report's own wording.
-- Filled from workbench/templates/official.yaml by connect.apply_schema (one source of labels).
CREATE OR REPLACE TABLE ref_request_rows (ordinal INTEGER, row VARCHAR, label VARCHAR);
CREATE OR REPLACE TABLE ref_applicants (ordinal INTEGER, applicant VARCHAR, label VARCHAR);
CREATE OR REPLACE TABLE ref_review_cells (ordinal INTEGER, proceeding VARCHAR, label VARCHAR);

-- Views ------------------------------------------------------------------------------

CREATE OR REPLACE VIEW current_reports AS
SELECT * FROM reports WHERE is_current;

-- Section 三's 总计 column per report, summed into the outcome groups every question uses
-- (blank cells are unknown: sum ignores them; a group with every cell blank is NULL, not 0).
-- A table, not a view: summing 2.4M cells for every query took ~400 ms at 100k reports. The
-- writers add the rows of new reports before they publish (store/request_outcomes.sql); a report's cells
-- never change afterwards (a revision is a new report_id). report_id is unique.
CREATE TABLE IF NOT EXISTS request_outcomes (
    report_id         INTEGER NOT NULL,
    new_received      HUGEINT,
    carried_over      HUGEINT,
    granted           HUGEINT,
    partially_granted HUGEINT,
    granted_any       HUGEINT,
    denied            HUGEINT,
    unable            HUGEINT,
    not_processed     HUGEINT,
    other_handling    HUGEINT,
    total_processed   HUGEINT,
    carried_forward   HUGEINT
);

-- Whether a report was read from a generated file (named synthetic_*), so every output can say so.
CREATE OR REPLACE VIEW report_origin AS
SELECT
    r.report_id,
    EXISTS (SELECT 1 FROM documents d
            WHERE d.report_id = r.report_id AND regexp_matches(d.path, '(^|[/\\])synthetic_[^/\\]*$'))
    OR regexp_matches(coalesce(r.source_path, ''), '(^|[/\\])synthetic_[^/\\]*$') AS synthetic
FROM reports r;

-- Section 三 wide: one row per report × row, the seven applicant columns side by side.
CREATE OR REPLACE VIEW requests_wide AS
SELECT
    r.report_id, rep.agency_id, rep.agency, rep.year, rep.revision, rep.is_current,
    r.row, ref.ordinal AS row_ordinal, ref.label AS row_label,
    max(r.value) FILTER (WHERE r.applicant = 'natural_person') AS natural_person,
    max(r.value) FILTER (WHERE r.applicant = 'commercial')     AS commercial,
    max(r.value) FILTER (WHERE r.applicant = 'research')       AS research,
    max(r.value) FILTER (WHERE r.applicant = 'social_welfare') AS social_welfare,
    max(r.value) FILTER (WHERE r.applicant = 'legal_services') AS legal_services,
    max(r.value) FILTER (WHERE r.applicant = 'other_org')      AS other_org,
    max(r.value) FILTER (WHERE r.applicant = 'total')          AS total
FROM requests r
JOIN reports rep USING (report_id)
LEFT JOIN ref_request_rows ref ON ref.row = r.row
GROUP BY ALL;

CREATE OR REPLACE VIEW current_requests_wide AS
SELECT * FROM requests_wide WHERE is_current;

-- Section 四 wide: one row per report × proceeding.
CREATE OR REPLACE VIEW review_wide AS
SELECT
    v.report_id, rep.agency_id, rep.agency, rep.year, rep.revision, rep.is_current,
    v.proceeding, ref.label AS proceeding_label,
    max(v.value) FILTER (WHERE v.result = 'upheld')    AS upheld,
    max(v.value) FILTER (WHERE v.result = 'corrected') AS corrected,
    max(v.value) FILTER (WHERE v.result = 'other')     AS other,
    max(v.value) FILTER (WHERE v.result = 'pending')   AS pending,
    max(v.value) FILTER (WHERE v.result = 'total')     AS total
FROM review_litigation v
JOIN reports rep USING (report_id)
LEFT JOIN ref_review_cells ref ON ref.proceeding = v.proceeding
GROUP BY ALL;

-- Findings with the report's agency and year (current and older revisions).
CREATE OR REPLACE VIEW finding_review_state AS
SELECT finding_key, arg_max(decision, reviewed_at) AS review, arg_max(note, reviewed_at) AS review_note,
       arg_max(reviewer, reviewed_at) AS reviewer, max(reviewed_at) AS reviewed_at
FROM finding_reviews GROUP BY finding_key;

-- Findings with the report's agency and year (current and older revisions), their stable key
-- (agency, year, rule, cells: the same finding of a re-ingested report has the same key; a
-- finding without cells falls back to its section, then its message), an 8-character
-- finding_id to name it on the command line, and the supervisor's review (NULL: not reviewed).
CREATE OR REPLACE VIEW findings_detail AS
WITH keyed AS (
    SELECT f.*, rep.agency_id, rep.agency, rep.year, rep.revision, rep.is_current,
           concat_ws('|', rep.agency_id, CAST(rep.year AS VARCHAR), f.rule,
                     coalesce(f.cells, f.section, md5(coalesce(f.message, '')))) AS finding_key
    FROM findings f JOIN reports rep USING (report_id)
)
SELECT k.*, left(md5(k.finding_key), 8) AS finding_id,
       CASE WHEN s.review = 'reopened' THEN NULL ELSE s.review END AS review,
       s.review_note, s.reviewer, s.reviewed_at
FROM keyed k LEFT JOIN finding_review_state s USING (finding_key);
