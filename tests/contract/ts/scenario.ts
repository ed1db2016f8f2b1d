// The vendor scenario, through TypeScript types generated with openapi-typescript and calls made
// with openapi-fetch: the same steps as python/scenario.py.
//
// `./api.js` is generated from openapi/openapi.json by run.sh (into target/, never committed);
// this file must type-check against it with `tsc --strict`, so a value the document spells
// differently from the wire (an enum, a nullable field) fails before anything runs. At run time
// every request body must go with a content type the document lists for its operation, every
// answer's status must be one the document lists, and each step asserts what it gets.
//
// Environment: as python/scenario.py, plus BLUELIGHT_OPENAPI (the document's path).

import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

import createClient, { type Middleware } from "openapi-fetch";

import type { components, paths } from "./api.js";

type Schemas = components["schemas"];
type Problem = Schemas["Problem"];

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const URL_ = env("BLUELIGHT_URL");
const TENANT = env("BLUELIGHT_TENANT", "bedfordshire-police");
const RECEIVER = env("BLUELIGHT_RECEIVER", "loopback");
const NONCE = randomBytes(3).toString("hex").toUpperCase();
const CLIENT_NAME = "TS";
// Each client's spend goes into its own month, so its KPI figures can be checked exactly.
const SPEND_MONTH = { year: 2019, month: 5 };
const UNIFORM_SUBTREE = new Set([
  "uniform-and-ppe",
  "body-armour",
  "footwear",
  "uniform-garments",
  "personal-protective-equipment",
  "firefighting-ppe",
]);
const ARMOUR_FRAMEWORK = "BLC-UNI-2024-01";
const REFERENCE = `BED-${CLIENT_NAME}-${NONCE}`;

// ----- plumbing ---------------------------------------------------------------------------------

class Failure extends Error {}

function check(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new Failure(typeof message === "string" ? message : message());
}

// Every request body's content type and every answer's status must be listed for its operation
// in the document.
type Operation = { requestBody?: { content?: Record<string, unknown> }; responses?: Record<string, unknown> };
const document = JSON.parse(readFileSync(env("BLUELIGHT_OPENAPI"), "utf8")) as {
  paths: Record<string, Record<string, Operation>>;
};
const contract: Middleware = {
  onRequest({ request, schemaPath }) {
    const operation = document.paths[schemaPath]?.[request.method.toLowerCase()];
    check(operation, `${request.method} ${schemaPath} is not in the document`);
    if (request.body !== null) {
      const sent = request.headers.get("content-type")?.split(";")[0]?.trim();
      const listed = Object.keys(operation.requestBody?.content ?? {});
      check(
        sent !== undefined && listed.includes(sent),
        `${request.method} ${schemaPath}: a body sent as ${sent} (documented: ${listed.join(", ") || "no body"})`,
      );
    }
    return undefined;
  },
  onResponse({ request, response, schemaPath }) {
    const operation = document.paths[schemaPath]?.[request.method.toLowerCase()];
    check(operation, `${request.method} ${schemaPath} is not in the document`);
    const listed = Object.keys(operation.responses ?? {});
    check(
      listed.includes(String(response.status)) || listed.includes(`${String(response.status)[0]}XX`),
      `${request.method} ${schemaPath}: undocumented status ${response.status} (documented: ${listed.join(", ")})`,
    );
    return undefined;
  },
};

function client(token: string) {
  const made = createClient<paths>({ baseUrl: URL_, headers: { Authorization: `Bearer ${token}` } });
  made.use(contract);
  return made;
}
const buyer = client(env("BLUELIGHT_BUYER_TOKEN"));
const admin = client(env("BLUELIGHT_ADMIN_TOKEN"));

type Result<D> = { data?: D; error?: unknown; response: Response };

async function ok<D>(what: string, call: Promise<Result<D>>, status: number): Promise<{ data: D; response: Response }> {
  const { data, error, response } = await call;
  check(response.status === status, () => `${what}: expected ${status}, got ${response.status}: ${JSON.stringify(error)}`);
  check(data !== undefined, `${what}: no body with ${status}`);
  return { data, response };
}

async function problem(what: string, call: Promise<Result<unknown>>, status: number, code: string): Promise<Problem> {
  const { error, response } = await call;
  check(response.status === status, () => `${what}: expected ${status}, got ${response.status}`);
  check(
    response.headers.get("content-type")?.startsWith("application/problem+json"),
    `${what}: not application/problem+json`,
  );
  const found = error as Problem;
  check(found.status === status && found.code === code, () => `${what}: ${JSON.stringify(found)}`);
  check(found.title && found.detail, () => `${what}: ${JSON.stringify(found)}`);
  return found;
}

type Page<T> = { items: T[]; next_cursor?: string | null };

/** Every item of a list, following `next_cursor` page by page. */
async function walk<T extends { id: string }>(
  what: string,
  limit: number,
  page: (cursor: string | undefined) => Promise<Result<Page<T>>>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const { data } = await ok(what, page(cursor), 200);
    pages += 1;
    check(data.items.length <= limit, `${what}: ${data.items.length} items on a page of ${limit}`);
    items.push(...data.items);
    if (typeof data.next_cursor !== "string") break;
    check(data.items.length > 0, `${what}: an empty page with a next_cursor`);
    cursor = data.next_cursor;
    check(pages < 500, `${what}: the cursor walk does not end`);
  }
  check(new Set(items.map((i) => i.id)).size === items.length, `${what}: an item seen twice while paging`);
  return { items, pages };
}

function pence(money: string): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(money);
  check(m, `not money: ${money}`);
  const value = Number(m[2]) * 100 + Number((m[3] ?? "0").padEnd(2, "0"));
  return m[1] === "-" ? -value : value;
}

function day(offset: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ----- a webhook receiver on loopback -----------------------------------------------------------

type Delivery = { headers: IncomingHttpHeaders; body: Buffer };

async function startReceiver(): Promise<{ url: string; deliveries: Delivery[]; close: () => void }> {
  const deliveries: Delivery[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      deliveries.push({ headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/bluelight`, deliveries, close: () => server.close() };
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  check(typeof value === "string", `no ${name} header`);
  return value;
}

function genuine(secret: string, delivery: Delivery): boolean {
  const timestamp = header(delivery.headers, "webhook-timestamp");
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = Buffer.from(
    "v1=" +
      createHmac("sha256", secret)
        .update(`${header(delivery.headers, "webhook-id")}.${timestamp}.`)
        .update(delivery.body)
        .digest("hex"),
  );
  const given = Buffer.from(header(delivery.headers, "webhook-signature"));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

// ----- the scenario -----------------------------------------------------------------------------

type Context = {
  framework?: string;
  receiver?: Awaited<ReturnType<typeof startReceiver>>;
  subscription?: string;
  secret?: string;
  procurement?: string;
  decision?: string;
  contract?: string;
  kpisBefore?: Schemas["KpiReport"];
};

function need<T>(value: T | undefined, name: string): T {
  check(value !== undefined, `${name} was not set by an earlier step`);
  return value;
}

const frameworks = (query: NonNullable<paths["/api/v1/frameworks"]["get"]["parameters"]["query"]>) => (cursor?: string) =>
  buyer.GET("/api/v1/frameworks", { params: { query: { ...query, cursor } } });

async function frameworksAreSearchedPageByPage(ctx: Context): Promise<void> {
  const openToUs = await walk("list_frameworks", 5, frameworks({ status: "live", eligible_for: TENANT, limit: 5 }));
  check(openToUs.pages >= 2, `expected several pages of 5, got ${openToUs.pages}`);
  for (const f of openToUs.items) {
    check(f.status === "live" && f.open_to_you === true, `${f.reference}: ${f.status} ${f.open_to_you}`);
  }
  const uniform = await walk(
    "list_frameworks",
    2,
    frameworks({ category: "uniform-and-ppe", status: "live", eligible_for: TENANT, limit: 2 }),
  );
  check(uniform.items.every((f) => UNIFORM_SUBTREE.has(f.category)), "a framework outside the category subtree");
  const openIds = new Set(openToUs.items.map((f) => f.id));
  check(uniform.items.every((f) => openIds.has(f.id)), "a uniform framework not in the eligible list");
  const armour = await walk("list_frameworks", 50, frameworks({ q: "ARMOUR", limit: 50 }));
  for (const f of armour.items) {
    check(`${f.reference} ${f.title} ${f.description}`.toLowerCase().includes("armour"), `${f.reference}: no armour`);
  }
  const all = await walk(
    "list_frameworks",
    1,
    frameworks({ q: "armour", category: "uniform-and-ppe", status: "live", eligible_for: TENANT, limit: 1 }),
  );
  const armourIds = new Set(armour.items.map((f) => f.id));
  const expected = uniform.items.filter((f) => armourIds.has(f.id)).map((f) => f.id).sort();
  check(
    JSON.stringify(all.items.map((f) => f.id).sort()) === JSON.stringify(expected),
    "the filters together are not the intersection",
  );
  const chosen = all.items.find((f) => f.reference === ARMOUR_FRAMEWORK);
  check(chosen, `${ARMOUR_FRAMEWORK} not found by q=armour in the uniform subtree`);
  ctx.framework = chosen.id;
  const found = await problem(
    "list_frameworks limit=0",
    buyer.GET("/api/v1/frameworks", { params: { query: { limit: 0 } } }),
    422,
    "validation_failed",
  );
  check(found.errors?.some((e) => e.field === "limit"), () => JSON.stringify(found));
}

async function aFrameworkIsReadWithItsLotsAndSuppliers(ctx: Context): Promise<void> {
  const id = need(ctx.framework, "framework");
  const { data: framework, response } = await ok(
    "get_framework",
    buyer.GET("/api/v1/frameworks/{id}", { params: { path: { id } } }),
    200,
  );
  check(response.headers.get("etag"), "no ETag on a framework");
  check(framework.reference === ARMOUR_FRAMEWORK, framework.reference);
  check(framework.lots.length > 0 && framework.lot_count === framework.lots.length, "lots and lot_count disagree");
  const numbers = framework.lots.map((l) => l.number);
  check(JSON.stringify(numbers) === JSON.stringify([...numbers].sort((a, b) => a - b)), "lots out of order");
  const awarded = framework.lots.flatMap((l) => l.suppliers);
  check(awarded.length > 0, "no awarded suppliers on any lot");
  const statuses: ReadonlyArray<Schemas["AwardStatus"]> = ["active", "suspended", "excluded"];
  for (const s of awarded) check(s.supplier_id && s.name && statuses.includes(s.status), JSON.stringify(s));
  await problem(
    "get_framework 404",
    buyer.GET("/api/v1/frameworks/{id}", { params: { path: { id: "no-such-framework" } } }),
    404,
    "not_found",
  );
}

async function strategicSuppliersAreListedWithTheirRiskHistory(): Promise<void> {
  const strategic = await walk("list_suppliers", 5, (cursor) =>
    buyer.GET("/api/v1/suppliers", { params: { query: { strategic: true, limit: 5, cursor } } }),
  );
  check(strategic.items.length >= 2 && strategic.items.every((s) => s.strategic), "strategic suppliers");
  const ratings: ReadonlyArray<Schemas["RiskRating"]> = ["green", "amber", "red"];
  let withHistory = 0;
  for (const supplier of strategic.items) {
    const profile = supplier.strategic_profile;
    check(profile, `${supplier.name}: no strategic profile`);
    const history = await walk("list_risk_ratings", 2, (cursor) =>
      buyer.GET("/api/v1/suppliers/{id}/risk-ratings", {
        params: { path: { id: supplier.id }, query: { limit: 2, cursor } },
      }),
    );
    for (const change of history.items) {
      check(ratings.includes(change.rating) && change.reason.trim() !== "", JSON.stringify(change));
    }
    if (history.items.length > 0) {
      withHistory += 1;
      check(profile.risk_rating && ratings.includes(profile.risk_rating), `${supplier.name}: ${profile.risk_rating}`);
    }
  }
  check(withHistory >= 1, "no strategic supplier has a risk history");
}

const hooks = `/api/v1/tenants/{slug}/webhooks` as const;

async function aWebhookIsSubscribed(ctx: Context): Promise<void> {
  let url = "https://hooks.example-force.police.uk/bluelight";
  if (RECEIVER === "loopback") {
    ctx.receiver = await startReceiver();
    url = ctx.receiver.url;
  }
  const body: Schemas["NewSubscription"] = {
    url,
    events: ["decision.recorded"],
    description: `${CLIENT_NAME} scenario`,
  };
  const { data: created, response } = await ok(
    "create_tenant_subscription",
    admin.POST(hooks, { params: { path: { slug: TENANT } }, body }),
    201,
  );
  check(response.headers.get("location")?.endsWith(created.id), "Location");
  check(typeof created.secret === "string" && created.secret.startsWith("whsec_"), "the secret is shown once");
  check(created.active && created.tenant === TENANT && created.events.join() === "decision.recorded", "subscription");
  const { data: read } = await ok(
    "get_tenant_subscription",
    admin.GET(`${hooks}/{id}`, { params: { path: { slug: TENANT, id: created.id } } }),
    200,
  );
  check(read.secret === undefined || read.secret === null, "the secret is shown again");
  ctx.subscription = created.id;
  ctx.secret = created.secret;
  await problem(
    "create_tenant_subscription as a buyer",
    buyer.POST(hooks, { params: { path: { slug: TENANT } }, body }),
    403,
    "forbidden",
  );
}

function procurement(value: string, route: Schemas["Route"], quotes: Schemas["QuoteInput"][]): Schemas["NewProcurement"] {
  return {
    reference: REFERENCE,
    title: "Replacement kit bags for response officers",
    value,
    contract_type: "goods",
    category: "uniform-garments",
    route,
    quotes,
  };
}

async function aDraftIsEvaluatedThenRecordedAndEvaluated(ctx: Context): Promise<void> {
  const slug = { path: { slug: TENANT } };
  const quote = (amount: string): Schemas["QuoteInput"] => ({
    supplier_name: "Ouse Valley Outfitters Ltd",
    amount,
    local: true,
    sme: true,
  });
  let { data: draft } = await ok(
    "evaluate_draft",
    buyer.POST("/api/v1/tenants/{slug}/evaluate", {
      params: slug,
      body: { procurement: procurement("45000.00", "single_quote", [quote("45000.00")]) },
    }),
    200,
  );
  check(draft.active && (draft.plugin_version ?? 0) >= 1, "the active plugin decided");
  check(draft.national_plugin_version === 1, "the national layer decided too");
  check(draft.outcome === "non_compliant", () => JSON.stringify(draft));
  const violations = draft.decision.findings.filter((f) => f.severity === "violation");
  check(violations.length > 0 && violations.every((f) => f.policy_clause && f.required_action), "violations");

  const fixed = procurement("5500.00", "single_quote", [quote("5500.00")]);
  ({ data: draft } = await ok(
    "evaluate_draft",
    buyer.POST("/api/v1/tenants/{slug}/evaluate", { params: slug, body: { procurement: fixed } }),
    200,
  ));
  check(draft.outcome === "compliant", () => JSON.stringify(draft));
  const stored = await walk("list_procurements", 50, (cursor) =>
    buyer.GET("/api/v1/tenants/{slug}/procurements", { params: { ...slug, query: { q: REFERENCE, cursor } } }),
  );
  check(stored.items.length === 0, "a draft was stored");

  const key = `${CLIENT_NAME}-${NONCE}-procurement`;
  const create = () =>
    buyer.POST("/api/v1/tenants/{slug}/procurements", {
      params: { ...slug, header: { "Idempotency-Key": key } },
      body: fixed,
    });
  const first = await ok("create_procurement", create(), 201);
  const again = await ok("create_procurement (retried)", create(), 201);
  check(again.response.headers.get("idempotent-replayed") === "true", "Idempotent-Replayed");
  check(again.data.id === first.data.id, "the retry made a second record");
  check(first.response.headers.get("location")?.endsWith(first.data.id) && first.response.headers.get("etag"), "headers");
  const recorded = first.data;
  check(recorded.reference === REFERENCE && recorded.value === "5500.00" && recorded.tenant === TENANT, "recorded");
  await problem(
    "create_procurement twice",
    buyer.POST("/api/v1/tenants/{slug}/procurements", { params: slug, body: fixed }),
    409,
    "procurement_reference_exists",
  );

  const evaluations = "/api/v1/tenants/{slug}/procurements/{id}/evaluations" as const;
  const path = { path: { slug: TENANT, id: recorded.id } };
  const { data: decision, response } = await ok("evaluate_procurement", buyer.POST(evaluations, { params: path }), 201);
  check(response.headers.get("location")?.endsWith(decision.id), "Location");
  check(decision.procurement_id === recorded.id && decision.tenant === TENANT, "the decision's procurement");
  check(decision.decision.outcome === "compliant", () => JSON.stringify(decision));
  const history = await walk("list_evaluations", 10, (cursor) =>
    buyer.GET(evaluations, { params: { ...path, query: { limit: 10, cursor } } }),
  );
  check(history.items.map((d) => d.id).join() === decision.id, "the evaluation history");
  ctx.procurement = recorded.id;
  ctx.decision = decision.id;
}

async function aContractIsAwarded(ctx: Context): Promise<void> {
  const id = need(ctx.procurement, "procurement");
  const terms: Schemas["AwardContract"] = { start_date: day(30), end_date: day(395), contract_manager: "A. Okafor" };
  const award = () =>
    buyer.POST("/api/v1/tenants/{slug}/procurements/{id}/award", {
      params: { path: { slug: TENANT, id } },
      body: terms,
    });
  const { data: contract, response } = await ok("award_contract", award(), 201);
  check(response.headers.get("location")?.endsWith(contract.id) && response.headers.get("etag"), "headers");
  check(contract.procurement_id === id && contract.reference === REFERENCE, "the contract's procurement");
  check(contract.value === "5500.00" && contract.supplier_name === "Ouse Valley Outfitters Ltd", "the winning quote");
  check(contract.status === "pipeline", contract.status);
  check(contract.start_date === terms.start_date && contract.end_date === terms.end_date, "the terms");
  ctx.contract = contract.id;
  await problem("award_contract twice", award(), 409, "procurement_has_contract");
}

async function theContractsRegisterIsListed(ctx: Context): Promise<void> {
  const id = need(ctx.contract, "contract");
  const contracts = (query: NonNullable<paths["/api/v1/tenants/{slug}/contracts"]["get"]["parameters"]["query"]>) =>
    (cursor?: string) =>
      buyer.GET("/api/v1/tenants/{slug}/contracts", {
        params: { path: { slug: TENANT }, query: { ...query, cursor } },
      });
  const register = await walk("list_contracts", 10, contracts({ limit: 10 }));
  check(register.pages >= 2, "the demo register is larger than a page of 10");
  check(register.items.filter((c) => c.id === id && c.tenant === TENANT).length === 1, "our contract, once");
  const found = await walk("list_contracts", 10, contracts({ limit: 10, q: REFERENCE }));
  check(found.items.map((c) => c.id).join() === id, "q finds our contract alone");
  const pipeline = await walk("list_contracts", 20, contracts({ limit: 20, status: "pipeline" }));
  check(pipeline.items.some((c) => c.id === id), "our contract is in the pipeline");
  check(pipeline.items.every((c) => c.status === "pipeline"), "status filter");
}

function month(): { from: string; to: string } {
  const { year, month } = SPEND_MONTH;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const mm = String(month).padStart(2, "0");
  return { from: `${year}-${mm}-01`, to: `${year}-${mm}-${last}` };
}

async function kpis(): Promise<Schemas["KpiReport"]> {
  const period = month();
  const { data } = await ok(
    "get_kpis",
    buyer.GET("/api/v1/tenants/{slug}/kpis", { params: { path: { slug: TENANT }, query: period } }),
    200,
  );
  check(data.tenant === TENANT && data.from === period.from && data.to === period.to, "the KPI period");
  return data;
}

function share(report: Schemas["KpiReport"], key: string): Schemas["SpendShare"] {
  const found = report.spend_shares.filter((s) => s.key === key);
  check(found.length === 1, `no spend share ${key}`);
  const [only] = found;
  check(only && only.name && only.definition, `${key} says what it counts`);
  return only;
}

async function aSpendFileIsImportedAndPolledUntilDone(ctx: Context): Promise<void> {
  ctx.kpisBefore = await kpis();
  const { year, month: m } = SPEND_MONTH;
  const mm = String(m).padStart(2, "0");
  const csv =
    "transaction_id,date,supplier,amount,contract_reference,category,expense_type\n" +
    `${CLIENT_NAME}-${NONCE}-1,${year}-${mm}-02,Ouse Valley Outfitters Ltd,1200.00,${REFERENCE},,Kit bags\n` +
    `${CLIENT_NAME}-${NONCE}-2,${year}-${mm}-09,Ouse Valley Outfitters Ltd,-200.00,${REFERENCE},,Credit note\n` +
    `${CLIENT_NAME}-${NONCE}-3,${year}-${mm}-16,Biggleswade Print Shop,350.50,,print-and-stationery,Leaflets\n`;
  const bytes = new TextEncoder().encode(csv);
  // The document's body is `application/octet-stream` (a string, format binary): the file's bytes
  // are sent as they are (openapi-fetch would otherwise send JSON with a JSON content type).
  const upload = () =>
    buyer.POST("/api/v1/tenants/{slug}/spend-imports", {
      params: { path: { slug: TENANT }, query: { filename: "spend.csv" } },
      body: csv,
      bodySerializer: (body: string) => new TextEncoder().encode(body),
      headers: { "Content-Type": "application/octet-stream" },
    });
  const { data: started, response } = await ok("import_spend", upload(), 202);
  check(response.headers.get("location")?.endsWith(started.id), "Location");
  check(started.kind === "spend" && started.rows_total === 3 && started.filename === "spend.csv", "the import");
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  check(started.tenant === TENANT && started.sha256 === sha256, () => `the file arrived altered: ${JSON.stringify(started)}`);
  const deadline = Date.now() + 60_000;
  let current: Schemas["Import"];
  for (;;) {
    ({ data: current } = await ok(
      "get_import",
      buyer.GET("/api/v1/tenants/{slug}/imports/{id}", { params: { path: { slug: TENANT, id: started.id } } }),
      200,
    ));
    if (current.status !== "running") break;
    check(Date.now() < deadline, "the import is still running after 60 s");
    await sleep(200);
  }
  check(current.status === "completed", () => JSON.stringify(current));
  check(current.rows_written === 3 && current.rows_skipped === 0 && !current.failure, () => JSON.stringify(current));
  check(current.id === started.id && current.sha256 === sha256, () => JSON.stringify(current));
  const { data: same } = await ok("import_spend (the same file)", upload(), 200);
  check(same.id === started.id, "the same file made a second import");
  const listed = await walk("list_imports", 10, (cursor) =>
    buyer.GET("/api/v1/tenants/{slug}/imports", { params: { path: { slug: TENANT }, query: { limit: 10, cursor } } }),
  );
  check(listed.items.some((i) => i.id === started.id), "the import is listed");
}

async function kpisCountTheImportedSpend(ctx: Context): Promise<void> {
  const before = need(ctx.kpisBefore, "KPIs before");
  const after = await kpis();
  check(pence(after.total_spend) - pence(before.total_spend) === 135050, `${before.total_spend} -> ${after.total_spend}`);
  check(after.spend_lines - before.spend_lines === 3, "spend lines");
  const underBefore = share(before, "spend_under_contract");
  const underAfter = share(after, "spend_under_contract");
  // The two lines naming our contract were paid in the spend month, years before the contract
  // starts (30 days from today): not paid within its term, so not under contract.
  check(pence(underAfter.amount) === pence(underBefore.amount), JSON.stringify(underAfter));
  check(underAfter.definition.includes("within that contract's term"), underAfter.definition);
  check(underAfter.of_total === after.total_spend, "of_total is the period's total");
  check(after.savings.definition && Array.isArray(after.contract_shares), "savings and contract shares");
}

async function theDecisionWasDeliveredToTheWebhook(ctx: Context): Promise<void> {
  if (RECEIVER !== "loopback") return;
  const receiver = need(ctx.receiver, "receiver");
  const id = need(ctx.subscription, "subscription");
  const deadline = Date.now() + 30_000;
  let delivery: Delivery | undefined;
  while (!(delivery = receiver.deliveries.find((d) => d.headers["webhook-event"] === "decision.recorded"))) {
    check(Date.now() < deadline, "no decision.recorded delivery within 30 s");
    await sleep(100);
  }
  check(genuine(need(ctx.secret, "secret"), delivery), "the signature does not check");
  const event = JSON.parse(delivery.body.toString("utf8")) as Schemas["EventEnvelope"];
  check(event.type === "decision.recorded" && event.tenant === TENANT, JSON.stringify(event));
  const data = event.data as { decision_id?: string };
  check(data.decision_id === ctx.decision, JSON.stringify(event));
  const path = { path: { slug: TENANT, id } };
  for (;;) {
    const listed = await walk("list_tenant_deliveries", 10, (cursor) =>
      admin.GET(`${hooks}/{id}/deliveries`, { params: { ...path, query: { limit: 10, cursor } } }),
    );
    const [first] = listed.items;
    if (first?.status === "delivered") {
      check(first.id === delivery.headers["webhook-id"] && first.event_type === "decision.recorded", "the delivery");
      break;
    }
    check(Date.now() < deadline, () => JSON.stringify(listed.items));
    await sleep(200);
  }
  const { response } = await admin.DELETE(`${hooks}/{id}`, { params: path });
  check(response.status === 204, `delete_tenant_subscription: ${response.status}`);
  receiver.close();
}

const steps: Array<[string, (ctx: Context) => Promise<void>]> = [
  ["frameworks_are_searched_page_by_page", frameworksAreSearchedPageByPage],
  ["a_framework_is_read_with_its_lots_and_suppliers", aFrameworkIsReadWithItsLotsAndSuppliers],
  ["strategic_suppliers_are_listed_with_their_risk_history", strategicSuppliersAreListedWithTheirRiskHistory],
  ["a_webhook_is_subscribed", aWebhookIsSubscribed],
  ["a_draft_is_evaluated_then_recorded_and_evaluated", aDraftIsEvaluatedThenRecordedAndEvaluated],
  ["a_contract_is_awarded", aContractIsAwarded],
  ["the_contracts_register_is_listed", theContractsRegisterIsListed],
  ["a_spend_file_is_imported_and_polled_until_done", aSpendFileIsImportedAndPolledUntilDone],
  ["kpis_count_the_imported_spend", kpisCountTheImportedSpend],
  ["the_decision_was_delivered_to_the_webhook", theDecisionWasDeliveredToTheWebhook],
];

async function main(): Promise<number> {
  const ctx: Context = {};
  let passed = 0;
  for (const [name, run] of steps) {
    try {
      await run(ctx);
    } catch (e) {
      const message = e instanceof Failure ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      console.error(`FAIL typescript scenario: ${name}: ${message}`);
      console.log(`typescript scenario: ${passed} passed, 1 failed (${steps.length - passed - 1} not run)`);
      ctx.receiver?.close();
      return 1;
    }
    passed += 1;
    console.log(`ok   typescript scenario: ${name}`);
  }
  console.log(`typescript scenario: ${passed} passed, 0 failed`);
  return 0;
}

process.exitCode = await main();
