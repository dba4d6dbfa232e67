"""Synthetic annual reports with ground truth, for testing the parser at scale.

``generate(outdir, agencies, years, seed, formats)`` builds a report record for every
agency × year (the truth), renders it as PDF / HTML / DOCX / TXT and writes each
document beside ``<stem>.expected.json``. See :mod:`workbench.synth.generate`.
"""

from workbench.synth.generate import FORMATS, GeneratedReport, generate

__all__ = ["FORMATS", "GeneratedReport", "generate"]
