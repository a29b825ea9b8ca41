"""Exporting from the framework matrix: framework charts per theme or the columns shown
(.docx, .xlsx, .csv) and the matrix coding query (.csv)."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog

from ..core.errors import QualCoderError


class MatrixExports:
    """The export half of ``MatrixView`` (it reads the view's models, options and status)."""

    # -- export ---------------------------------------------------------------------
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
        from ..core.services.sources.filters import parse_where
        from ..core.services.matrix.matrix import framework_charts

        model = self.model
        where = parse_where(self.ctx.project, [model.where_expr]) if model.where_expr else None
        charts = framework_charts(self.ctx.project, row_kind=model.row_kind, where=where, group_by=model.group_by,
                                  sort_by=model.sort_by)
        return [m for m in charts if m.columns]

    def export(self, path: str, with_quotes: bool = False, confirmed: bool = False, per_theme: bool = True) -> str:
        """Write the matrix: .docx and .xlsx as one framework chart per theme (``per_theme``,
        the default, like ``qualcoder-lite matrix``) or one chart of the columns shown; .csv
        is always the columns shown."""
        from pathlib import Path

        from ..core.formats import matrix_export as mx
        from ..core.services.sources.study import study, study_title
        from .save_target import choose_target

        p = Path(path)
        if p.suffix.lower() not in (".xlsx", ".csv", ".docx"):
            p, confirmed = p.with_suffix(".docx"), False
        target = choose_target(self, p, self.ctx.project, confirmed=confirmed, title="Export framework matrix")
        if target is None:
            return ""
        project = self.ctx.project
        kind = p.suffix.lower()
        charts = self.framework_charts() if per_theme and kind != ".csv" else None
        if charts == []:
            charts = None  # no theme has columns: the view's own chart
        what = charts if charts is not None else self.model.matrix
        quotes = None
        if with_quotes:
            quotes = {}
            for m in charts or [self.model.matrix]:
                quotes.update(mx.matrix_quotes(project, m))
        try:
            if kind == ".xlsx":
                mx.write_xlsx(what, target, quotes)
            elif kind == ".csv":
                mx.write_csv(self.model.matrix, target, quotes)
            else:
                mx.write_docx(what, target, study_title(project), quotes, authors=study(project).authors)
        except (QualCoderError, OSError) as exc:
            self.status.setText(f"Export failed: {exc}")
            return ""
        self.status.setText(f"Exported {p.name}" + (f": {len(charts)} charts, one per theme" if charts else ""))
        return str(p)

    def export_query(self, path: str | None = None) -> str:
        from ..core.formats.tables_csv import write_rows_csv
        from .save_target import choose_target, from_dialog

        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(self, "Export matrix coding query", "coding-query.csv",
                                                    "CSV (*.csv)")
            target = from_dialog(self, chosen, ".csv", self.ctx.project, "Export matrix coding query")
        else:
            target = choose_target(self, path, self.ctx.project, title="Export matrix coding query")
        if target is None:
            return ""
        head = ["code"] + [f"{self.query_attr.currentData()}={v} ({self.query.measure})" for v in self.query.values]
        rows = [[col.display_path] + [self.query.data(self.query.index(r, c)) for c in range(len(self.query.values))]
                for r, col in enumerate(self.query.columns)]
        try:
            out = write_rows_csv(head, rows, target)
        except (QualCoderError, OSError) as exc:
            self.status.setText(f"Export failed: {exc}")
            return ""
        self.status.setText(f"Exported {out}")
        return str(out)
