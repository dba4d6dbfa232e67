-- Narrative analysis of section 五 and section 一 (workbench/narrative; docs in taxonomy.yaml
-- and similarity.yaml). Derived data only: `workbench narrative --refresh` recomputes every
-- table from narrative_items, report_sections and reports (current revisions), so editing the
-- taxonomy never needs a re-ingest; the refresh after an ingest recomputes only what the new
-- reports change, from the bookkeeping at the end of this file. Safe to re-run (IF NOT EXISTS).
-- Keys that should be unique are named in the comments, as in workbench/store/schema.sql.

-- The taxonomy used by the last run: theme key → Chinese label (tag is unique).
CREATE TABLE IF NOT EXISTS narrative_themes (
    tag         VARCHAR NOT NULL,   -- theme key, or 'untagged'
    label       VARCHAR NOT NULL,   -- 政策解读 …, 未归类 for untagged
    description VARCHAR,
    position    INTEGER NOT NULL    -- order in taxonomy.yaml (untagged last)
);

-- One row per item and theme; an item no theme fits has one row with tag 'untagged'.
-- (report_id, section, ordinal, tag) is unique.
CREATE TABLE IF NOT EXISTS narrative_tags (
    report_id     INTEGER   NOT NULL,
    section       VARCHAR   NOT NULL,  -- problems | improvements
    ordinal       INTEGER   NOT NULL,  -- narrative_items.ordinal
    tag           VARCHAR   NOT NULL,
    trigger_words VARCHAR[] NOT NULL   -- the segmented words that fired the rule ([] for untagged)
);

-- For each item: its closest item of the same section in an earlier report of the same agency
-- (kind same_agency_previous_year: any earlier year, any score > 0), and its closest
-- near-duplicate among other agencies' reports of the same year (kind other_agency_same_year,
-- only when score >= item_match). (report_id, section, ordinal, kind) is unique.
CREATE TABLE IF NOT EXISTS narrative_matches (
    report_id       INTEGER NOT NULL,
    section         VARCHAR NOT NULL,
    ordinal         INTEGER NOT NULL,
    match_report_id INTEGER NOT NULL,
    match_ordinal   INTEGER NOT NULL,   -- an item of the same section of match_report_id
    kind            VARCHAR NOT NULL,   -- same_agency_previous_year | other_agency_same_year
    score           DOUBLE  NOT NULL    -- Jaccard of character shingles, boilerplate removed (0–1)
);

-- Whole sections (overview = 一, problems = 五) against the agency's most recent earlier report
-- (kind same_agency_previous_year), or the most similar other agency's report of the same year
-- when score >= item_match (kind other_agency_same_year). copied = 内容雷同 (score >=
-- section_copied and enough text left after boilerplate). (report_id, section, kind) is unique.
CREATE TABLE IF NOT EXISTS section_similarity (
    report_id          INTEGER NOT NULL,
    section            VARCHAR NOT NULL,
    previous_report_id INTEGER NOT NULL,  -- the report compared with
    score              DOUBLE  NOT NULL,
    copied             BOOLEAN NOT NULL,
    kind               VARCHAR NOT NULL
);

-- A theme among an agency's problems in `year` and in the year before: streak = consecutive
-- years (ending at `year`) with the theme among the problems, >= 2. promised = the previous
-- year's improvements named the same theme. (agency_id, tag, year) is unique.
CREATE TABLE IF NOT EXISTS repeated_problems (
    agency_id          VARCHAR NOT NULL,
    tag                VARCHAR NOT NULL,
    year               INTEGER NOT NULL,
    streak             INTEGER NOT NULL,
    report_id          INTEGER NOT NULL,
    previous_report_id INTEGER NOT NULL,
    promised           BOOLEAN NOT NULL
);

-- What the last refresh was computed from, so that the refresh after an ingest compares only
-- what changed (workbench/narrative/incremental.py). Bookkeeping, not results: written in the
-- same transaction as the tables above, and a full refresh rewrites it.
-- key → value: digests of the taxonomy, the similarity config, the code and each boilerplate
-- set ('boilerplate:<kind>'), texts per kind ('texts:<kind>'), row counts of the result tables.
-- key is unique.
CREATE TABLE IF NOT EXISTS narrative_state (
    key   VARCHAR NOT NULL,
    value VARCHAR NOT NULL
);

-- Each report the results were computed from (the current revisions then), with its agency and
-- year then and a digest of its items and compared sections. report_id is unique.
CREATE TABLE IF NOT EXISTS narrative_state_reports (
    report_id INTEGER  NOT NULL,
    agency_id VARCHAR  NOT NULL,
    year      INTEGER  NOT NULL,
    digest    UBIGINT  NOT NULL
);

-- The boilerplate rule's counts: for each kind of text (items, overview, problems) and shingle
-- code, how many of the corpus's texts of that kind hold it (> 0). (kind, code) is unique.
CREATE TABLE IF NOT EXISTS narrative_shingles (
    kind  VARCHAR NOT NULL,
    code  UBIGINT NOT NULL,
    texts BIGINT  NOT NULL
);
