// The custody chain's world for the chain test and the screenshots: a school with two sealed containers, a
// transfer station, a carrier, a licensed disposal firm with a contract, and an education bureau; each user's
// one-time sign-in link and API token.
import { api, ADMIN_TOKEN } from "./lib.mjs";

const CYANIDE = { form: "liquid", origin: "experiment_residue", components: [{ name: "potassium cyanide", fraction: "0.01" }, { name: "water", fraction: "0.99" }] };

/** Registers an organisation; its contact (for the roadside sheet) is set afterwards, as an administrator does. */
async function org(base, kind, name, credit, region, extra = {}) {
  const { contact, ...rest } = extra;
  const o = await api(base, ADMIN_TOKEN, "POST", "/api/v1/organizations", { kind, name, credit_code: credit, region_code: region, ...rest });
  if (contact) await api(base, ADMIN_TOKEN, "PATCH", `/api/v1/organizations/${o.id}`, { contact });
  return o;
}

async function user(base, orgId, name, roles) {
  return api(base, ADMIN_TOKEN, "POST", `/api/v1/organizations/${orgId}/users`, { name, roles, trained_until: "2099-12-31" });
}

/** A sealed 20 L container of dilute cyanide solution; returns { id, digital_id }. */
export async function sealedContainer(base, token, lab) {
  const c = await api(base, token, "POST", "/api/v1/containers", { lab, capacity_liters: "20", material: "hdpe", contact: "王老师 138-0000-0000" });
  await api(base, token, "POST", `/api/v1/containers/${c.id}/additions`, { waste: CYANIDE, quantity: "5", unit: "L" });
  const s = await api(base, token, "POST", `/api/v1/containers/${c.id}/seal`, {});
  return { id: c.id, digital_id: s.label.digital_id };
}

/** An open container with one addition (so it has its digital identification code), not sealed. */
export async function openContainer(base, token, lab) {
  const c = await api(base, token, "POST", "/api/v1/containers", { lab, capacity_liters: "20", material: "hdpe", contact: "王老师 138-0000-0000" });
  const added = await api(base, token, "POST", `/api/v1/containers/${c.id}/additions`, { waste: CYANIDE, quantity: "2", unit: "L" });
  const got = await api(base, token, "GET", `/api/v1/containers/${c.id}`);
  return { id: c.id, digital_id: got.label.digital_id ?? added.label?.digital_id };
}

export async function chainWorld(base) {
  const school = await org(base, "school", "长春市第二中学", "91220101MA0000201E", "220102");
  const station = await org(base, "transfer_station", "长春市实验废物转运站", "91220101MA0000202H", "220104", { contact: "0431-8888-0202" });
  const carrier = await org(base, "carrier", "吉安危货运输有限公司", "91220101MA0000203L", "220104", { contact: "0431-8888-0203" });
  const firm = await org(base, "disposal_firm", "吉林环保处置有限公司", "91220101MA0000204P", "220112",
    { license: { number: "JL-HW-001", waste_codes: ["900-047-49", "900-999-49"], valid_until: "2099-12-31" } });
  const bureau = await org(base, "authority", "长春市教育局", "91220101MA0000205T", "220100");
  await api(base, ADMIN_TOKEN, "POST", "/api/v1/contracts", { shipper_id: station.id, disposal_firm_id: firm.id, valid_from: "2020-01-01", valid_until: "2099-12-31", waste_codes: ["900-047-49"] });
  return {
    school, station, carrier, firm, bureau,
    teacher: await user(base, school.id, "王老师", ["lab_staff"]),
    officer: await user(base, school.id, "李主任", ["lab_staff", "safety_officer"]),
    operator: await user(base, station.id, "赵师傅", ["station_operator"]),
    driver: await user(base, carrier.id, "孙司机", ["driver"]),
    receiver: await user(base, firm.id, "周工", ["disposal_operator"]),
    inspector: await user(base, bureau.id, "吴科长", ["auditor"]),
  };
}
