"""Report audit: where a budget report contradicts itself. `context` holds the types every rule uses, `tables` and
`text` the rules, `run` runs them over a report, `export` writes findings to .xlsx/.docx/.json."""

from qa.audit.context import SEVERITY_LABELS, Context, Finding
from qa.audit.run import audit, audit_report, notes_for, ordered

__all__ = ["SEVERITY_LABELS", "Context", "Finding", "audit", "audit_report", "notes_for", "ordered"]
