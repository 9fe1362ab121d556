"""`kb.py quiz`: read content and bank, build every role's quiz, write notebooks (and, in
certification mode, offline pages and the trainer's keys). Only this module's `write_quizzes`
touches the disk, through writers.write_if_changed.

Practice: quizzes/<role>.ipynb (seed 0) or quizzes/<role>-v<N>.ipynb (a variant for retakes).
Certify:  quizzes/certify/<role>-certify[-v<N>].ipynb and .html (git-ignored).
Keys:     keys/<quiz id>/<version>.json for every quiz written, never overwritten (quiz/keys.py).
"""
from __future__ import annotations

import posixpath
import time
from pathlib import Path

import yaml

from ..i18n import _
from ..model import Content
from ..problems import ContentError, Problem
from ..pages import GENERATED_DIR, anchor, page_of
from .blueprint import build_quiz
from .model import Quiz
from ..i18n import N_, _

QUIZ_DIR = "quizzes"
CERTIFY_DIR = "quizzes/certify"
PUBLISHED_SITE = "_build/html"


def site_url_from_config(root: Path) -> str | None:
    """html.baseurl of _config.yml (Jupyter Book's own setting for where the site lives)."""
    try:
        config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return None
    url = (config.get("html") or {}).get("baseurl")
    return url.rstrip("/") if isinstance(url, str) and url.strip() else None


def site_links(content: Content, site_url: str | None, from_dir: str):
    """link_of(content_id) -> (title, url): under site_url if given, else relative from
    `from_dir` (a folder of the project) to the built site in _build/html."""
    def link_of(content_id: str) -> tuple[str, str]:
        item = content.items[content_id]
        page = f"{page_of(item, content)}.html#{anchor(content_id)}"
        if site_url:
            return item.title, f"{site_url}/{page}"
        return item.title, posixpath.relpath(f"{PUBLISHED_SITE}/{page}", from_dir)
    return link_of


def self_check_url(quiz: Quiz, site_url: str | None) -> str | None:
    """The role's self-check page on the published site (for learners on a phone), if known."""
    return f"{site_url}/{GENERATED_DIR}/quizzes/{quiz.role_id}.html" if site_url else None


def local_links_warning() -> Problem:
    return Problem("_config.yml", 0, 0, "html.baseurl",
                   _("expected the address of the published site, received nothing: the notebooks' links to reread "
                     "point at the local _build/html, which a learner who only received the .ipynb cannot open"),
                   _("set html.baseurl in _config.yml (e.g. https://kb.example.com/) or pass --site-url"), severity="warning")


def build_all(content: Content, items: list, seed: int, mode: str, roles: list[str] | None = None) -> tuple[list[Quiz], list[Problem]]:
    """Every role's quiz (or only `roles`); raises ContentError if a blueprint cannot be met."""
    quizzes, problems = [], []
    for role in content.of_kind("role"):
        if roles and role.id not in roles:
            continue
        quiz, found = build_quiz(content, items, role, seed, mode)
        problems += found
        if quiz is not None:
            quizzes.append(quiz)
    if any(p.severity == "error" for p in problems):
        raise ContentError(problems)
    return quizzes, problems


def quiz_files(quizzes: list[Quiz], content: Content, site_url: str | None) -> dict[str, str]:
    """Every file to write, keyed by path relative to the project root (pure)."""
    from .notebook import render_notebook
    from .page import standalone_html
    files = {}
    for quiz in quizzes:
        if quiz.mode == "practice":
            files[f"{QUIZ_DIR}/{quiz.quiz_id}.ipynb"] = render_notebook(quiz, site_links(content, site_url, QUIZ_DIR),
                                                                        self_check_url(quiz, site_url))
        else:
            files[f"{CERTIFY_DIR}/{quiz.quiz_id}.ipynb"] = render_notebook(quiz, site_links(content, site_url, CERTIFY_DIR))
            files[f"{CERTIFY_DIR}/{quiz.quiz_id}.html"] = standalone_html(quiz, site_links(content, site_url, CERTIFY_DIR))
    return files


def write_quizzes(root: Path, progress, seed: int = 0, certify: bool = False, site_url: str | None = None,
                  roles: list[str] | None = None) -> dict[str, bool]:
    """Build and write the quizzes and archive their keys; returns {path: written?}. Raises
    ContentError on problems."""
    from ..pipeline import read_content
    from ..review import published, today
    from ..writers import write_if_changed
    from .bank import load_bank
    from .blueprint import item_pool, versioned
    from .keys import archive_key, grading_secret, key_data, key_mac, locked_cells
    started = time.perf_counter()
    everything = read_content(root)            # with the read cache kb.py build keeps
    bank = load_bank(root, everything)         # checked against all content, like kb.py check
    content = published(everything, today())   # quizzes ask only about what the site shows
    items = item_pool(content, bank, "certify" if certify else "practice")
    unknown = sorted(set(roles or []) - {role.id for role in content.of_kind("role")})
    if unknown:
        raise ContentError([Problem("content/roles", 0, 0, "", _("expected the id of a role, received '{role}'").format(role=role),
                                    _("roles: ") + ", ".join(r.id for r in content.of_kind("role"))) for role in unknown])
    mode = "certify" if certify else "practice"
    quizzes, warnings = build_all(content, items, seed, mode, roles)
    site_url = (site_url or site_url_from_config(root) or "").rstrip("/") or None
    if not site_url:
        warnings.append(local_links_warning())
    for warning in warnings:
        progress.out(warning.format())
    if certify:
        secret = grading_secret(root)
        quizzes = [versioned(quiz, key_mac(secret, quiz)) for quiz in quizzes]
    files = quiz_files(quizzes, content, site_url)
    questions = sum(len(quiz.questions) for quiz in quizzes)
    progress.stage(N_("quiz"), started, _("{quizzes} quizzes, {questions} questions ({items} items in the pool)").format(
        quizzes=len(quizzes), questions=questions, items=len(items)))
    started = time.perf_counter()
    written = {rel: write_if_changed(root / rel, text) for rel, text in sorted(files.items())}
    for quiz in quizzes:      # the key of each version, kept beside the older ones
        key = key_data(quiz, site_links(content, site_url, "."))
        if quiz.mode == "certify":
            key["locked_cells"] = locked_cells(files[f"{CERTIFY_DIR}/{quiz.quiz_id}.ipynb"])
        archive_key(root, key)
    changed = sum(written.values())
    progress.stage(N_("write"), started, _("{written} written, {unchanged} unchanged").format(written=changed, unchanged=len(written) - changed))
    return written
