"""The command line speaks Chinese by default: help, usage errors, summaries, tables and errors.

Each test runs the real typer app (CliRunner) and strips what may stay Latin — command and option
names, paths and file names, rule ids and identifiers, format names, environment variables,
numbers and the values a user types (error, latest …) — then asserts no English word is left.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from workbench.cli import app
from workbench.i18n import LANGUAGES, catalogue, fields_of, set_language, t
from workbench.narrative.taxonomy import default_taxonomy

# Latin that belongs in Chinese output: names of formats, products and things the user types
# (option values, CSV column names), never prose.
ALLOWED = {
    # formats and products
    "pdf", "html", "docx", "txt", "csv", "xlsx", "json", "yaml", "sql", "xml", "zip", "duckdb", "parquet",
    "excel", "word", "wps", "jupyterlab", "markdown", "unicode", "ocr", "dask", "pdfium", "libreoffice",
    "noto", "cjk", "utf", "gb", "mb", "id", "tcp", "select",
    # commands and option values a user types
    "workbench", "parse", "synth", "ingest", "check", "query", "narrative", "export", "digest", "lab", "demo",
    "review", "list", "confirm", "dismiss", "reopen", "correct", "roster", "rectify",
    "error", "warning", "info", "open", "confirmed", "dismissed", "local", "latest", "zh", "en",
    "checks", "penalties", "notebooks", "real", "synthetic", "explore", "agency",
    # CSV columns of a roster (name, level, kind, expected_from …)
    "name", "level", "kind",
    # exception class names shown with a failure (MemoryError …)
    "memoryerror",
}
LATIN_KEPT = [
    r"`[^`]*`",                       # commands quoted in backticks
    r"\[(?:默认|default)：[^\]]*\]",     # default values (data/workbench.duckdb, no-reparse, latest)
    r"'[^'\n]*'",                      # what the user typed, echoed back: 'nosuch', '--agencies'
    r"\b\w+=\S*",                      # NAME=VALUE as typed: -p year=2023
    r"(?<![\w-])--?[A-Za-z][\w-]*",   # options: --db, -p
    r"[^\s'\"（）()，、：；]*[/\\.][^\s'\"（）()，、：；]*",  # paths, file names, rule ids, globs
    r"\b\w*_\w*\b",                    # identifiers: expected_from, natural_person
    r"\b[A-Z][A-Z0-9]+\b",             # acronyms and variables: PDF, WORKBENCH_LANG, SYNTHETIC
    r"\b[0-9a-f]{8}\b",                # finding ids
]


def english_left(text: str) -> list[str]:
    """The English words of ``text`` once everything that may stay Latin is removed."""
    for pattern in LATIN_KEPT:
        text = re.sub(pattern, " ", text)
    return [w for w in re.findall(r"[A-Za-z]{2,}", text) if w.lower() not in ALLOWED]


def run(*args: str | Path, env: dict[str, str] | None = None):
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "250", **(env or {})},
                                prog_name="workbench")
    set_language(None)  # --lang lasts for the run only: the next test starts from WORKBENCH_LANG
    return result


def assert_chinese(result, *, code: int | None = None) -> None:
    shown = result.stdout + result.stderr
    assert code is None or result.exit_code == code, (result.exit_code, shown)
    assert "Traceback" not in shown and result.exception is None or isinstance(result.exception, SystemExit), shown
    assert re.search(r"[\u4e00-\u9fff]", shown), shown
    assert not english_left(shown), (english_left(shown), shown)


def command_paths() -> list[list[str]]:
    """Every command and group of the app, as the words a user types."""
    def walk(command, path: list[str]) -> list[list[str]]:
        found = [path]
        for name, sub in getattr(command, "commands", {}).items():
            found += walk(sub, [*path, name])
        return found

    return walk(typer.main.get_command(app), [])


def test_the_filter_finds_english() -> None:
    assert english_left("Usage: workbench [OPTIONS] COMMAND") == ["Usage"]
    assert english_left("Missing argument 'paths'.") == ["Missing", "argument"]
    assert english_left("3 file(s): 2 loaded → data/x.duckdb") == ["file", "loaded"]
    assert english_left("用法：workbench ingest [选项] {路径}... --db data/x.duckdb PDF read.twins_disagree") == []


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "workbench")
def test_every_help_is_chinese(path: list[str]) -> None:
    result = run(*path, "--help")
    assert_chinese(result, code=0)
    assert "用法：" in result.stdout and "选项" in result.stdout


def test_every_command_and_option_has_help_in_both_catalogues() -> None:
    root = typer.main.get_command(app)

    def walk(command, path: str) -> None:
        for lang in LANGUAGES:
            assert f"cmd.{path}.help" in catalogue(lang), (lang, path)
            for param in command.params:
                keys = (f"cmd.{path}.{param.name}", f"opt.{param.name}")
                assert any(k in catalogue(lang) for k in keys), (lang, path, param.name)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, name if path == "app" else f"{path}.{name}")

    walk(root, "app")


def test_catalogues_have_the_same_keys_and_fields() -> None:
    zh, en = catalogue("zh"), catalogue("en")
    assert set(zh) == set(en), (set(zh) ^ set(en))
    different = {k: (fields_of(zh[k]), fields_of(en[k])) for k in zh if fields_of(zh[k]) != fields_of(en[k])}
    assert not different, different


def test_every_msgid_points_at_a_key() -> None:
    from workbench.i18n.msgids import _patterns

    for section in ("click", "sources", "identities", "bundle"):
        for pattern, key in _patterns(section):
            assert key in catalogue("zh"), key
            assert set(pattern.groupindex) == fields_of(catalogue("zh")[key]), key


@pytest.mark.parametrize("args", [
    ["nosuch"],                          # no such command
    ["chek"],                            # … with a suggestion
    ["check", "--foo"],                  # no such option
    ["parse"],                           # missing argument
    ["synth", "out", "--agencies", "x"],  # a value of the wrong type
    ["query", "a", "b"],                 # extra argument
    ["check", "--db"],                   # option without its value
    ["--lang", "fr", "check"],           # unknown language
], ids=" ".join)
def test_usage_errors_are_chinese(args: list[str]) -> None:
    result = run(*args)
    assert_chinese(result, code=2)
    assert "错误" in result.stderr


def test_the_query_list_is_chinese() -> None:
    from workbench.i18n import _query_answers
    from workbench.store import list_queries

    assert {q.name for q in list_queries()} <= set(_query_answers())  # a new query needs its Chinese line
    listed = run("query")
    assert listed.exit_code == 0 and "penalties_trend" in listed.stdout and "行政处罚" in listed.stdout
    names = r"\b(" + "|".join(q.name for q in list_queries()) + r")\b"  # query names are typed as they are
    assert not english_left(re.sub(names, " ", listed.stdout)), english_left(re.sub(names, " ", listed.stdout))


def test_missing_database_is_chinese(tmp_path: Path) -> None:
    for command in (["check"], ["query", "digest_year_totals"], ["review", "list"], ["export"],
                    ["digest"], ["rectify", "--year", "2024"], ["narrative"]):
        extra = ["--out", tmp_path / "export"] if command[0] == "export" else []
        result = run(*command, "--db", tmp_path / "none.duckdb", *extra)
        assert result.exit_code == 1, (command, result.stdout + result.stderr)
        assert_chinese(result)
        assert "none.duckdb" in result.stderr, command


def test_missing_and_unreadable_files_are_chinese(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    fake = tmp_path / "report.docx"
    fake.write_text("这不是一个Word文件", encoding="utf-8")
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
    result = run("parse", empty, fake, cut)
    assert_chinese(result, code=1)
    assert all(p.name in result.stderr for p in (empty, fake, cut))
    assert "已解析 0 份报告，失败 3 份" in result.stdout
    missing = run("parse", tmp_path / "nothing-here.pdf")
    assert_chinese(missing, code=1)
    assert "nothing-here.pdf" in missing.stderr
    db = tmp_path / "t.duckdb"
    ingest = run("ingest", empty, fake, "--db", db, "--workers", "1", "--no-narrative", "--registry",
                 tmp_path / "none.csv")
    assert_chinese(ingest, code=1)
    assert "失败 2 份" in ingest.stdout and "empty.pdf" in ingest.stderr


def test_a_file_that_is_not_a_database_is_chinese(tmp_path: Path) -> None:
    db = tmp_path / "notes.duckdb"
    db.write_text("不是数据库", encoding="utf-8")
    result = run("check", "--db", db)
    assert_chinese(result, code=1)
    assert "notes.duckdb" in result.stderr and "DuckDB" in result.stderr


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("language")
    made = run("synth", folder / "corpus", "--agencies", "2", "--years", "2023-2024", "--formats", "html,txt",
               "--seed", "3", "--breaks", "0.5")
    assert_chinese(made, code=0)
    return folder


@pytest.mark.slow
def test_ingest_check_and_parse_speak_chinese(corpus: Path) -> None:
    db = corpus / "t.duckdb"
    loaded = run("ingest", corpus / "corpus", "--db", db, "--workers", "1", "--registry", corpus / "none.csv")
    assert loaded.exit_code == 0, loaded.stdout + loaded.stderr
    assert_chinese(loaded)
    assert "个文件：载入" in loaded.stdout
    again = run("ingest", corpus / "corpus", "--db", db, "--workers", "1", "--registry", corpus / "none.csv")
    assert_chinese(again, code=0)
    assert "（数据库未改变）" in again.stdout
    checked = run("check", "--db", db)
    assert_chinese(checked, code=0)
    assert "机关报告问题" in checked.stdout and "共 " in checked.stdout
    assert "严重程度" in checked.stdout  # the table's headers
    listed = run("review", "list", "--db", db)
    assert_chinese(listed, code=0)
    parsed = run("parse", *sorted((corpus / "corpus").rglob("*.html"))[:2])
    assert_chinese(parsed, code=0)
    assert "勾稽关系" in parsed.stdout
    themes = run("narrative", "--db", db)
    assert themes.exit_code == 0 and "主题" in themes.stdout
    keys = r"\((" + "|".join(default_taxonomy().labels()) + r")\)"  # theme keys, as taxonomy.yaml names them
    assert not english_left(re.sub(keys, " ", themes.stdout)), english_left(re.sub(keys, " ", themes.stdout))
    bad = corpus / "themes.yaml"
    bad.write_text("themes:\n  - key: b\n    label: 乙\n", encoding="utf-8")
    for taxonomy in (bad, corpus / "missing.yaml"):
        refused = run("narrative", "--db", db, "--taxonomy", taxonomy)
        assert_chinese(refused, code=1)
        assert taxonomy.name in refused.stderr
    scoped = run("digest", "--db", db, "--year", "1990")
    assert_chinese(scoped, code=1)
    assert "1990" in scoped.stderr


def test_english_still_works(tmp_path: Path) -> None:
    helped = run("ingest", "--help", env={"WORKBENCH_LANG": "en"})
    assert helped.exit_code == 0
    assert "Usage:" in helped.stdout and "Load reports into DuckDB" in helped.stdout and "用法" not in helped.stdout
    wrong = run("--lang", "en", "check", "--foo")
    assert wrong.exit_code == 2 and "No such option" in wrong.stderr
    missing = run("check", "--db", tmp_path / "none.duckdb", env={"WORKBENCH_LANG": "en"})
    assert missing.exit_code == 1 and "no database at" in missing.stderr
    # and the next run is Chinese again
    assert "用法：" in run("--help").stdout


def test_lang_option_beats_the_environment() -> None:
    result = run("--lang", "zh", "--help", env={"WORKBENCH_LANG": "en"})
    assert "用法：" in result.stdout and "Usage" not in result.stdout
    assert t("click.usage") == "用法："
