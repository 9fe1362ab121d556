"""`kb.py practice`: drill notebooks per role and stage (quizzes/drills/), or with --learner the
learner's 错题本 (quizzes/practice/<learner>.ipynb and <learner>-drills.ipynb). The only
module of practice/ besides deck.py that writes, through writers.write_if_changed."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import _
from ..model import Content
from ..problems import ContentError, Problem
from .drills import all_drills, drills_by_role
from .notebook import render_drill_notebook

DRILL_DIR = "quizzes/drills"
MISTAKE_DIR = "quizzes/practice"


def _published(root: Path):
    from ..pipeline import read_content
    from ..review import published, today
    everything = read_content(root)            # with the read cache kb.py build keeps
    return everything, published(everything, today())


def check_roles(content: Content, roles: list[str] | None) -> None:
    known = {role.id for role in content.of_kind("role")}
    unknown = sorted(set(roles or []) - known)
    if unknown:
        raise ContentError([Problem("content/roles", 0, 0, "", _("expected the id of a role, received '{role}'").format(role=role),
                                    _("roles: {roles}").format(roles=", ".join(sorted(known)))) for role in unknown])


def drill_notebook_files(content: Content, site_url: str | None, roles: list[str] | None = None) -> dict[str, str]:
    from ..quiz.generate import site_links
    from .page import drill_sets
    link_of = site_links(content, site_url, DRILL_DIR)
    files = {}
    per_role = drills_by_role(content, all_drills(content))
    for role in content.of_kind("role"):
        if roles and role.id not in roles:
            continue
        for docname, title, _, members in drill_sets(role.id, per_role[role.id]):
            name = docname.rsplit("/", 1)[1]
            files[f"{DRILL_DIR}/{name}.ipynb"] = render_drill_notebook(f"{role.data['name']} · {title}对练", role.id, members, link_of)
    return files


def write_drill_notebooks(root: Path, roles: list[str] | None = None, site_url: str | None = None) -> dict[str, bool]:
    from ..quiz.generate import site_url_from_config
    from ..writers import write_if_changed
    _, content = _published(root)
    check_roles(content, roles)
    files = drill_notebook_files(content, site_url or site_url_from_config(root), roles)
    return {rel: write_if_changed(root / rel, text) for rel, text in sorted(files.items())}


@dataclass
class MistakeReport:
    learner: str
    attempts: int
    missed: list[str] = field(default_factory=list)
    variants: int = 0
    drills: int = 0
    gone: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)


def write_mistakes(root: Path, learner: str, site_url: str | None = None) -> MistakeReport:
    """The learner's 错题本 from their attempts in the results store."""
    from ..quiz.bank import load_bank
    from ..quiz.blueprint import item_pool
    from ..quiz.generate import site_links, site_url_from_config
    from ..quiz.notebook import render_notebook
    from ..writers import write_if_changed
    from .mistakes import learner_attempts, practice_quiz, practice_set, slug
    everything, content = _published(root)
    attempts = learner_attempts(root, learner)
    if not attempts:
        raise ContentError([Problem("results/store.jsonl", 0, 0, "learner", _("expected quiz attempts of '{learner}', received none").format(learner=learner),
                                    _("check the spelling of the name, or import the learner's records first: python scripts/kb.py results import FILE"))])
    chosen = practice_set(content, item_pool(content, load_bank(root, everything)), learner, attempts)
    report = MistakeReport(learner, len(attempts), [i.id for i in chosen.missed], len(chosen.variants), len(chosen.drills), list(chosen.gone))
    if not chosen.missed:
        return report
    site_url = site_url or site_url_from_config(root)
    role_id = sorted(attempts, key=lambda r: r.get("submitted_at", ""))[-1].get("role", "")
    role = content.items.get(role_id)
    quiz = practice_quiz(chosen, role_id, role.data["name"] if role else role_id)
    name = slug(learner)
    files = {f"{MISTAKE_DIR}/{name}.ipynb": render_notebook(quiz, site_links(content, site_url, MISTAKE_DIR))}
    if chosen.drills:
        files[f"{MISTAKE_DIR}/{name}-drills.ipynb"] = render_drill_notebook(
            f"{learner}的错题本 · 对练", role_id, list(chosen.drills), site_links(content, site_url, MISTAKE_DIR))
    for rel, text in sorted(files.items()):
        write_if_changed(root / rel, text)
        report.written.append(rel)
    return report
