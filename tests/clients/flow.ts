// The README's whole flow in TypeScript, type-checked with `tsc --strict` against the types openapi-typescript
// generates from /openapi.json (scripts/openapi-check.sh writes them to tests/clients/api.d.ts). Every request
// body is the README's own payload typed by the document, every answer is read through its documented type: a
// schema that is a bare object, lacks a field or mistypes an enum makes this file fail to compile.
import type { components, paths } from "./api.js";

// Node's globals without @types/node: only what this file uses.
declare const process: { env: Record<string, string | undefined>; exit(code: number): never };

type Schemas = components["schemas"];
type Method = "get" | "post";
type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type Body<P extends keyof paths, M extends Method> =
  Op<P, M> extends { requestBody?: { content: { "application/json": infer B } } } ? B : never;
type Answer<P extends keyof paths, M extends Method, S extends number> =
  Op<P, M> extends { responses: infer R }
    ? S extends keyof R
      ? R[S] extends { content: { "application/json": infer A } }
        ? A
        : never
      : never
    : never;
type ErrorAnswer = Schemas["ErrorEnvelope"];

const API = process.env.WASTE_API ?? "http://127.0.0.1:8080";
const ADMIN = process.env.WASTE_ADMIN ?? "";

/** Sends a request; the path is a documented one, the body the documented body, the answer read as `S`'s type. */
async function send<P extends keyof paths, M extends Method, S extends number>(
  method: M,
  path: P,
  params: Record<string, string>,
  token: string,
  status: S,
  body?: Body<P, M>,
): Promise<Answer<P, M, S>> {
  let url = String(path);
  for (const [k, v] of Object.entries(params)) url = url.replace(`{${k}}`, encodeURIComponent(v));
  const res = await fetch(API + url, {
    method: method.toUpperCase(),
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status !== status) throw new Error(`${method} ${url}: ${res.status} instead of ${status}`);
  return (await res.json()) as Answer<P, M, S>;
}

async function flow(): Promise<void> {
  // 1. A school.
  const school = await send("post", "/api/v1/organizations", {}, ADMIN, 201, {
    kind: "school",
    name: "长春市第一中学",
    credit_code: "91350100M000100Y43",
    region_code: "220102",
  });
  // 2. A trained lab user.
  const user = await send("post", "/api/v1/organizations/{id}/users", { id: school.id }, ADMIN, 201, {
    name: "王老师",
    roles: ["lab_staff", "safety_officer"],
    trained_until: "2027-06-30",
  });
  const me: string = user.token ?? "";
  const who = await send("get", "/api/v1/me", {}, me, 200);
  const kind: Schemas["OrgKind"] = who.organization_kind;
  const roles: Schemas["Role"][] = who.roles;
  console.log(kind, roles.join(","));
  // 3. A container.
  const c = await send("post", "/api/v1/containers", {}, me, 201, {
    lab: "B-304",
    capacity_liters: "20",
    material: "hdpe",
    contact: "王老师 138-0000-0000",
  });
  // 4. Cyanide titration waste.
  const added = await send("post", "/api/v1/containers/{id}/additions", { id: c.id }, me, 201, {
    waste: {
      form: "liquid",
      origin: "experiment_residue",
      components: [
        { name: "potassium cyanide", fraction: "0.01" },
        { name: "water", fraction: "0.99" },
      ],
    },
    quantity: "2",
    unit: "L",
  });
  const summary = {
    stream: added.stream,
    code: added.code,
    hazards: added.hazards,
    filled_liters: added.filled_liters,
    storage: added.storage,
    digital_id: added.label.digital_id,
    decided_by: added.classification?.hazardous.clause,
  };
  console.log(summary);
  // 5. Acid into it: refused with the rule's details.
  const refusal: ErrorAnswer = await send("post", "/api/v1/containers/{id}/additions", { id: c.id }, me, 409, {
    waste: {
      form: "liquid",
      origin: "experiment_residue",
      components: [{ name: "sodium cyanide" }, { name: "hydrochloric acid" }],
    },
    quantity: "1",
    unit: "L",
  });
  console.log(refusal.error.code, refusal.error.details["consequences"]);
  const classified = await send("post", "/api/v1/classify", {}, me, 200, {
    form: "liquid",
    origin: "experiment_residue",
    components: [{ name: "acetone" }],
  });
  console.log(classified.hazardous.outcome, classified.stream, classified.trace.map((t) => t.citation));
  // 6-7. Seal; alerts; the custody events.
  const sealed = await send("post", "/api/v1/containers/{id}/seal", { id: c.id }, me, 200);
  const status: Schemas["ContainerStatus"] = sealed.status;
  console.log(status, sealed.sealed_at);
  const alerts = await send("get", "/api/v1/alerts/storage", {}, me, 200);
  console.log(alerts.items.map((a) => a.storage.deadline), alerts.on_hand?.total_kg);
  const events = await send("get", "/api/v1/containers/{id}/events", { id: c.id }, me, 200);
  console.log(events.items.map((e) => ({ seq: e.seq, kind: e.kind, hash: e.hash })));
  const list = await send("get", "/api/v1/containers", {}, me, 200);
  const first: Schemas["ContainerView"] | undefined = list.items[0];
  console.log(first?.id, list.next_after);

  // Storage sites.
  const site = await send("post", "/api/v1/storage-sites", {}, me, 201, {
    kind: "storage_point",
    name: "实验楼贮存点",
    location: "B-104",
    containment_liters: "50",
    responsible: "王老师",
    contact: "138-0000-0000",
    zones: ["A", "B"],
  });
  const moved = await send("post", "/api/v1/containers/{id}/move", { id: c.id }, me, 200, { site_id: site.id, zone: "A" });
  console.log(moved.warnings);
  const state = await send("get", "/api/v1/storage-sites/{id}", { id: site.id }, me, 200);
  console.log(state.quantity, state.containment, state.zone_conflicts, state.todo);
  const inspected = await send("post", "/api/v1/storage-sites/{id}/inspections", { id: site.id }, me, 201, {
    inspected_on: "2026-11-30",
    answers: [
      { item: "sign_posted_current", ok: true },
      { item: "containment_intact", ok: false, note: "tray cracked" },
      { item: "no_leaking_container", ok: true },
      { item: "all_labelled", ok: true },
      { item: "incompatibles_apart", ok: true },
      { item: "fire_spill_equipment", ok: true },
      { item: "ventilation", ok: true },
    ],
  });
  console.log(inspected.findings);

  // From the station to disposal.
  const org = async (body: Body<"/api/v1/organizations", "post">) =>
    (await send("post", "/api/v1/organizations", {}, ADMIN, 201, body)).id;
  const person = async (orgId: string, role: Schemas["Role"]) =>
    (await send("post", "/api/v1/organizations/{id}/users", { id: orgId }, ADMIN, 201, {
      name: role,
      roles: [role],
      trained_until: "2027-06-30",
    })).token ?? "";
  const station = await org({ kind: "transfer_station", name: "中转站", credit_code: "91220104MA0000001E", region_code: "220104" });
  const carrier = await org({ kind: "carrier", name: "运输公司", credit_code: "91220104MA0000002H", region_code: "220104" });
  const firm = await org({
    kind: "disposal_firm",
    name: "处置公司",
    credit_code: "91220112MA00000037",
    region_code: "220112",
    license: { number: "JL-HW-001", waste_codes: ["900-047-49"], valid_until: "2027-12-31" },
  });
  const op = await person(station, "station_operator");
  const driver = await person(carrier, "driver");
  const firmOp = await person(firm, "disposal_operator");
  await send("post", "/api/v1/contracts", {}, ADMIN, 201, {
    shipper_id: station,
    disposal_firm_id: firm,
    valid_from: "2026-01-01",
    valid_until: "2027-12-31",
    waste_codes: ["900-047-49"],
  });
  // The school asks for the pickup and the station schedules it: only then may the station take the containers.
  const now = Date.now();
  const window = {
    preferred_from: new Date(now + 86_400_000).toISOString(),
    preferred_until: new Date(now + 3 * 86_400_000).toISOString(),
  };
  const asked = await send("post", "/api/v1/pickup-requests", {}, me, 201, {
    container_ids: [c.id],
    contact: "王老师 138-0000-0000",
    ...window,
  });
  const scheduled = await send("post", "/api/v1/pickup-requests/{id}/schedule", { id: asked.id }, op, 200, {
    slot_from: window.preferred_from,
    slot_until: window.preferred_until,
  });
  console.log(scheduled.state, scheduled.slot_from);
  const pickup = await send("post", "/api/v1/pickups", {}, op, 201, {
    school_id: school.id,
    request_id: asked.id,
    containers: [{ container_id: c.id, gross_weight_kg: "6.2" }],
  });
  console.log(pickup.total_gross_kg, pickup.containers.length);
  const m = await send("post", "/api/v1/manifests", {}, op, 201, {
    receiver_id: firm,
    carrier_id: carrier,
    container_ids: [c.id],
  });
  await send("post", "/api/v1/manifests/{id}/submit", { id: m.id }, op, 200);
  await send("post", "/api/v1/manifests/{id}/dispatch", { id: m.id }, driver, 200, { container_ids: [c.id] });
  await send("post", "/api/v1/manifests/{id}/receive", { id: m.id }, firmOp, 200, {
    lines: [{ container_id: c.id, received_weight_kg: "6.1", accepted: true }],
  });
  const done = await send("post", "/api/v1/manifests/{id}/confirm-disposal", { id: m.id }, firmOp, 200, { method: "D10" });
  const final: Schemas["ManifestState"] = done.status;
  console.log(done.number, final, done.lines.map((l) => l.received_weight_kg));
  const audit = await send("get", "/api/v1/audit/verify", {}, ADMIN, 200);
  console.log(audit.ok, audit.events_checked, audit.broken?.kind);
  const manifests = await send("get", "/api/v1/manifests", {}, op, 200);
  console.log(manifests.items.map((s) => s.status));
  const late = await send("get", "/api/v1/alerts/receipts", {}, op, 200);
  console.log(late.items.map((l) => l.deadline), late.as_of);

  // Records.
  const ledger = await send("get", "/api/v1/ledger", {}, me, 200);
  console.log(ledger.records.map((r) => ({ stage: r.stage, batch_code: r.batch_code, tonnes: r.amount.tonnes })));
  const annual = await send("get", "/api/v1/reports/annual", {}, op, 200);
  console.log(annual.by_code.length, annual.manifests.length);
  const cls = await send("get", "/api/v1/organizations/{id}/management-class", { id: school.id }, me, 200);
  console.log(cls.decision, cls.calendar.length, cls.alerts.length);
}

flow().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
