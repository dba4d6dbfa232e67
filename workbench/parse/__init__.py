"""Document → report record."""

from workbench.parse.record import ReportRecord
from workbench.parse.report import NotAReportError, parse_document, parse_file

__all__ = ["NotAReportError", "ReportRecord", "parse_document", "parse_file"]
