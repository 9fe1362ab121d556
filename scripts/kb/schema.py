"""JSON Schema validation that speaks to trainers: 'expected X, received Y' with a hint."""
from __future__ import annotations

import difflib
import json
import sys
from functools import lru_cache

# jsonschema compiles the IRI grammars of rfc3987_syntax at import when that optional module is
# installed (it comes with jupyter-events): about 1 s of CPU at every kb.py start, for formats no
# schema here uses. The build child keeps it out the same way (site.py).
sys.modules.setdefault("rfc3987_syntax", None)

from jsonschema import Draft202012Validator, FormatChecker  # noqa: E402
from referencing import Registry, Resource  # noqa: E402

from . import formats
from .model import SCHEMA_DIR
from .problems import Problem, path_text
from .i18n import N_, _

TYPE_NAMES = {"string": N_("text"), "number": N_("a number"), "integer": N_("a whole number"), "array": N_("a list"),
              "object": N_("a mapping of fields"), "boolean": N_("true or false"), "null": N_("nothing")}


@lru_cache(maxsize=None)
def _registry() -> Registry:
    registry = Registry()
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        registry = registry.with_resource(contents["$id"], Resource.from_contents(contents))
    return registry


@lru_cache(maxsize=None)
def load_schema(kind: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(kind), registry=_registry(), format_checker=_format_checker())


@lru_cache(maxsize=None)
def _format_checker() -> FormatChecker:
    """Only our own formats (formats.py), the same functions the fast validator calls."""
    checker = FormatChecker(formats=())
    for name in formats.CHECKS:
        checker.checks(name)(formats.conforms(name))
    return checker


def describe(value) -> str:
    """How a received value is named in messages."""
    if value is None:
        return _("nothing (the value is empty)")
    if isinstance(value, bool):
        return _("the boolean {value}").format(value=str(value).lower())
    if isinstance(value, (int, float)):
        return _("the number {value}").format(value=value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return _("the text {value}").format(value=repr(shown))
    if isinstance(value, list):
        return _("a list of {n} item(s)").format(n=len(value))
    return _("a mapping of fields")


def _expected_type(schema: dict) -> str:
    types = schema.get("type")
    if isinstance(types, list):
        return _(" or ").join(_(TYPE_NAMES[t]) if t in TYPE_NAMES else t for t in types)
    return _(TYPE_NAMES[types]) if types in TYPE_NAMES else str(types)


def _type_hint(schema: dict, value) -> str:
    expected = schema.get("type")
    if expected == "string" and isinstance(value, (bool, int, float)):
        return _("put the value in quotes so YAML keeps it as text, e.g. '010' or 'no'")
    if expected == "string" and isinstance(value, list):
        return _("write one text here, not a list (remove the '- ' in front)")
    if expected == "array" and isinstance(value, str):
        return _("write a list: each entry on its own line starting with '- '")
    if expected in ("number", "integer") and isinstance(value, str):
        return _("write the number without quotes or units, e.g. 24")
    if value is None:
        return _("fill in the value after the colon, or remove the field")
    return ""


def _with_description(hint: str, schema: dict) -> str:
    description = schema.get("description")
    if description and not hint:
        return _("this field is: {description}").format(description=_(description))
    return hint


def _message(error) -> tuple[list, str, str]:
    """Return (path, message, hint) for one jsonschema error."""
    path = list(error.absolute_path)
    kind, schema, value = error.validator, error.schema, error.instance
    if kind == "type":
        return path, _("expected {expected}, received {received}").format(expected=_expected_type(schema), received=describe(value)), _with_description(_type_hint(schema, value), schema)
    if kind == "required":
        missing = error.message.split("'")[1]
        sub = schema.get("properties", {}).get(missing, {})
        desc = _resolve(sub).get("description")     # the field's own description wins over its $ref's
        hint = _("add '{field}:'").format(field=missing) + (f" — {_(desc)}" if desc else "")
        return path + [missing], _("missing required field"), hint
    if kind == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extras = sorted(set(value) - set(allowed))
        messages = []
        for extra in extras:
            close = difflib.get_close_matches(extra, allowed, n=1, cutoff=0.6)
            hint = (_("did you mean '{suggestion}'?").format(suggestion=close[0]) if close else
                    _("allowed fields: {fields}").format(fields=", ".join(allowed)))
            messages.append((path + [extra], _("unknown field '{field}'").format(field=extra), hint))
        return messages  # type: ignore[return-value]
    if kind in ("enum", "const"):
        options = schema.get("enum", [schema.get("const")])
        close = difflib.get_close_matches(str(value), [str(o) for o in options], n=1, cutoff=0.5)
        hint = _("did you mean '{suggestion}'?").format(suggestion=close[0]) if close else _with_description("", schema)
        return path, _("expected one of {choices}, received {received}").format(choices=", ".join(map(str, options)), received=describe(value)), hint
    if kind == "pattern":
        if "[0-9]{4}" in schema["pattern"]:
            return path, _("expected a date written YYYY-MM-DD, received {received}").format(received=describe(value)), _("for example 2026-03-01")
        return (path, _("expected an id of lowercase letters, digits and hyphens, received {received}").format(received=describe(value)),
                _("for example price-too-high"))
    if kind == "format":
        message, hint = formats.explain(error.validator_value, value) or (error.message, "")
        return path, message, hint
    if kind == "minItems":
        return (path, _("expected at least {n} item(s), received {received}").format(n=error.validator_value, received=len(value)),
                _with_description("", schema))
    if kind == "minLength":
        return path, _("expected some text, received an empty text"), _with_description(_("fill it in or remove the field"), schema)
    if kind == "maxLength":
        return (path, _("expected at most {limit} characters, received {received}").format(limit=error.validator_value, received=len(value)),
                _("shorten the text or split it into several entries"))
    if kind == "uniqueItems":
        return path, _("expected each entry once, received repeated entries"), _("remove the duplicates")
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        words = {"minimum": N_("expected a number at least {limit}, received {received}"),
                 "exclusiveMinimum": N_("expected a number more than {limit}, received {received}"),
                 "maximum": N_("expected a number at most {limit}, received {received}"),
                 "exclusiveMaximum": N_("expected a number less than {limit}, received {received}")}
        return path, _(words[kind]).format(limit=error.validator_value, received=describe(value)), _with_description("", schema)
    return path, error.message, _with_description("", schema)


def _inline_refs(schema):
    """The schema with every common.schema.json reference replaced by its definition."""
    if isinstance(schema, dict):
        resolved = _resolve(schema) if "$ref" in schema else schema
        return {key: _inline_refs(value) for key, value in resolved.items() if key not in ("$schema", "$id")}
    if isinstance(schema, list):
        return [_inline_refs(value) for value in schema]
    return schema


@lru_cache(maxsize=None)
def fast_validator(kind: str):
    """A compiled yes/no validator (fastjsonschema): valid items, the usual case, skip the
    slower jsonschema walk that is only needed to explain problems."""
    import fastjsonschema
    return fastjsonschema.compile({"$schema": "http://json-schema.org/draft-07/schema#", **_inline_refs(load_schema(kind))},
                                  formats={name: formats.conforms(name) for name in formats.CHECKS})


def is_valid(kind: str, data) -> bool:
    import fastjsonschema
    check = fast_validator(kind)      # a broken schema raises here, loudly, not as invalid content
    try:
        check(data)
        return True
    except fastjsonschema.JsonSchemaValueException:
        return False


def validate_data(kind: str, data: dict, file: str, document) -> list[Problem]:
    """All schema problems of one item; `document` (yamlread.Document) gives positions."""
    if is_valid(kind, data):
        return []
    problems = []
    errors = list(validator(kind).iter_errors(data))
    # a value the pattern refuses also fails its format: say it once, in the pattern's words
    by_pattern = {tuple(e.absolute_path) for e in errors if e.validator == "pattern"}
    for error in errors:
        if error.validator == "format" and tuple(error.absolute_path) in by_pattern:
            continue
        result = _message(error)
        for path, message, hint in (result if isinstance(result, list) else [result]):
            # an unknown field is reported where its key is written, other problems at the value
            at_key = error.validator == "additionalProperties" and tuple(path) in document.key_at
            line, column = document.key_at[tuple(path)] if at_key else document.position(path)
            problems.append(Problem(file, line, column, path_text(path), message, hint))
    if not problems:      # the two validators disagree: never let such an item pass unexplained
        problems.append(Problem(file, *document.position(()), "", _("expected content the schema accepts, received content "
                                                                   "one of the two validators refuses without saying why"),
                                _("report this to the maintainers with the file; meanwhile check its fields against the schema")))
    return problems


def _resolve(schema: dict) -> dict:
    ref = schema.get("$ref")
    if ref and ref.startswith(("common.schema.json#/$defs/", "#/$defs/")):   # the latter only inside common
        resolved = load_schema("common")["$defs"][ref.rsplit("/", 1)[1]]
        return {**resolved, **{k: v for k, v in schema.items() if k != "$ref"}}
    if ref and ref.endswith(".schema.json") and "/" not in ref:   # a whole sibling schema, e.g. quiz-item.schema.json
        return {**load_schema(ref[:-len(".schema.json")]), **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def with_defaults(kind: str, data: dict) -> dict:
    """A copy of valid data where every optional field is present: [] for lists, None otherwise.

    Templates then read fields directly under StrictUndefined without guarding each one."""
    return _fill(load_schema(kind), data)


def _fill(schema: dict, value):
    schema = _resolve(schema)
    if isinstance(value, dict) and "properties" in schema:
        filled = {}
        for name, sub in schema["properties"].items():
            if name in value:
                filled[name] = _fill(sub, value[name])
            else:
                filled[name] = [] if _resolve(sub).get("type") == "array" else None
        return filled
    if isinstance(value, list) and "items" in schema:
        return [_fill(schema["items"], entry) for entry in value]
    return value
