"""Word and CSV exports for the paper: quote tables, the codebook, a coded transcript.

The command line and the GUI's background worker call these; each checks its input, says
clearly when there is nothing to export (no file is written) and writes atomically.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ... import codepath, outfile
from ...errors import QualCoderError, UsageError
from ..gcpause import no_cyclic_gc
from .quotes import Progress, QuoteReport, ReportOptions
from .report_build import build_report


class NothingToExport(QualCoderError):
    """The selection is empty: no file was written (exit 1 on the command line)."""


@dataclass
class ExportResult:
    path: Path
    summary: str
    warnings: list[str]


def check_suffix(path: "str | Path | outfile.Output", allowed: tuple[str, ...], what: str) -> Path:
    p = Path(outfile.as_output(path).path)
    if p.suffix.lower() not in allowed:
        raise UsageError(f"--out {p.name}: {what} is written as {' or '.join(allowed)}")
    return p


def _target(project, path, allowed: tuple[str, ...], what: str) -> tuple[outfile.Output, Path]:
    """The checked output (refused before any work when it may not be written)."""
    target = outfile.for_project(path, project)
    p = check_suffix(target, allowed, what)
    outfile.check(target)
    return target, p


def report_warnings(report: QuoteReport) -> list[str]:
    # read by a person in the report dialog too: the code's names, not its escaped path
    out = [f"no quotes for '{codepath.display_escaped(c)}'; its table is left out" for c in report.empty_codes]
    return out


def _nothing_reason(project, report: QuoteReport, opts: ReportOptions) -> str:
    if not report.empty_codes:
        return "nothing to export: the project has no codes; no file written"
    if opts.codes:
        names = [repr(c) for c in report.empty_codes]
        what = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    else:
        what = "any theme"
    filters = []
    if opts.where:
        filters.append("--where " + " ".join(opts.where))
    if opts.coders:
        filters.append("--coded-by " + " ".join(opts.coders))
    reason = f"nothing to export: no coded passages under {what}"
    if filters:
        reason += f" with {' and '.join(filters)}"
    reason += "; no file written"
    if opts.codes and not opts.descendants:
        parents = [c for c in report.empty_codes if project.codes.descendants(project.codes.resolve(c).id)]
        if parents:
            reason += f" ({parents[0]!r} has sub-codes: add --descendants to include them)"
    return reason


def write_report(project, opts: ReportOptions, path: str | Path, progress: Progress | None = None) -> ExportResult:
    from .report_docx import write_quote_report

    target, path = _target(project, path, (".docx",), "a quote report")
    from ..sources.study import study

    with no_cyclic_gc():
        report = build_report(project, opts, progress=progress)
        details = study(project)
        report.study_title, report.authors = details.title, details.authors
        if not report.tables:
            raise NothingToExport(_nothing_reason(project, report, opts))
        write_quote_report(report, target, progress=progress)
    return ExportResult(path, f"wrote {path}: {report.summary()}", report_warnings(report))


def export_codebook(project, path: str | Path, font: str = "Arial", font_size: float = 10,
                    page_size: str = "A4") -> ExportResult:
    from ...formats.csv_codebook import write_codebook_csv
    from ...formats.docx_codebook import write_codebook_docx
    from ..coding.codebook import codebook_rows

    target, path = _target(project, path, (".docx", ".csv"), "a codebook")
    check_font(font, font_size)
    rows = codebook_rows(project)
    if not rows:
        raise NothingToExport("nothing to export: the project has no codes; no file written")
    if path.suffix.lower() == ".csv":
        write_codebook_csv(rows, target)
    else:
        from ..sources.study import study_title

        from ..sources.study import study

        write_codebook_docx(rows, target, study_title(project), font=font, font_size=font_size, page_size=page_size,
                            authors=study(project).authors)
    themes = sum(1 for r in rows if r.level == 1)
    return ExportResult(path, f"wrote {path}: {len(rows)} codes in {themes} theme{'s' if themes != 1 else ''}", [])


def check_font(font: str, size: float) -> None:
    if not font.strip():
        raise UsageError("the font name is empty")
    if not 6 <= size <= 24:
        raise UsageError(f"font size {size:g} is out of range (6 to 24 points)")


def resolve_source(project, name: str):
    source = project.sources.by_name(name)
    if source is None:
        names = [s.name for s in project.sources.all()]
        shown = ", ".join(names[:12]) + (" …" if len(names) > 12 else "")
        raise UsageError(f"unknown source {name!r} (sources: {shown or 'none imported'})")
    return source


def export_source(project, name: str, path: str | Path, coders: list[str] | None = None,
                  font: str = "Arial", font_size: float = 10, page_size: str = "A4",
                  progress: Progress | None = None) -> ExportResult:
    """A source with its coded passages as Word comments naming the codes (one comment
    per passage and coder), speaker labels in bold and the transcript view's line numbers."""
    from ...formats.docx_transcript import MarkedPassage, write_coded_transcript

    target, path = _target(project, path, (".docx",), "a coded transcript")
    check_font(font, font_size)
    source = resolve_source(project, name)
    known = [c.name for c in project.coders.all()]
    for c in coders or ():
        if c not in known:
            raise UsageError(f"unknown coder {c!r} (coders: {', '.join(known) or 'none'})")
    codes = {c.id: c for c in project.codes.all()}
    grouped: dict[tuple[int, int, str], list] = {}
    for k in project.codings.for_source(source.id, coders or None):
        grouped.setdefault((k.start, k.end, k.coder), []).append(k)
    passages = []
    for (start, end, coder), ks in grouped.items():
        ks.sort(key=lambda k: codes[k.code_id].path)
        passages.append(MarkedPassage(
            start, end, tuple(codes[k.code_id].display_path for k in ks), coder,
            tuple(k.memo for k in ks if k.memo.strip())))
    facts = []
    if source.cases:
        values = project.attributes.case_values()
        case_id = project.cases.id_of(source.cases[0])
        attrs = values.get(case_id, {}) if case_id is not None else {}
        shown = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in attrs.items() if v)
        facts.append(("Case" if len(source.cases) == 1 else "Cases",
                      ", ".join(source.cases) + (f" ({shown})" if shown and len(source.cases) == 1 else "")))
    facts.append(("Project", project.name))
    n_codings = sum(len(v) for v in grouped.values())
    who = sorted({c for _s, _e, c in grouped})
    facts.append(("Coding", f"{n_codings} coding{'s' if n_codings != 1 else ''} in {len(passages)} "
                            f"passage{'s' if len(passages) != 1 else ''}"
                            + (f" by {', '.join(who)}" if who else "")))
    from ..anchors.export_notes import annotation_comments

    notes = annotation_comments(project, source.id, coders)
    if notes:
        facts.append(("Annotations", f"{len(notes)} (comments by “Annotation”)"))
    out, written = write_coded_transcript(
        target, source.name, facts, project.sources.text(source.id), project.sources.turns(source.id),
        passages + notes, font=font, font_size=font_size, page_size=page_size, progress=progress)
    warnings = [] if passages else [f"{source.name} has no codings{' by ' + ', '.join(coders) if coders else ''}; "
                                    "the transcript is exported " + ("with its annotations only" if notes
                                                                     else "without comments")]
    return ExportResult(out, f"wrote {out}: {source.name} with {written} comment{'s' if written != 1 else ''}",
                        warnings)
