"""The error catalogue: every way a document can fail, with a stable code.

A failed document becomes a ``documents`` row with ``status=error`` and
``error = "<CODE>: <one-line reason>"``; the run goes on.
"""

from __future__ import annotations

CATALOGUE: dict[str, str] = {
    "E001": "file is empty",
    "E002": "file looks binary, not text",
    "E003": "could not decode text",
    "E004": "broken HTML",
    "E005": "could not read DOCX",
    "E006": "could not read PDF",
    "E007": "PDF has no text layer (scanned image?); OCR it first",
    "E008": "file is too large",
    "E009": "no text after extraction",
    "E010": "unsupported file type",
    "E011": "cannot read file",
    "E012": "took longer than the per-document time limit",
    "E099": "internal error while processing",
}


class DocumentError(Exception):
    """A document cannot be processed; carries a catalogue code and a detail."""

    def __init__(self, code: str, detail: str = "") -> None:
        if code not in CATALOGUE:
            raise ValueError(f"unknown error code {code}")
        self.code = code
        self.detail = detail
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """``CODE: message (detail)`` on a single line."""
        msg = f"{self.code}: {CATALOGUE[self.code]}"
        if self.detail:
            msg += f" ({self.detail})"
        return " ".join(msg.split())
