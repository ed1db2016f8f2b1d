"""Schemathesis hooks for the contract run (run.sh sets SCHEMATHESIS_HOOKS to this file).

`positive_data_acceptance_baselined` replaces schemathesis's `positive_data_acceptance` check
(run.sh excludes the built-in one): it runs the built-in check and, when a schema-valid request
was refused, lets it pass only when `accepted.toml` lists that refusal (the operation, the status,
the problem `code` and, for validation problems, every field at fault and its message), each with
its reason.
A body that does not in fact match its schema (schemathesis sometimes marks one as valid) may be
refused. Anything else still fails as ST202.

It also teaches schemathesis to send `application/wasm` bodies (as raw bytes).
"""

from __future__ import annotations

import fnmatch
import json
import tomllib
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance

ACCEPTED_FILE = Path(__file__).with_name("accepted.toml")
ACCEPTED: list[dict[str, Any]] = tomllib.loads(ACCEPTED_FILE.read_text(encoding="utf-8"))["accept"]

for entry in ACCEPTED:
    missing = {"operations", "status", "code", "reason"} - entry.keys()
    if missing:
        raise ValueError(f"{ACCEPTED_FILE.name}: an entry lacks {sorted(missing)}: {entry}")


def _operation_matches(patterns: str | list[str], label: str) -> bool:
    if isinstance(patterns, str):
        patterns = [patterns]
    return any(fnmatch.fnmatchcase(label, pattern) for pattern in patterns)


def _field_matches(field: str, patterns: list[str]) -> bool:
    # `lots[*].number` matches `lots[0].number`; fnmatch would read `[*]` as a character class.
    return any(fnmatch.fnmatchcase(field, pattern.replace("[*]", "[[]*[]]")) for pattern in patterns)


def accepted(label: str, status: int, body: bytes) -> bool:
    """Whether accepted.toml lists this refusal of a schema-valid request."""
    try:
        problem = json.loads(body)
    except ValueError:
        return False
    if not isinstance(problem, dict):
        return False
    code = problem.get("code")
    if not isinstance(code, str):
        return False
    entries = [
        e
        for e in ACCEPTED
        if e["status"] == status and fnmatch.fnmatchcase(code, e["code"]) and _operation_matches(e["operations"], label)
    ]
    if not entries:
        return False
    if any("fields" not in e and "message" not in e for e in entries):
        return True
    errors = [e for e in problem.get("errors") or [] if isinstance(e, dict)]
    return bool(errors) and all(any(_error_matches(error, e) for e in entries) for error in errors)


def _error_matches(error: dict[str, Any], entry: dict[str, Any]) -> bool:
    """Whether one field error of a problem is one the entry accepts."""
    message = str(error.get("message", ""))
    if "fields" in entry and not _field_matches(str(error.get("field", "")), entry["fields"]):
        return False
    if "message" in entry:
        patterns = entry["message"] if isinstance(entry["message"], list) else [entry["message"]]
        return any(fnmatch.fnmatchcase(message, pattern) for pattern in patterns)
    # The schema states types and shapes: a refusal for those is the document's to fix, never
    # accepted by field name alone.
    return not message.startswith(SHAPE_ERRORS)


SHAPE_ERRORS = ("invalid type", "invalid value", "unknown field", "missing field", "unknown variant", "premature end")


def body_breaks_its_schema(case: Any) -> bool:
    """Whether the request body does not match the operation's schema after all.

    Schemathesis's fuzzing sometimes marks a body as valid although it is not (it adds a property
    where the schema says `additionalProperties: false`, from data it saw in other responses);
    refusing such a body is right.
    """
    body = getattr(case, "body", None)
    if not isinstance(body, (dict, list)):
        return False
    try:
        for candidate in case.operation.body:
            if candidate.media_type == getattr(case, "media_type", candidate.media_type):
                return not candidate.is_valid(body)
    except Exception:  # noqa: BLE001 (a guard: when in doubt, the refusal is judged as usual)
        return False
    return False


@schemathesis.check
def positive_data_acceptance_baselined(ctx: Any, response: Any, case: Any) -> bool | None:
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if accepted(case.operation.label, response.status_code, response.content or b""):
            return None
        if body_breaks_its_schema(case):
            return None
        raise


@schemathesis.serializer("application/wasm")
def wasm_serializer(ctx: Any, value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, list):
        return bytes(int(v) % 256 for v in value if isinstance(v, int))
    return json.dumps(value).encode("utf-8")
