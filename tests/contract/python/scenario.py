"""The vendor scenario, through a Python client generated with openapi-python-client.

A force's purchasing system integrates with BlueLight through nothing but the published
document (openapi/openapi.json) and a client generated from it. Each step asserts what it gets;
any undocumented status, any value the generated models cannot read (an enum the document
spells differently from the wire, a missing required field) or any wrong answer fails the run.

The generated package (`bluelight_client`) must be importable (run.sh puts it on PYTHONPATH).
Environment:
    BLUELIGHT_URL           the service, e.g. http://127.0.0.1:8080
    BLUELIGHT_TENANT        the force, e.g. bedfordshire-police (its Bedfordshire rules apply)
    BLUELIGHT_BUYER_TOKEN   a `buyer` of that tenant
    BLUELIGHT_ADMIN_TOKEN   a `tenant_admin` of that tenant (webhook subscriptions)
    BLUELIGHT_OPENAPI       the document the client was generated from (default: the repository's
                            openapi/openapi.json), to check every operation in it was generated
    BLUELIGHT_RECEIVER      `loopback` (default) to subscribe a receiver on 127.0.0.1 and check a
                            signed delivery arrives (the service must run with
                            ALLOW_PRIVATE_URLS=true), or `public` to subscribe a public https URL
                            and check only the subscription
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import importlib
import inspect
import io
import json
import os
import pkgutil
import secrets
import sys
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import bluelight_client
import bluelight_client.api
import httpx
from bluelight_client import AuthenticatedClient
from bluelight_client.errors import UnexpectedStatus
from bluelight_client.models import (
    AwardContract,
    ContractStatus,
    ContractType,
    DraftEvaluation,
    EventType,
    FrameworkStatus,
    NewProcurement,
    NewSubscription,
    Outcome,
    Problem,
    QuoteInput,
    RiskRating,
    Route,
)
from bluelight_client.types import UNSET, File, Unset

URL = os.environ["BLUELIGHT_URL"]
DOCUMENT = Path(os.environ.get("BLUELIGHT_OPENAPI") or Path(__file__).resolve().parents[3] / "openapi" / "openapi.json")
TENANT = os.environ.get("BLUELIGHT_TENANT", "bedfordshire-police")
RECEIVER = os.environ.get("BLUELIGHT_RECEIVER", "loopback")
NONCE = secrets.token_hex(3).upper()
CLIENT_NAME = "PY"
# Each client's spend goes into its own month, so its KPI figures can be checked exactly.
SPEND_MONTH = (2019, 4)
# The category subtree the framework search uses (category filters include the subtree).
UNIFORM_SUBTREE = {
    "uniform-and-ppe",
    "body-armour",
    "footwear",
    "uniform-garments",
    "personal-protective-equipment",
    "firefighting-ppe",
}
ARMOUR_FRAMEWORK = "BLC-UNI-2024-01"

# The last request sent and answer received, so that a failure can show what the service said
# and a step can check what the generated client sent.
LAST: dict[str, Any] = {}


def sent(request: httpx.Request) -> None:
    request.read()  # a File's payload is a stream: buffered here (and sent from the buffer) to be checked
    LAST["request"] = request


def remember(response: httpx.Response) -> None:
    response.read()
    LAST["response"] = response


def make_client(token: str) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=URL,
        token=token,
        raise_on_unexpected_status=True,
        timeout=httpx.Timeout(30.0),
        httpx_args={"event_hooks": {"request": [sent], "response": [remember]}},
    )


buyer = make_client(os.environ["BLUELIGHT_BUYER_TOKEN"])
admin = make_client(os.environ["BLUELIGHT_ADMIN_TOKEN"])


# ----- plumbing: operations by operationId, statuses checked ---------------------------------


def _operations() -> dict[str, Any]:
    """Every generated operation module by its operationId (its module name), whatever its tag."""
    found: dict[str, Any] = {}
    for tag in pkgutil.iter_modules(bluelight_client.api.__path__):
        package = importlib.import_module(f"bluelight_client.api.{tag.name}")
        for module in pkgutil.iter_modules(package.__path__):
            found[module.name] = importlib.import_module(f"bluelight_client.api.{tag.name}.{module.name}")
    return found


OPERATIONS = _operations()


def op(operation_id: str) -> Any:
    assert operation_id in OPERATIONS, f"the generated client has no operation {operation_id!r}"
    return OPERATIONS[operation_id]


def call(operation_id: str, expected: int, *, client: AuthenticatedClient = buyer, **kwargs: Any) -> Any:
    """Calls an operation; the answer must have the expected status and parse as documented."""
    LAST.clear()
    try:
        response = op(operation_id).sync_detailed(client=client, **kwargs)
    except UnexpectedStatus as e:
        raise AssertionError(f"{operation_id}: undocumented status {e.status_code}: {e.content[:500]!r}") from None
    except (KeyError, ValueError, TypeError, AttributeError) as e:
        # The generated models could not read the answer: it does not match the document.
        got = LAST.get("response")
        said = f"{got.status_code} {got.content[:600]!r}" if got is not None else "no answer"
        raise AssertionError(
            f"{operation_id}: the answer does not match the document ({type(e).__name__}: {e}); got {said}"
        ) from None
    body = response.content[:800]
    assert response.status_code == expected, (
        f"{operation_id}: expected {expected}, got {response.status_code}: {body!r}"
    )
    if expected != 204:
        assert response.parsed is not None, f"{operation_id}: {expected} did not parse: {body!r}"
    if expected < 400:
        assert not isinstance(response.parsed, Problem), f"{operation_id}: a problem with {expected}: {body!r}"
    return response


def problem(operation_id: str, expected: int, code: str, **kwargs: Any) -> Problem:
    """Calls an operation that must fail with an application/problem+json of this code."""
    response = call(operation_id, expected, **kwargs)
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    found = response.parsed
    assert isinstance(found, Problem), f"{operation_id}: not a problem: {response.content!r}"
    assert found.status == expected and found.code == code, f"{operation_id}: {found.to_dict()}"
    assert found.title and found.detail, found.to_dict()
    return found


def walk(
    operation_id: str, *, limit: int, client: AuthenticatedClient = buyer, **filters: Any
) -> tuple[list[Any], int]:
    """Every item of a list, following `next_cursor` page by page; returns (items, pages)."""
    items: list[Any] = []
    cursor: str | Unset = UNSET
    pages = 0
    while True:
        page = call(operation_id, 200, client=client, limit=limit, cursor=cursor, **filters).parsed
        pages += 1
        assert len(page.items) <= limit, f"{operation_id}: {len(page.items)} items on a page of {limit}"
        items.extend(page.items)
        if not isinstance(page.next_cursor, str):
            break
        assert page.items, f"{operation_id}: an empty page with a next_cursor"
        cursor = page.next_cursor
        assert pages < 500, f"{operation_id}: the cursor walk does not end"
    ids = [item.id for item in items]
    assert len(ids) == len(set(ids)), f"{operation_id}: an item seen twice while paging"
    return items, pages


def pence(money: str) -> int:
    return int(Decimal(money) * 100)


STEPS: list[tuple[str, Callable[[dict[str, Any]], None]]] = []


def step(function: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    STEPS.append((function.__name__, function))
    return function


# ----- a webhook receiver on loopback ----------------------------------------------------------


class Receiver:
    """Records every POST; checks signatures as docs/webhooks.md says a receiver must."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[dict[str, str], bytes]] = []
        received = self.deliveries

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/bluelight"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, event: str, seconds: float = 30.0) -> tuple[dict[str, str], bytes]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for headers, body in list(self.deliveries):
                if headers.get("webhook-event") == event:
                    return headers, body
            time.sleep(0.1)
        raise AssertionError(f"no {event} delivery within {seconds} s: {self.deliveries!r}")


def genuine(secret: str, headers: dict[str, str], body: bytes) -> bool:
    timestamp = headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > 300:
        return False
    signed = f"{headers['webhook-id']}.{timestamp}.".encode() + body
    expected = "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["webhook-signature"])


# ----- the scenario ----------------------------------------------------------------------------


@step
def every_documented_operation_is_generated(ctx: dict[str, Any]) -> None:
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    documented = {
        operation["operationId"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in {"get", "put", "post", "patch", "delete", "head", "options", "trace"}
    }
    assert len(documented) > 50, f"{DOCUMENT}: only {len(documented)} operations"
    missing = sorted(documented - set(OPERATIONS))
    assert not missing, f"operations in the document but not in the generated client: {missing}"
    # The file uploads take the generated File type (an application/octet-stream body).
    for operation_id in ("import_spend", "import_contracts", "upload_rule_plugin"):
        body = inspect.signature(op(operation_id).sync_detailed).parameters["body"].annotation
        assert body in (File, "File"), f"{operation_id}: the body is {body!r}, not the generated File"


@step
def frameworks_are_searched_page_by_page(ctx: dict[str, Any]) -> None:
    live = FrameworkStatus("live")
    open_to_us, pages = walk("list_frameworks", limit=5, status=live, eligible_for=TENANT)
    assert pages >= 2, f"expected several pages of 5, got {pages}"
    for f in open_to_us:
        assert f.status == live, (f.reference, f.status)
        assert f.open_to_you is True, (f.reference, f.open_to_you)
    uniform, _ = walk("list_frameworks", limit=2, category="uniform-and-ppe", status=live, eligible_for=TENANT)
    assert {f.category for f in uniform} <= UNIFORM_SUBTREE, {f.category for f in uniform}
    assert {f.id for f in uniform} <= {f.id for f in open_to_us}
    armour, _ = walk("list_frameworks", limit=50, q="ARMOUR")
    for f in armour:
        assert "armour" in f"{f.reference} {f.title} {f.description}".lower(), f.reference
    everything, _ = walk(
        "list_frameworks", limit=1, q="armour", category="uniform-and-ppe", status=live, eligible_for=TENANT
    )
    expected = {f.id for f in uniform} & {f.id for f in armour}
    assert {f.id for f in everything} == expected, "the filters together are not the intersection"
    chosen = [f for f in everything if f.reference == ARMOUR_FRAMEWORK]
    assert chosen, f"{ARMOUR_FRAMEWORK} not found by q=armour in the uniform subtree"
    ctx["framework"] = chosen[0].id
    # A bad filter is a problem+json naming the parameter.
    found = problem("list_frameworks", 422, "validation_failed", limit=0)
    assert isinstance(found.errors, list) and any(e.field == "limit" for e in found.errors), found.to_dict()


@step
def a_framework_is_read_with_its_lots_and_suppliers(ctx: dict[str, Any]) -> None:
    response = call("get_framework", 200, id=ctx["framework"])
    framework = response.parsed
    assert response.headers.get("etag"), "no ETag on a framework"
    assert framework.reference == ARMOUR_FRAMEWORK
    assert framework.lots, "no lots"
    assert framework.lot_count == len(framework.lots)
    assert [lot.number for lot in framework.lots] == sorted(lot.number for lot in framework.lots)
    awarded = [s for lot in framework.lots for s in lot.suppliers]
    assert awarded, "no awarded suppliers on any lot"
    for s in awarded:
        assert s.supplier_id and s.name and s.status.value in {"active", "suspended", "excluded"}, s.to_dict()
    problem("get_framework", 404, "not_found", id="no-such-framework")


@step
def strategic_suppliers_are_listed_with_their_risk_history(ctx: dict[str, Any]) -> None:
    strategic, _ = walk("list_suppliers", limit=5, strategic=True)
    assert len(strategic) >= 2, len(strategic)
    assert all(s.strategic for s in strategic)
    ratings = {RiskRating(v) for v in ("green", "amber", "red")}
    with_history = 0
    for supplier in strategic:
        profile = supplier.strategic_profile
        assert profile is not None and not isinstance(profile, Unset), f"{supplier.name}: no strategic profile"
        history, _ = walk("list_risk_ratings", limit=2, id=supplier.id)
        for change in history:
            assert change.rating in ratings and change.reason.strip(), change.to_dict()
        if history:
            with_history += 1
            assert profile.risk_rating in ratings, (supplier.name, profile.risk_rating)
    assert with_history >= 1, "no strategic supplier has a risk history"


@step
def a_webhook_is_subscribed(ctx: dict[str, Any]) -> None:
    if RECEIVER == "loopback":
        ctx["receiver"] = Receiver()
        url = ctx["receiver"].url
    else:
        url = "https://hooks.example-force.police.uk/bluelight"
    body = NewSubscription(url=url, events=[EventType("decision.recorded")], description=f"{CLIENT_NAME} scenario")
    response = call("create_tenant_subscription", 201, client=admin, slug=TENANT, body=body)
    created = response.parsed
    assert response.headers.get("location", "").endswith(created.id), response.headers
    assert isinstance(created.secret, str) and created.secret.startswith("whsec_"), "the secret is shown once"
    assert created.events == [EventType("decision.recorded")] and created.active and created.tenant == TENANT
    read = call("get_tenant_subscription", 200, client=admin, slug=TENANT, id=created.id).parsed
    assert read.secret in (None, UNSET), "the secret is shown again"
    ctx["subscription"], ctx["secret"] = created.id, created.secret
    # A buyer may not subscribe: that is the tenant admin's.
    problem("create_tenant_subscription", 403, "forbidden", slug=TENANT, body=body)


def procurement(value: str, route: str, quotes: list[QuoteInput]) -> NewProcurement:
    return NewProcurement(
        reference=ctx_reference(),
        title="Replacement kit bags for response officers",
        value=value,
        contract_type=ContractType("goods"),
        category="uniform-garments",
        route=Route(route),
        quotes=quotes,
    )


def ctx_reference() -> str:
    return f"BED-{CLIENT_NAME}-{NONCE}"


@step
def a_draft_is_evaluated_then_recorded_and_evaluated(ctx: dict[str, Any]) -> None:
    one_quote = [QuoteInput(supplier_name="Ouse Valley Outfitters Ltd", amount="45000.00", local=True, sme=True)]
    draft = call(
        "evaluate_draft",
        200,
        slug=TENANT,
        body=DraftEvaluation(procurement=procurement("45000.00", "single_quote", one_quote)),
    ).parsed
    assert draft.active is True and isinstance(draft.plugin_version, int) and draft.plugin_version >= 1
    assert draft.national_plugin_version == 1, "the national layer decided too"
    assert draft.outcome == Outcome("non_compliant"), draft.to_dict()
    violations = [f for f in draft.decision.findings if f.severity.value == "violation"]
    assert violations and all(f.policy_clause and f.required_action for f in violations), draft.to_dict()

    # Fixed: under £6,000, one quote is enough for Bedfordshire.
    one_quote[0].amount = "5500.00"
    fixed = procurement("5500.00", "single_quote", one_quote)
    draft = call("evaluate_draft", 200, slug=TENANT, body=DraftEvaluation(procurement=fixed)).parsed
    assert draft.outcome == Outcome("compliant"), draft.to_dict()
    # Nothing was stored by the drafts.
    listed, _ = walk("list_procurements", limit=50, slug=TENANT, q=ctx_reference())
    assert listed == [], [p.reference for p in listed]

    # Recorded with an Idempotency-Key: the retry gets the first answer, not a second record.
    key = f"{CLIENT_NAME}-{NONCE}-procurement"
    first = call("create_procurement", 201, slug=TENANT, body=fixed, idempotency_key=key)
    again = call("create_procurement", 201, slug=TENANT, body=fixed, idempotency_key=key)
    assert again.headers.get("idempotent-replayed") == "true", again.headers
    assert again.parsed.id == first.parsed.id
    assert first.headers["location"].endswith(first.parsed.id) and first.headers.get("etag")
    recorded = first.parsed
    assert recorded.reference == ctx_reference() and recorded.value == "5500.00" and recorded.tenant == TENANT
    # Without the key, the same reference again is a conflict.
    problem("create_procurement", 409, "procurement_reference_exists", slug=TENANT, body=fixed)

    evaluated = call("evaluate_procurement", 201, slug=TENANT, id=recorded.id)
    decision = evaluated.parsed
    assert evaluated.headers["location"].endswith(decision.id), evaluated.headers
    assert decision.procurement_id == recorded.id and decision.tenant == TENANT
    assert decision.decision.outcome == Outcome("compliant"), decision.to_dict()
    history, _ = walk("list_evaluations", limit=10, slug=TENANT, id=recorded.id)
    assert [d.id for d in history] == [decision.id]
    ctx["procurement"], ctx["decision"] = recorded.id, decision.id


@step
def a_contract_is_awarded(ctx: dict[str, Any]) -> None:
    today = dt.date.today()
    terms = AwardContract(
        start_date=today + dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=395),
        contract_manager="A. Okafor",
    )
    response = call("award_contract", 201, slug=TENANT, id=ctx["procurement"], body=terms)
    contract = response.parsed
    assert response.headers["location"].endswith(contract.id) and response.headers.get("etag")
    assert contract.procurement_id == ctx["procurement"] and contract.reference == ctx_reference()
    assert contract.value == "5500.00" and contract.supplier_name == "Ouse Valley Outfitters Ltd"
    assert contract.status == ContractStatus("pipeline"), contract.status
    assert contract.start_date == terms.start_date and contract.end_date == terms.end_date
    ctx["contract"] = contract.id
    problem("award_contract", 409, "procurement_has_contract", slug=TENANT, id=ctx["procurement"], body=terms)


@step
def the_contracts_register_is_listed(ctx: dict[str, Any]) -> None:
    register, pages = walk("list_contracts", limit=10, slug=TENANT)
    assert pages >= 2, "the demo register is larger than a page of 10"
    ours = [c for c in register if c.id == ctx["contract"]]
    assert len(ours) == 1 and ours[0].tenant == TENANT
    found, _ = walk("list_contracts", limit=10, slug=TENANT, q=ctx_reference())
    assert [c.id for c in found] == [ctx["contract"]]
    pipeline, _ = walk("list_contracts", limit=20, slug=TENANT, status=ContractStatus("pipeline"))
    assert ctx["contract"] in {c.id for c in pipeline}
    assert all(c.status == ContractStatus("pipeline") for c in pipeline)


def kpis(ctx: dict[str, Any]) -> Any:
    year, month = SPEND_MONTH
    start = dt.date(year, month, 1)
    end = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    report = call("get_kpis", 200, slug=TENANT, from_=start, to=end).parsed
    assert report.tenant == TENANT and report.from_ == start and report.to == end
    return report


def share(report: Any, key: str) -> Any:
    found = [s for s in report.spend_shares if s.key == key]
    assert len(found) == 1, f"no spend share {key}: {[s.key for s in report.spend_shares]}"
    assert found[0].name and found[0].definition, found[0].to_dict()
    return found[0]


@step
def a_spend_file_is_imported_and_polled_until_done(ctx: dict[str, Any]) -> None:
    ctx["kpis_before"] = kpis(ctx)
    year, month = SPEND_MONTH
    day = f"{year}-{month:02d}"
    ours, ref = f"{CLIENT_NAME}-{NONCE}", ctx_reference()
    csv = (
        "transaction_id,date,supplier,amount,contract_reference,category,expense_type\n"
        f"{ours}-1,{day}-02,Ouse Valley Outfitters Ltd,1200.00,{ref},,Kit bags\n"
        f"{ours}-2,{day}-09,Ouse Valley Outfitters Ltd,-200.00,{ref},,Credit note\n"
        f"{ours}-3,{day}-16,Biggleswade Print Shop,350.50,,print-and-stationery,Leaflets\n"
    ).encode()

    def upload(expected: int) -> Any:
        # The generated client sends File.payload as the body, as application/octet-stream.
        body = File(payload=io.BytesIO(csv), file_name="spend.csv", mime_type="text/csv")
        response = call("import_spend", expected, slug=TENANT, body=body, filename="spend.csv")
        request = LAST["request"]
        assert request.headers["content-type"] == "application/octet-stream", request.headers
        assert request.content == csv, f"the client sent {request.content[:200]!r}, not the file"
        return response

    accepted = upload(202)
    started = accepted.parsed
    assert accepted.headers["location"].endswith(started.id), accepted.headers
    assert started.kind.value == "spend" and started.rows_total == 3 and started.filename == "spend.csv"
    assert started.tenant == TENANT and started.sha256 == hashlib.sha256(csv).hexdigest(), started.to_dict()
    deadline = time.monotonic() + 60
    while True:
        current = call("get_import", 200, slug=TENANT, id=started.id).parsed
        if current.status.value != "running":
            break
        assert time.monotonic() < deadline, "the import is still running after 60 s"
        time.sleep(0.2)
    assert current.status.value == "completed", current.to_dict()
    assert current.rows_written == 3 and current.rows_skipped == 0 and current.failure in (None, UNSET)
    assert current.id == started.id and current.sha256 == started.sha256
    # The same file again is the same import, nothing written twice.
    assert upload(200).parsed.id == started.id
    listed, _ = walk("list_imports", limit=10, slug=TENANT)
    assert started.id in {i.id for i in listed}


@step
def kpis_count_the_imported_spend(ctx: dict[str, Any]) -> None:
    before, after = ctx["kpis_before"], kpis(ctx)
    assert pence(after.total_spend) - pence(before.total_spend) == 135050, (before.total_spend, after.total_spend)
    assert after.spend_lines - before.spend_lines == 3
    under_before, under_after = share(before, "spend_under_contract"), share(after, "spend_under_contract")
    # The two lines naming our contract were paid in the spend month, years before the contract
    # starts (30 days from today): not paid within its term, so not under contract.
    assert pence(under_after.amount) == pence(under_before.amount), under_after.to_dict()
    assert "within that contract's term" in under_after.definition, under_after.definition
    assert under_after.of_total == after.total_spend
    assert after.savings.definition and after.contract_shares is not None


@step
def the_decision_was_delivered_to_the_webhook(ctx: dict[str, Any]) -> None:
    if RECEIVER != "loopback":
        return
    headers, body = ctx["receiver"].wait_for("decision.recorded")
    assert genuine(ctx["secret"], headers, body), "the signature does not check"
    event = json.loads(body)
    assert event["type"] == "decision.recorded" and event["tenant"] == TENANT, event
    assert event["data"]["decision_id"] == ctx["decision"], event
    deadline = time.monotonic() + 20
    while True:
        deliveries, _ = walk("list_tenant_deliveries", limit=10, client=admin, slug=TENANT, id=ctx["subscription"])
        if deliveries and deliveries[0].status == "delivered":
            break
        assert time.monotonic() < deadline, [d.to_dict() for d in deliveries]
        time.sleep(0.2)
    assert deliveries[0].id == headers["webhook-id"] and deliveries[0].event_type == EventType("decision.recorded")
    call("delete_tenant_subscription", 204, client=admin, slug=TENANT, id=ctx["subscription"])


def main() -> int:
    ctx: dict[str, Any] = {}
    passed = 0
    for name, function in STEPS:
        try:
            function(ctx)
        except Exception as e:  # noqa: BLE001 (report every step's failure, then stop)
            kind = "" if isinstance(e, AssertionError) else f"{type(e).__name__}: "
            print(f"FAIL python scenario: {name}: {kind}{e}", file=sys.stderr)
            print(f"python scenario: {passed} passed, 1 failed ({len(STEPS) - passed - 1} not run)")
            return 1
        passed += 1
        print(f"ok   python scenario: {name}")
    print(f"python scenario: {passed} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
