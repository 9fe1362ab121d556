"""Properties of the reader and renderer on generated input (hypothesis):

- random valid content (any text, punctuation and markup included, in every text field of
  the mini fixture) always loads and renders every page, with the text escaped;
- random mutations of valid files (bytes or data) either load or raise ContentError, never
  another exception;
- the compiled yes/no validator (schema.is_valid) agrees with the full jsonschema one.
"""
from __future__ import annotations

import copy
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES

from kb import mdtext
from kb.content import load_content
from kb.model import KIND_BY_FOLDER
from kb.placeholders import PLACEHOLDERS
from kb.placeholders import names_in as placeholder_names
from kb.problems import ContentError
from kb.render import page_of
from kb.pipeline import site_files
from kb.schema import is_valid, validator
from kb.yamlread import read_yaml

MINI = FIXTURES / "mini"
FILES = sorted(MINI.rglob("*.yml"))
ORIGINAL = {path.relative_to(MINI).as_posix(): read_yaml(path.read_bytes(), path.name)[0].data for path in FILES}
KIND_OF = {rel: KIND_BY_FOLDER[rel.split("/")[0]].name for rel in ORIGINAL}

VALID_EXAMPLES = 150
MUTATION_EXAMPLES = 400
AGREEMENT_EXAMPLES = 400
EXAMPLE_COUNTS = {"valid content renders": VALID_EXAMPLES, "byte mutations": MUTATION_EXAMPLES,
                  "data mutations": MUTATION_EXAMPLES, "validators agree": AGREEMENT_EXAMPLES}

# Any printable text, markup included; '%' is left out because "100%" is a compliance term
# (an approved item with it fails the build on purpose), and so are CJK characters that could
# spell one: the CJK part is a fixed harmless set.
TEXT_CHARS = st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E, blacklist_characters="%"),
    st.sampled_from(list("您好客户面霜适合我们价格说明") + ["\u200b", "é", "א", "😀", "\n", " "]))
LINE = st.text(TEXT_CHARS.filter(lambda c: c != "\n"), min_size=1, max_size=60)   # title-like fields are one line
TAG = st.text(TEXT_CHARS.filter(lambda c: c != "\n"), min_size=1, max_size=30)
# A reply may only name known placeholders ({称呼} …); an unknown one such as {们} is a content error.
REPLY = LINE.filter(lambda text: all(name in PLACEHOLDERS for name in placeholder_names(text)))

# Text fields of the mini fixture that take any line of text: (file, key path).
TEXT_FIELDS = [
    ("scripts/ask-price.yml", ("title",)), ("scripts/ask-price.yml", ("customer_says", 0)),
    ("scripts/ask-price.yml", ("concern",)), ("scripts/ask-price.yml", ("response", "steps", 0)),
    ("scripts/ask-price.yml", ("response", "text")), ("scripts/ask-price.yml", ("avoid", 0, "why")),
    ("scripts/ask-skin.yml", ("title",)), ("scripts/ask-skin.yml", ("customer_says", 0)),
    ("products/cream.yml", ("name",)), ("products/cream.yml", ("summary",)),
    ("products/cream.yml", ("selling_points", 0)), ("products/cream.yml", ("faqs", 0, "q")),
    ("products/cream.yml", ("faqs", 0, "a")), ("products/cream.yml", ("specification", 0, "value")),
    ("products/cream.yml", ("comparison", "rows", 0, "ours")), ("roles/rep.yml", ("name",)),
    ("roles/rep.yml", ("summary",)), ("roles/rep.yml", ("duties", 0)), ("roles/rep.yml", ("levels", 0, "name")),
    ("rules/group-rules.yml", ("title",)), ("rules/group-rules.yml", ("sections", 0, "rules", 0)),
    ("cases/cream-case.yml", ("title",)), ("cases/cream-case.yml", ("situation",)),
    ("cases/cream-case.yml", ("lessons", 0)), ("cases/cream-case.yml", ("questions", 0)),
    ("sops/after-sales-sop.yml", ("title",)), ("sops/after-sales-sop.yml", ("purpose",)),
    ("sops/after-sales-sop.yml", ("steps", 0, "action")),
]
# Fields the schemas keep shorter than a line (role.schema.json: a post's name ≤ 30).
SHORT_FIELDS = {("roles/rep.yml", ("name",)): 30}
TAG_FILES = ["scripts/ask-price.yml", "products/cream.yml", "cases/cream-case.yml", "roles/rep.yml"]


class QuotingDumper(yaml.SafeDumper):
    """Quotes every text, as the trainer guide asks for text that could look like something else."""


QuotingDumper.add_representer(str, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"'))


def dump(data) -> bytes:
    return yaml.dump(data, Dumper=QuotingDumper, allow_unicode=True, sort_keys=False).encode("utf-8")


def set_at(data, path, value):
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


def write_content(root: Path, files: dict[str, bytes]) -> None:
    shutil.rmtree(root / "content", ignore_errors=True)
    for rel, raw in files.items():
        target = root / "content" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(raw)


@pytest.fixture(scope="module")
def workdir():
    folder = Path(tempfile.mkdtemp(prefix="kb-property-"))
    yield folder
    shutil.rmtree(folder)


@st.composite
def valid_contents(draw):
    data = copy.deepcopy(ORIGINAL)
    chosen = {}
    for rel, path in TEXT_FIELDS:
        if draw(st.booleans()):
            text = draw(REPLY if path == ("response", "text") else LINE)
            chosen[(rel, path)] = text[:SHORT_FIELDS.get((rel, path), len(text))]
            set_at(data[rel], path, chosen[(rel, path)])
            set_at(data[rel], path, chosen[(rel, path)])
    for rel in TAG_FILES:
        data[rel]["tags"] = draw(st.lists(TAG, min_size=0, max_size=3, unique=True))
    return data, chosen


@settings(max_examples=VALID_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(generated=valid_contents())
def test_random_valid_content_always_renders_every_page(workdir, generated):
    data, chosen = generated
    write_content(workdir, {rel: dump(value) for rel, value in data.items()})
    content = load_content(workdir)
    pages = site_files(content)
    for item in content.items.values():
        assert any(name.startswith(page_of(item)) for name in pages), item.id
    for (rel, path), text in chosen.items():
        # escaped MyST text (one line or paragraphs), or verbatim in a code block (the response to copy)
        shown = (mdtext.escape(text), mdtext.paragraphs(text), mdtext.code_block(text).split("\n", 1)[1])
        assert any(form in page for page in pages.values() for form in shown), (data[rel]["id"], path, text)


# --- mutations -------------------------------------------------------------------------
NASTY = ["\t", ":", ": ", "- ", "-", "#", "&a ", "*a", "!!int ", "!!python/object ", "[", "]", "{", "}", "'", '"',
         "\n", "\n  ", "---\n", "<<: ", "? ", "|", ">", "%YAML 1.1\n", "\x00", "\x07", "\ufeff", "\xff", "\xc3",
         "010", "no", "2024-01-05", "~", "null", "true", "1e999", "NaN", "-.inf", "&a [*a, *a]", "@", "`", "\\"]


@st.composite
def byte_mutations(draw):
    rel = draw(st.sampled_from(sorted(ORIGINAL)))
    raw = (MINI / rel).read_bytes()
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(raw)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "truncate"]))
        piece = draw(st.one_of(st.sampled_from(NASTY), st.binary(min_size=1, max_size=4).map(lambda b: b.decode("latin-1"))))
        piece_bytes = piece.encode("latin-1") if all(ord(c) < 256 for c in piece) and piece in ("\xff", "\xc3") else piece.encode("utf-8")
        if action == "insert":
            raw = raw[:at] + piece_bytes + raw[at:]
        elif action == "delete":
            raw = raw[:at] + raw[at + draw(st.integers(1, 20)):]
        elif action == "replace":
            raw = raw[:at] + piece_bytes + raw[at + len(piece_bytes):]
        else:
            raw = raw[:at]
    return rel, raw


JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
              st.text(max_size=20), st.sampled_from(["", "cream", "rep", "ask-price", "objection", "approved", "2026-01-01", "a" * 6000])),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)),
    max_leaves=8)


def paths_of(data, path=()):
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from paths_of(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from paths_of(value, path + (index,))


@st.composite
def data_mutations(draw):
    rel = draw(st.sampled_from(sorted(ORIGINAL)))
    data = copy.deepcopy(ORIGINAL[rel])
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in paths_of(data) if p]
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        if action == "replace":
            parent[path[-1]] = draw(JSONISH)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "Title", "tags", "reports_to", "related_cases", "review"]))] = draw(JSONISH)
        else:
            parent.append(draw(JSONISH))
    return rel, data


def load_or_content_error(root: Path):
    try:
        content = load_content(root)
    except ContentError as error:
        assert error.problems and all(p.message for p in error.problems)
        error.report()
        return None
    site_files(content)          # what loads must also render
    return content


@settings(max_examples=MUTATION_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutation=byte_mutations())
def test_mutated_bytes_load_or_raise_content_error(workdir, mutation):
    rel, raw = mutation
    files = {other: (MINI / other).read_bytes() for other in ORIGINAL}
    files[rel] = raw
    write_content(workdir, files)
    load_or_content_error(workdir)


def safe_dump(data) -> bytes:
    try:
        return dump(data)
    except (yaml.YAMLError, ValueError):       # e.g. keys PyYAML cannot write; not the reader's problem
        return b"{}\n"


@settings(max_examples=MUTATION_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutation=data_mutations())
def test_mutated_data_loads_or_raises_content_error(workdir, mutation):
    rel, data = mutation
    files = {other: (MINI / other).read_bytes() for other in ORIGINAL}
    files[rel] = safe_dump(data)
    write_content(workdir, files)
    load_or_content_error(workdir)
    # the same data straight into the validators: they must agree
    assert is_valid(KIND_OF[rel], data) == (next(validator(KIND_OF[rel]).iter_errors(data), None) is None)


@settings(max_examples=AGREEMENT_EXAMPLES, deadline=None)
@given(mutation=data_mutations())
def test_fast_validator_agrees_with_jsonschema(mutation):
    rel, data = mutation
    kind = KIND_OF[rel]
    full = next(validator(kind).iter_errors(data), None) is None
    assert is_valid(kind, data) == full


def test_the_original_fixture_is_valid_for_both_validators():
    for rel, data in ORIGINAL.items():
        assert is_valid(KIND_OF[rel], data), rel
        assert next(validator(KIND_OF[rel]).iter_errors(data), None) is None, rel
