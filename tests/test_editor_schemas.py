"""Editor support: every content file names its JSON Schema on its first line, and the VS Code
settings map each content folder to the same schema, so the YAML extension validates and
completes fields even in a file that lost its first line."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import ROOT
from kb.model import KINDS

SCHEMAS = ROOT / "scripts" / "kb" / "schemas"
MODELINE = re.compile(r"# yaml-language-server: \$schema=(\S+)")
CONTENT_FILES = sorted((ROOT / "content").rglob("*.yml"))


def modeline_target(path: Path) -> Path | None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = MODELINE.fullmatch(first)
    return (path.parent / match.group(1)).resolve() if match else None


def test_there_is_content_to_check():
    assert len(CONTENT_FILES) >= 70


@pytest.mark.parametrize("path", CONTENT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_content_file_starts_with_its_schema_line(path):
    if path.parent.name == "content":       # content/synonyms.yml, the finder's synonym groups
        assert modeline_target(path) == SCHEMAS / f"{path.stem}.schema.json"
        return
    kind = next(k for k in KINDS if k.folder == path.parent.name)
    assert modeline_target(path) == SCHEMAS / f"{kind.name}.schema.json", (
        f"{path.relative_to(ROOT)}: the first line must be "
        f"# yaml-language-server: $schema=../../scripts/kb/schemas/{kind.name}.schema.json")


def test_vscode_settings_map_every_content_folder_to_its_schema():
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapping = {glob: schema for schema, globs in settings["yaml.schemas"].items() for glob in globs}
    for kind in KINDS:
        schema = mapping[f"content/{kind.folder}/*.yml"]
        assert (ROOT / schema).resolve() == SCHEMAS / f"{kind.name}.schema.json"
    assert (ROOT / mapping["scripts/kb/data/compliance.yml"]).resolve() == SCHEMAS / "compliance.schema.json"
    assert (ROOT / mapping["content/synonyms.yml"]).resolve() == SCHEMAS / "synonyms.schema.json"


def test_schema_references_resolve_to_files_beside_them():
    """Editors load a `$ref` like common.schema.json#/$defs/id from the schema's own folder."""
    for schema in sorted(SCHEMAS.glob("*.schema.json")):
        text = schema.read_text(encoding="utf-8")
        for ref in set(re.findall(r'"\$ref":\s*"([^"#]+)#', text)):
            target = json.loads((SCHEMAS / ref).read_text(encoding="utf-8"))
            for pointer in re.findall(rf'"\$ref":\s*"{re.escape(ref)}#/\$defs/([^"]+)"', text):
                assert pointer in target["$defs"], f"{schema.name}: {ref}#/$defs/{pointer}"


def test_trainer_guide_explains_both_ways():
    guide = (ROOT / "book" / "trainer-guide.md").read_text(encoding="utf-8")
    assert "# yaml-language-server: $schema=" in guide
    assert ".vscode/settings.json" in guide
    for command in ("kb.py new", "kb.py review", "kb.py serve", "build --preview", "compliance_exceptions"):
        assert command in guide, command
