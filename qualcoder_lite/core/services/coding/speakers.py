"""Speaker roles: mark interviewers, whose turns stay out of quotes and autocode by default."""

from __future__ import annotations

from ...commands import Command
from ...errors import UsageError
from ...store.recorder import Recorder


def speakers(project) -> list[dict]:
    """Every speaker with turn and source counts and their role."""
    roles = project.sources.speaker_roles()
    rows = project.conn.execute(
        "SELECT speaker, count(*), count(DISTINCT source_id) FROM speaker_turns "
        "WHERE speaker IS NOT NULL GROUP BY speaker ORDER BY speaker"
    ).fetchall()
    return [{"speaker": r[0], "turns": r[1], "sources": r[2], "role": roles.get(r[0], "participant")} for r in rows]


class SetSpeakerRole(Command):
    def __init__(self, speaker: str, role: str):
        super().__init__()
        if role not in ("interviewer", "participant"):
            raise UsageError(f"unknown speaker role {role!r} (interviewer or participant)")
        self.speaker, self.role = speaker, role
        self.name = f"Mark {speaker} as {role}"

    def apply(self, project, rec: Recorder) -> bool:
        known = {s["speaker"] for s in speakers(project)}
        if self.speaker not in known:
            raise UsageError(f"no speaker named {self.speaker!r} in any source")
        row = project.conn.execute("SELECT id, role FROM speaker_roles WHERE speaker = ?", (self.speaker,)).fetchone()
        if row is None:
            rec.insert("speaker_roles", {"speaker": self.speaker, "role": self.role})
            return True
        return rec.update("speaker_roles", row["id"], {"role": self.role})
