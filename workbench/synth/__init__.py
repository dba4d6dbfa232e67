"""Synthetic annual reports with ground truth, for testing the parser at scale.

``generate(outdir, agencies, years, seed, formats)`` builds a report record for every
agency × year (the truth), renders it as PDF / HTML / DOCX / TXT and writes each
document beside ``<stem>.expected.json``; ``breaks.tsv`` lists the reports broken on
purpose (:mod:`workbench.synth.breaks`). See :mod:`workbench.synth.generate`.
The bundled corpus under ``data/synthetic`` is :func:`workbench.synth.bundle.ensure_bundle`.
Scanned variants (image-only PDFs, a mixed PDF, HTML with table 三 as an image, page images),
each beside its truth, are :func:`workbench.synth.scanned.write_scanned` (``workbench synth --scanned``).
"""

from workbench.synth.breaks import BREAK_KINDS, BREAK_RULES, DEFAULT_BREAK_SHARE, Break
from workbench.synth.generate import FORMATS, BreakRow, GeneratedReport, generate, read_breaks

__all__ = ["BREAK_KINDS", "BREAK_RULES", "DEFAULT_BREAK_SHARE", "FORMATS", "Break", "BreakRow",
           "GeneratedReport", "generate", "read_breaks"]
