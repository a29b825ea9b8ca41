"""Exporting from the framework matrix: framework charts per theme or the columns shown
(.docx, .xlsx, .csv) and the matrix coding query (.csv), each written as a job on its own
connection (``charts`` and ``write_matrix`` are what the job runs: no widgets there)."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog


class MatrixExports:
    """The export half of ``MatrixView`` (it reads the view's models, options and status)."""
    CHART_FILTERS = ("Word, one framework chart per theme (*.docx)", "Word, the columns shown (*.docx)",
                     "Excel, one sheet per theme and an overview (*.xlsx)", "Excel, the columns shown (*.xlsx)",
                     "CSV, the columns shown (*.csv)")

    def export_dialog(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(self, "Export framework matrix", f"{self.ctx.project.name}-matrix.docx",
                                                   ";;".join(self.CHART_FILTERS), self.CHART_FILTERS[0])
        if path:
            self.export(path, with_quotes=True, confirmed=True, per_theme="per theme" in (chosen or ""))

    def framework_charts(self) -> list:
        """One chart per theme (as the command line's default) with this view's rows: the
        same filter, grouping and order."""
        return charts(self.ctx.project, self._chart_spec())

    def _chart_spec(self) -> tuple:
        model = self.model
        return model.where_expr, model.row_kind, model.group_by, model.sort_by

    def export(self, path: str, with_quotes: bool = False, confirmed: bool = False, per_theme: bool = True):
        """Write the matrix as a job on its own connection: .docx and .xlsx as one framework
        chart per theme (``per_theme``, the default, like ``qualcoder-lite matrix``) or one
        chart of the columns shown; .csv is always the columns shown. Returns the job (its
        ``result`` is the path written), or None when refused at once."""
        from pathlib import Path

        from .jobs import Job
        from .save_target import choose_target

        p = Path(path)
        if p.suffix.lower() not in (".xlsx", ".csv", ".docx"):
            p, confirmed = p.with_suffix(".docx"), False
        target = choose_target(self, p, self.ctx.project, confirmed=confirmed, title="Export framework matrix")
        if target is None:
            return None
        shown, kind, spec = self.model.matrix, p.suffix.lower(), self._chart_spec()
        per_theme = per_theme and kind != ".csv"

        written = {"charts": 0}

        def write(own, _progress):
            found = (charts(own, spec) or None) if per_theme else None  # none: the view's own chart
            write_matrix(own, found, shown, kind, target, with_quotes)
            written["charts"] = len(found or [])
            return str(p)

        def done(_out) -> None:
            n = written["charts"]
            self.status.setText(f"Exported {p.name}" + (f": {n} charts, one per theme" if n else ""))

        return (Job(self, write, project=self.ctx.project, what="Export framework matrix")
                .success(done)
                .failure(lambda msg: self.status.setText(f"Export failed: {msg}"))
                .with_progress("Export framework matrix", object_name="exportProgress")
                .run())

    def export_query(self, path: str | None = None):
        """Write the matrix coding query as CSV in a job; returns it (its ``result`` is the
        path written), or None when refused at once."""
        from ..core.formats.tables_csv import write_rows_csv
        from .jobs import Job
        from .save_target import choose_target, from_dialog

        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(self, "Export matrix coding query", "coding-query.csv",
                                                    "CSV (*.csv)")
            target = from_dialog(self, chosen, ".csv", self.ctx.project, "Export matrix coding query")
        else:
            target = choose_target(self, path, self.ctx.project, title="Export matrix coding query")
        if target is None:
            return None
        head = ["code"] + [f"{self.query_attr.currentData()}={v} ({self.query.measure})" for v in self.query.values]
        rows = [[col.display_path] + [self.query.data(self.query.index(r, c)) for c in range(len(self.query.values))]
                for r, col in enumerate(self.query.columns)]
        return (Job(self, lambda _progress: str(write_rows_csv(head, rows, target)), what="Export matrix coding query")
                .success(lambda out: self.status.setText(f"Exported {out}"))
                .failure(lambda msg: self.status.setText(f"Export failed: {msg}"))
                .with_progress("Export matrix coding query", object_name="exportProgress")
                .run())


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
