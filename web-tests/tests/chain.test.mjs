// The custody chain in Debian's Chromium, one browser context per role: the teacher requests a pickup, the station
// schedules it, the operator collects scanning each container while the safety officer confirms with the PIN on the
// operator's phone, the station drafts and submits a manifest, the driver dispatches by scanning every container on a phone, the firm
// receives one container accepted and one rejected and confirms disposal, the bureau sees the school's last
// pickup and the rejected container. The printed manifest is one A4 page and its QR code decodes to the
// manifest number. axe-core on every new page. Prints the chain's timing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, ADMIN_TOKEN, startServer, launch, PHONE, DESKTOP, signUpAndIn, api, axe, qrFrame, y4m, fakeCamera, localToday } from "../lib.mjs";
import { chainWorld, sealedContainer, openContainer } from "../chain.mjs";

// The phones' camera sees, in a loop, 1.2 s each: the school's two sealed containers (a, b), a code that is no
// label of this service, another school's sealed container, and the school's open container c (on no form).
let server, browser, w, a, b, c, other, videoDir;
const NOT_A_LABEL = "HELLO-NOT-A-LABEL-0001";
before(async () => {
  server = await startServer();
  w = await chainWorld(server.base);
  a = await sealedContainer(server.base, w.teacher.token, "B-304");
  b = await sealedContainer(server.base, w.teacher.token, "C-210");
  c = await openContainer(server.base, w.teacher.token, "D-101");
  const school2 = await api(server.base, ADMIN_TOKEN, "POST", "/api/v1/organizations", { kind: "school", name: "长春市第三中学", credit_code: "91220101MA0000206X", region_code: "220102" });
  const teacher2 = await api(server.base, ADMIN_TOKEN, "POST", `/api/v1/organizations/${school2.id}/users`, { name: "钱老师", roles: ["lab_staff"], trained_until: "2099-12-31" });
  other = await sealedContainer(server.base, teacher2.token, "E-1");
  videoDir = mkdtempSync(join(tmpdir(), "waste-chain-cam-"));
  const video = join(videoDir, "shelf.y4m");
  writeFileSync(video, y4m([a.digital_id, b.digital_id, NOT_A_LABEL, other.digital_id, c.digital_id].map(qrFrame), 12));
  browser = await launch(fakeCamera(video));
});
after(async () => {
  await browser?.close();
  server?.stop();
  if (videoDir) rmSync(videoDir, { recursive: true, force: true });
});

/** Turns on the in-form camera of scan field `field`, waits until `lines` lines are ticked and the list of scans
 *  says each of `said`, then turns it off. Returns the list's text. */
async function scanWithCamera(page, field, lines, said) {
  await page.click(`.scanner[data-camera='${field}'] [data-camera-start]`);
  await page.waitForFunction(([f, n]) => document.getElementById(f).form.querySelectorAll("[data-scan-line].scanned").length >= n,
    [field, lines], { timeout: 40000 });
  await page.waitForFunction(([f, res]) => res.every((r) => new RegExp(r).test(document.getElementById(f + "-log").innerText)),
    [field, said.map((r) => r.source)], { timeout: 40000 });
  const log = await page.locator(`#${field}-log`).innerText();
  await page.click(`.scanner[data-camera='${field}'] [data-camera-stop]`);
  return log;
}

async function axeClean(page, what) {
  const bad = await axe(page);
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(" ")})`), [], `axe on ${what}`);
}

/** The page size of a PDF in millimetres and its page count. */
function pdfPages(pdf) {
  const text = pdf.toString("latin1");
  const m = text.match(/\/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)\s*\]/);
  assert.ok(m, "the PDF has a MediaBox");
  return { w: Number(m[1]) * 25.4 / 72, h: Number(m[2]) * 25.4 / 72, pages: (text.match(/\/Type\s*\/Page[^s]/g) || []).length };
}

test("the chain: collect, draft and submit, dispatch by scanning, receive one accepted one rejected, dispose, oversee", async () => {
  const { base } = server;
  const started = Date.now();
  const timing = {};
  const lap = (name) => { timing[name] = Date.now() - started; };

  // The school's two sealed containers; the teacher asks for a pickup on a phone, checking them with the camera:
  // each scan names the container's waste and hazards; the open container, a stranger's and a non-label are said.
  const teacher = await (await browser.newContext(PHONE)).newPage();
  await signUpAndIn(teacher, base, w.teacher.signin_link, "wang-teacher");
  await teacher.goto(base + "/pickups/new");
  await axeClean(teacher, "/pickups/new");
  const requestLog = await scanWithCamera(teacher, "scan-request", 2, [/不认识的编码.*HELLO-NOT-A-LABEL/, /不是本单位的容器/, /不在本单上.*D-101/]);
  assert.match(requestLog, /✓ .*900-047-49.*毒性/, "a scan names the container's code and hazards in words");
  await Promise.all([teacher.waitForURL(/done=requested/), teacher.click("#request-submit")]);
  lap("requested");

  // The station schedules the request (desktop) and the officer sets their PIN.
  const op = await (await browser.newContext(PHONE)).newPage();
  await signUpAndIn(op, base, w.operator.signin_link, "zhao-op");
  await op.goto(base + "/pickups");
  await axeClean(op, "/pickups");
  const day = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
  await op.fill("input[name=slot_from]", `${day}T09:00`);
  await op.fill("input[name=slot_until]", `${day}T11:00`);
  await Promise.all([op.waitForURL(/done=schedule/), op.click("form[action$='/schedule'] button[type=submit]")]);
  const officer = await (await browser.newContext(PHONE)).newPage();
  await signUpAndIn(officer, base, w.officer.signin_link, "li-officer");
  await officer.goto(base + "/pickups");
  assert.match(await officer.locator("main").innerText(), /已预约|Scheduled/);
  await officer.fill("#new-pin", "480215");
  await Promise.all([officer.waitForURL(/done=pin/), officer.click("form[action='/pickups/pin'] button[type=submit]")]);
  lap("scheduled");

  // The operator collects on the phone: scans each container, enters its gross weight; the officer picks their
  // name and types the PIN on the operator's phone.
  await op.goto(base + "/pickups");
  await op.click("a[href$='/collect']");
  await scanWithCamera(op, "scan-collect", 2, [/不认识的编码/, /不是本单位的容器/]);
  await op.fill("#weight_0", "6.2");
  await op.fill("#weight_1", "6.3");
  await op.selectOption("#officer_id", { label: "李主任" });
  await op.fill("#pin", "480215");
  await axeClean(op, "/pickups/…/collect");
  await Promise.all([op.waitForURL(/\/stock/), op.click("#collect")]);
  lap("collected");

  // Station operator, on a phone: stock, draft with the licence and coverage, submit.
  await op.goto(base + "/stock");
  assert.match(await op.locator("main").innerText(), new RegExp(a.digital_id));
  await axeClean(op, "/stock");
  await op.goto(base + "/manifests/new");
  await op.selectOption("#receiver_id", w.firm.id);
  await op.selectOption("#carrier_id", w.carrier.id);
  // The coverage check posts the form (the CSRF token never goes into a URL) and shows the draft again.
  await Promise.all([op.waitForResponse((r) => r.url().endsWith("/manifests/new") && r.request().method() === "POST"), op.click("#check-coverage")]);
  await op.locator("#coverage").waitFor();
  assert.doesNotMatch(op.url(), /csrf/);
  assert.match(await op.locator("#coverage").innerText(), /JL-HW-001/);
  await axeClean(op, "/manifests/new");
  // A draft has no number yet (it is drawn at submission): its page is addressed by its id.
  await Promise.all([op.waitForURL(/\/m\/[^/?]+$/), op.click("#draft-submit")]);
  await axeClean(op, "/m (draft)");
  await op.click("#submit-confirm summary");
  assert.match(await op.locator("#submit-confirm").innerText(), /签署/, "the confirmation says what is being signed");
  await Promise.all([op.waitForURL(/done=submit/), op.click("#submit-manifest")]);
  const number = op.url().match(/\/m\/(\d{14})\?/)[1];
  lap("submitted");

  // Driver, on a phone: to collect; scan one container only, refused; scan both, dispatched; roadside link.
  const dr = await (await browser.newContext(PHONE)).newPage();
  await signUpAndIn(dr, base, w.driver.signin_link, "sun-driver");
  await dr.goto(base + "/manifests?tab=act");
  await axeClean(dr, "/manifests");
  await dr.click(`a[href='/m/${number}']`);
  await dr.fill("#vehicle_plate", "吉A12345");
  await dr.fill("#transport_permit_no", "吉交运管许可长字220100001号");
  // A mistyped code is said at once, kept in the field to correct, and not added to the list.
  await dr.fill("#scan-one", "9122XXXX");
  await dr.press("#scan-one", "Enter");
  await dr.locator("#scan-one-note", { hasText: "9122XXXX" }).waitFor();
  assert.match(await dr.locator("#scan-one-note").innerText(), /不认识的编码.*9122XXXX/);
  assert.equal(await dr.inputValue("#scan-one"), "9122XXXX", "kept in the field to correct");
  assert.equal(await dr.inputValue("#codes"), "", "an unknown code is not listed");
  await dr.fill("#scan-one", a.digital_id);
  await dr.press("#scan-one", "Enter");
  assert.equal(await dr.locator("#scan-one-note").innerText(), "", "a known code clears the note");
  await dr.click("#dispatch-confirm summary");
  assert.match(await dr.locator("#dispatch-confirm").innerText(), /承运人.*第十一条/, "the confirmation says what is being signed");
  await Promise.all([dr.waitForLoadState("load"), dr.click("#dispatch")]);
  assert.match(await dr.locator("#refusal").innerText(), /第十三条|Art\.13/);
  await dr.fill("#vehicle_plate", "吉A12345");
  await dr.fill("#transport_permit_no", "吉交运管许可长字220100001号");
  await dr.fill("#scan-one", a.digital_id);
  await dr.press("#scan-one", "Enter");
  // The camera reads a again (said, not added twice), then b, and says what the other codes are.
  const dispatchLog = await scanWithCamera(dr, "scan-one", 2, [/已扫过/, /不认识的编码/, /不是本单位的容器/]);
  assert.match(dispatchLog, /✓ /);
  assert.equal(await dr.locator(".expected li.scanned").count(), 2, "both containers ticked");
  assert.deepEqual((await dr.inputValue("#codes")).split("\n").sort(), [a.digital_id, b.digital_id].sort(), "each code listed once");
  await dr.click("#dispatch-confirm summary");
  await Promise.all([dr.waitForURL(/done=dispatch/), dr.click("#dispatch")]);
  await Promise.all([dr.waitForLoadState("load"), dr.click("#road-link-button")]);
  const link = await dr.locator("#road-link a").getAttribute("href");
  assert.match(link, /\/r\/wrl_/);
  const roadside = await (await browser.newContext(PHONE)).newPage();
  await roadside.goto(link);
  const road = await roadside.locator("main").innerText();
  assert.match(road, new RegExp(number));
  assert.match(road, /吉A12345/, "the plate the driver entered");
  assert.match(road, /吉交运管许可长字220100001号/, "and the transport permit");
  assert.match(road, /0431-8888-0203/, "the carrier's emergency contact");
  assert.match(road, /危险特性: 毒性/, "hazards in words");
  assert.equal(await roadside.locator("#scan-button").count(), 0, "no app button for a signed-out inspector");
  await axeClean(roadside, "/r/…");
  lap("dispatched");

  // Disposal firm: receive one accepted, one rejected with a reason; confirm disposal.
  const fm = await (await browser.newContext(PHONE)).newPage();
  await signUpAndIn(fm, base, w.receiver.signin_link, "zhou-firm");
  await fm.goto(base + `/m/${number}`);
  await scanWithCamera(fm, "scan-receive", 2, [/不认识的编码/, /不是本单位的容器/]);
  await fm.fill("#weight_0", "6.2");
  await fm.fill("#weight_1", "6.3");
  await fm.check("input[name=verdict_1][value=reject]");
  await fm.fill("#reason_1", "包装破损");
  await axeClean(fm, "/m (receive)");
  await fm.click("#receive-confirm summary");
  assert.match(await fm.locator("#receive-confirm").innerText(), /接受人/);
  await Promise.all([fm.waitForURL(/done=receive/), fm.click("#receive")]);
  await fm.selectOption("#method", "D10");
  await fm.click("#dispose-confirm summary");
  await Promise.all([fm.waitForURL(/done=confirm-disposal/), fm.click("#dispose")]);
  assert.match(await fm.locator("main").innerText(), /D10 陆上焚化/, "the method is shown with its name");
  lap("disposed");

  // The station, which holds the rejected container again, hands it back to the school from its stock.
  await op.goto(base + "/stock");
  await Promise.all([op.waitForURL(/\/stock/), op.click("[id^=hand-back-]")]);
  await op.locator("#done").waitFor();
  lap("handed back");

  // The printed manifest: one A4 page whose QR code decodes to the number.
  const printCtx = await browser.newContext({ ...DESKTOP, bypassCSP: true });
  const pr = await printCtx.newPage();
  // The operator's session, in a context that lets the test inject the vendored QR decoder.
  await printCtx.addCookies(await op.context().cookies());
  await pr.goto(base + `/m/${number}/print`);
  const pdf = pdfPages(await pr.pdf({ preferCSSPageSize: true, printBackground: true }));
  assert.ok(Math.abs(pdf.w - 210) < 1 && Math.abs(pdf.h - 297) < 1, `A4, got ${pdf.w.toFixed(1)}×${pdf.h.toFixed(1)} mm`);
  assert.equal(pdf.pages, 1, "one manifest, one page");
  // The print page runs no script (its CSP says so); the decoder is evaluated through the debugging protocol.
  await pr.evaluate(readFileSync(join(ROOT, "waste-api/assets/vendor/jsqr-1.4.0.js"), "utf8"));
  const decoded = await pr.evaluate(async () => {
    const svg = document.querySelector(".qr svg");
    const img = new Image();
    img.src = "data:image/svg+xml;base64," + btoa(new XMLSerializer().serializeToString(svg));
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = 400; canvas.height = 400;
    const g = canvas.getContext("2d");
    g.fillStyle = "#fff"; g.fillRect(0, 0, 400, 400);
    g.drawImage(img, 0, 0, 400, 400);
    const data = g.getImageData(0, 0, 400, 400);
    const code = window.jsQR(data.data, 400, 400);
    return code && code.data;
  });
  assert.equal(decoded, number, "the printed QR code decodes to the manifest number");
  lap("printed");

  // Bureau, on a desktop: the school's last pickup, the rejected container back at the school's view.
  const bu = await (await browser.newContext(DESKTOP)).newPage();
  await signUpAndIn(bu, base, w.inspector.signin_link, "wu-bureau");
  await bu.goto(base + "/bureau");
  await axeClean(bu, "/bureau");
  // The pages show local dates (after 16:00 UTC, Beijing is already on the next day).
  const today = localToday();
  assert.match(await bu.locator("#schools").innerText(), new RegExp(today));
  await bu.click(`a[href='/bureau/s/${w.school.id}']`);
  assert.match(await bu.locator("#last-pickup").innerText(), new RegExp(today));
  assert.match(await bu.locator("#returned").innerText(), /已退回学校|Back with the school/);
  await axeClean(bu, "/bureau/s/…");
  // The bureau reads the result of the last audit an administrator ran (a run is administrators only).
  await api(base, ADMIN_TOKEN, "GET", "/api/v1/audit/verify");
  await bu.click("a[href='/bureau/audit']");
  await bu.locator("#chain-intact").waitFor();
  lap("overseen");
  console.log(`chain timing (ms from start): ${JSON.stringify(timing)}`);
});
