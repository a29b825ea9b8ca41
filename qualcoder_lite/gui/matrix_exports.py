"""What the framework matrix view's export job does on its own connection (no widgets
here): the charts, one per theme, for the view's rows, and writing them with their quotes."""

from __future__ import annotations


def charts(project, spec: tuple) -> list:
    """The framework charts, one per theme with columns, for a view's (filter, row kind,
    grouping, order)."""
    from ..core.services.matrix.matrix import framework_charts
    from ..core.services.sources.filters import parse_where

    where_expr, row_kind, group_by, sort_by = spec
    where = parse_where(project, [where_expr]) if where_expr else None
    charts = framework_charts(project, row_kind=row_kind, where=where, group_by=group_by, sort_by=sort_by)
    return [m for m in charts if m.columns]


def write_matrix(project, charts, shown, kind: str, target, with_quotes: bool) -> None:
    """Write ``charts`` (one per theme) or the ``shown`` chart, with their quotes."""
    from ..core.formats import matrix_export as mx
    from ..core.services.matrix.cell_quotes import matrix_quotes
    from ..core.services.sources.study import study, study_title

    what = charts if charts is not None else shown
    quotes = None
    if with_quotes:
        quotes = {}
        for m in charts or [shown]:
            quotes.update(matrix_quotes(project, m))
    if kind == ".xlsx":
        mx.write_xlsx(what, target, quotes)
    elif kind == ".csv":
        mx.write_csv(shown, target, quotes)
    else:
        from ..core.services.anchors.export_notes import summary_notes

        notes = {k: v for m in charts or [shown] for k, v in summary_notes(project, m).items()}
        mx.write_docx(what, target, study_title(project), quotes, authors=study(project).authors, notes=notes)
