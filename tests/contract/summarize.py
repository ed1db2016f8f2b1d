"""Lists the distinct failures of the schemathesis runs, grouped by kind.

    python3 tests/contract/summarize.py target/contract/schemathesis

Reads every ndjson report under the folder (run.sh writes one per run) and prints each distinct
failure once: its code (ST101 server error, ST103 undocumented status, ST108 response off its
schema, ST202 valid request refused, ...), the operation, the status and what the service said
(the problem's code and fields at fault, or the schema violation). Informational: the runs'
own exit status decides pass or fail. Failures baseline.json accepts are left out.
"""

from __future__ import annotations

import base64
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any


def body_of(message: dict[str, Any] | None) -> Any:
    if not message:
        return None
    body = message.get("content", message.get("body"))
    if isinstance(body, dict) and "$base64" in body:
        raw = base64.b64decode(body["$base64"])
    elif isinstance(body, dict) and "string" in body:
        raw = body["string"].encode()
    elif isinstance(body, str):
        raw = body.encode()
    else:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw[:200].decode("utf-8", "replace")


def what_was_said(failure: dict[str, Any], status: int | None, response: Any) -> str:
    if failure.get("code") == "ST108":
        lines = failure.get("message", "").splitlines()
        where = next((line for line in lines if line.startswith("Schema at ")), "").rstrip(":")
        return f"{lines[0] if lines else ''} ({where})"[:300]
    if isinstance(response, dict) and "code" in response:
        errors = response.get("errors") or []
        fields = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors if isinstance(e, dict))
        return f"{response['code']}" + (f" ({fields})" if fields else f": {response.get('detail', '')}")[:400]
    first = failure.get("message", "").splitlines()
    return first[0][:200] if first else ""


BASELINE = Path(__file__).with_name("baseline.json")


def known() -> set[tuple[str, str, str]]:
    """(operation, check, failure type) of the failures baseline.json accepts."""
    entries = json.loads(BASELINE.read_text(encoding="utf-8"))["entries"] if BASELINE.exists() else []
    return {(e["operation"], e["check"], e["failure"]) for e in entries}


def main(folder: str) -> int:
    accepted = known()
    seen: dict[tuple[str, str, str], tuple[str, str]] = {}
    titles: dict[str, str] = {}
    for report in sorted(Path(folder).glob("*/*.ndjson")):
        for line in report.open(encoding="utf-8"):
            event = json.loads(line)
            finished = event.get("ScenarioFinished")
            if not finished:
                continue
            recorder = finished.get("recorder") or {}
            interactions = recorder.get("interactions") or {}
            for case_id, checks in (recorder.get("checks") or {}).items():
                for check in checks:
                    if check.get("status") == "success":
                        continue
                    failure = (check.get("failure_info") or {}).get("failure") or {}
                    if (failure.get("operation"), check.get("name"), failure.get("type")) in accepted:
                        continue
                    code = failure.get("code", "?")
                    titles[code] = failure.get("title", check.get("name", ""))
                    interaction = interactions.get(case_id) or {}
                    response = interaction.get("response") or {}
                    status = response.get("status_code")
                    said = what_was_said(failure, status, body_of(response))
                    request = interaction.get("request") or {}
                    key = (code, failure.get("operation", "?"), f"{status} {said}")
                    seen.setdefault(key, (request.get("method", ""), request.get("uri", "")))
    if not seen:
        print("schemathesis: no failures")
        return 0
    by_code: dict[str, list[tuple[str, str, tuple[str, str]]]] = defaultdict(list)
    for (code, operation, said), request in seen.items():
        by_code[code].append((operation, said, request))
    for code in sorted(by_code):
        entries = sorted(by_code[code])
        print(f"\n{code} {titles.get(code, '')}: {len(entries)} distinct")
        for operation, said, (method, uri) in entries:
            print(f"  {operation}  [{said}]")
            print(f"      e.g. {method} {uri}"[:260])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "target/contract/schemathesis"))
