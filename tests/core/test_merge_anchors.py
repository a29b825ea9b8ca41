"""A merge keeps the colleague's annotations, see-also links and summary links, once, on the
matched sources, cases and codes; the whole merge undoes in one step."""

from __future__ import annotations

import shutil

from qualcoder_lite.core.project import new_project, open_project
from qualcoder_lite.core.services.anchors.annotations import AddAnnotation, annotations
from qualcoder_lite.core.services.anchors.links import AddLink, links
from qualcoder_lite.core.services.anchors.summary_links import AddSummaryLink, summary_links
from qualcoder_lite.core.services.coding.codes import AddCode
from qualcoder_lite.core.services.matrix.summaries import SetCellSummary
from qualcoder_lite.core.services.team.merge import merge_copy
from tests.helpers import add_text_source, dump

TEXT_A = "P1: The reforms were rushed.\nWe had no time to plan.\n"
TEXT_B = "P2: Funding came late.\nThe cluster met monthly.\n"


def _base(path):
    with new_project(path, coder="alex") as p:
        add_text_source(p, "P1", TEXT_A, case="P1")
        add_text_source(p, "P2", TEXT_B, case="P2")
        p.execute(AddCode("Reform"))
        case = p.cases.all()[0].id
        p.execute(SetCellSummary(case, p.codes.find("Reform").id, "Rushed, no time to plan"))


def test_merge_adds_anchors_once_and_undoes(tmp_path):
    mine, theirs = tmp_path / "mine.qlite", tmp_path / "theirs.qlite"
    _base(mine)
    shutil.copy(mine, theirs)
    with open_project(theirs, coder="sam") as p:
        a, b = p.sources.by_name("P1").id, p.sources.by_name("P2").id
        p.execute(AddAnnotation(a, 4, 15, "sam's note"))
        p.execute(AddLink(a, 4, 15, b, 4, 22))
        p.execute(AddLink(b, 23, 40, a))
        case = p.cases.all()[0].id  # P1
        p.execute(AddSummaryLink("case", case, p.codes.find("Reform").id, "no time", a, 29, 52))
    with open_project(mine, coder="alex") as p:
        before = dump(p)
        cmd = merge_copy(p, theirs)
        report = cmd.result
        assert (report.counts["annotations_added"], report.counts["links_added"],
                report.counts["summary_links_added"]) == (1, 2, 1)
        assert [(x.source, x.text, x.author) for x in annotations(p)] == [("P1", "sam's note", "sam")]
        assert sorted((x.source, x.target_source, x.target_start) for x in links(p)) == [
            ("P1", "P2", 4), ("P2", "P1", None)]
        assert [(x.phrase, x.start, x.end) for x in summary_links(p)] == [("no time", 29, 52)]
        again = merge_copy(p, theirs)  # merging the same copy again adds nothing
        assert again.result.counts["annotations_added"] == again.result.counts["links_added"] == 0
        assert again.result.counts["summary_links_added"] == 0
        p.undo(again)
        p.undo(cmd)
        assert dump(p) == before
