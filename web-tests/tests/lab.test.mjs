// The school side on a 390×844 touch phone in Debian's Chromium: sign-in through the one-time link, a container,
// the chemical search, the live classification preview, a refusal before pouring, seal, the true-size label,
// the safety officer's to-do, accessibility.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, schoolWorld, launch, PHONE, signUpAndIn, newContainer, choose, sql, axe } from "../lib.mjs";

let server, browser, world;
before(async () => {
  server = await startServer();
  world = await schoolWorld(server.base);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.stop();
});

/** The page size of a PDF in millimetres, from its first /MediaBox (points: 1/72 inch). */
function pageSizeMm(pdf) {
  const m = pdf.toString("latin1").match(/\/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)\s*\]/);
  assert.ok(m, "the PDF has a MediaBox");
  return [Number(m[1]) * 25.4 / 72, Number(m[2]) * 25.4 / 72];
}

test("a lab teacher signs in, finds 二氯甲烷 by part of its name, sees the preview, adds it, seals and prints a 100×100 mm label", async () => {
  const { base } = server;
  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  // The strict Content-Security-Policy holds on every page of the flow (htmx adds no inline style).
  const violations = [];
  page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  await signUpAndIn(page, base, world.teacher.signin_link, "wang-teacher");
  assert.match(await page.locator("h1").innerText(), /待办/);

  const path = await newContainer(page, base, "B-304", "20");
  await page.click("a.btn.primary[href$='/add']");
  await choose(page, "二氯", "二氯甲烷");
  await page.fill("#qty", "1.5");
  await page.locator("#qty").blur();
  // The live preview (htmx) shows the outcome, the code, the stream and the trace with its citations.
  const preview = page.locator("#classification");
  await preview.waitFor();
  const text = await preview.innerText();
  assert.match(text, /危险废物/);
  assert.match(text, /900-047-49/);
  assert.match(text, /含卤素有机废液/);
  assert.ok(await page.locator("#classification .trace li").count() > 0, "the trace lists its steps");
  assert.match(await page.locator("#classification .trace").textContent(), /GB|HJ|名录|Catalogue/);

  await Promise.all([page.waitForURL(/done=added/), page.click("#add-form button.big")]);
  const containerPath = new URL(page.url()).pathname;
  assert.notEqual(containerPath, path, "the container now opens by its digital identification code");
  assert.match(await page.locator("main").innerText(), /1\.5 L \/ 20 L/);
  assert.match(await page.locator(".timeline").innerText(), /添加废物/);

  await page.click("details.confirm summary");
  await Promise.all([page.waitForURL(/done=sealed/), page.click("details.confirm button.danger")]);
  assert.match(await page.locator(".chip").first().innerText(), /已封口/);
  assert.equal(await page.locator("a[href$='/add']").count(), 0, "a sealed container offers no Add waste");

  await page.click("a[href$='/print']");
  await page.locator("img.label-print").evaluate((img) => img.complete || new Promise((r) => { img.onload = r; }));
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  const [w, h] = pageSizeMm(pdf);
  assert.ok(Math.abs(w - 100) < 0.5 && Math.abs(h - 100) < 0.5, `the label page is 100×100 mm, got ${w.toFixed(1)}×${h.toFixed(1)}`);
  const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.equal(pages, 1, "one label, one page");
  assert.deepEqual(violations, [], "no Content-Security-Policy violation");
  await ctx.close();
});

test("acid into a cyanide container is refused before pouring, naming the toxic gas, and nothing is recorded", async () => {
  const { base } = server;
  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  await signUpAndIn(page, base, world.officer.signin_link, "li-officer");
  await newContainer(page, base, "C-210", "20");
  await page.click("a.btn.primary[href$='/add']");
  await choose(page, "氰化钾", "氰化钾");
  await page.fill("#qty", "1");
  await Promise.all([page.waitForURL(/done=added/), page.click("#add-form button.big")]);
  const fill = await page.locator(".fill-text").first().innerText();

  await page.click("a.btn.primary[href$='/add']");
  await choose(page, "盐酸", "盐酸");
  await page.fill("#qty", "0.5");
  const card = page.locator("#refusal");
  await card.waitFor();
  assert.match(await card.locator(".sentence").innerText(), /有毒气体/);
  assert.match(await card.locator(".sentence").innerText(), /盐酸/);
  // While it refuses, "确认添加" is not the page's main action (not filled with the brand colour).
  const bg = await page.locator("#add-form button.primary.big").evaluate((b) => getComputedStyle(b).backgroundColor);
  assert.equal(bg, "rgb(255, 255, 255)", "the confirm button is demoted while the refusal shows");
  // A fold opened in the preview stays open when the preview is replaced (the quantity changes).
  await page.click("#classification details summary");
  const swapped = page.waitForResponse((r) => r.url().includes("/preview"));
  await page.fill("#qty", "0.6");
  await page.locator("#qty").blur();
  await swapped;
  await page.waitForTimeout(200);
  assert.equal(await page.locator("#classification details").evaluate((d) => d.open), true, "the trace stays open");
  // Submitting anyway is refused (409) with the same card; the container is unchanged.
  const [resp] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click("#add-form button.big")]);
  assert.equal(resp.status(), 409);
  await page.locator("#refusal").waitFor();
  await page.click("#refusal summary");
  assert.match(await page.locator("#refusal").innerText(), /EPA-600\/2-80-076/);
  await page.click("a[href^='/c/']:has-text('返回容器')");
  assert.equal(await page.locator(".fill-text").first().innerText(), fill);
  await ctx.close();
});

test("the safety officer sees an overdue container on the school's to-do", async () => {
  const { base } = server;
  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  await page.goto(base + "/login");
  await page.fill("#login", "li-officer");
  await page.fill("#password", "correct horse battery");
  await Promise.all([page.waitForURL(base + "/"), page.locator("form[action='/login'] button[type=submit]").first().click()]);
  // The lab clock of C-210 started long ago (the API cannot back-date, so the test's own database is edited).
  sql(server.dbFile, "UPDATE containers SET started_on = '2025-01-10', clock_started_on = '2025-01-10' WHERE lab = 'C-210'");
  await page.goto(base + "/school");
  const overdue = page.locator("section.todo h2.danger + ul .ccard");
  assert.equal(await overdue.count(), 1);
  assert.match(await overdue.innerText(), /C-210/);
  assert.match(await overdue.innerText(), /已超期 \d+ 天/);
  await page.goto(base + "/");
  assert.match(await page.locator(".count.danger").innerText(), /1\s+超期贮存/);
  await ctx.close();
});

test("axe-core finds no serious or critical violation on the main pages, in both languages", async () => {
  const { base } = server;
  const ctx = await browser.newContext({ ...PHONE, bypassCSP: true });
  const page = await ctx.newPage();
  await page.goto(base + "/login");
  assert.deepEqual(await axe(page), []);
  await page.fill("#login", "li-officer");
  await page.fill("#password", "correct horse battery");
  await Promise.all([page.waitForURL(base + "/"), page.locator("form[action='/login'] button[type=submit]").first().click()]);
  const first = await page.locator("a.ccard-link").first().getAttribute("href");
  for (const path of ["/", "/containers", "/containers/new", first, first + "/add?q=%E4%BA%8C%E6%B0%AF", "/school", "/school/people", "/scan", "/?lang=en", "/containers?lang=en"]) {
    await page.goto(base + path);
    const bad = await axe(page);
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(" ")})`), [], `axe on ${path}`);
  }
  await ctx.close();
});

test("the safety officer's navigation fits a 390 px phone in both languages; the rest is one tap away under 更多", async () => {
  const { base } = server;
  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  await page.goto(base + "/login");
  await page.fill("#login", "li-officer");
  await page.fill("#password", "correct horse battery");
  await Promise.all([page.waitForURL(base + "/"), page.locator("form[action='/login'] button[type=submit]").first().click()]);
  for (const path of ["/", "/?lang=en"]) {
    await page.goto(base + path);
    const [scroll, client] = await page.evaluate(() => { const n = document.querySelector("nav.tabs"); return [n.scrollWidth, n.clientWidth]; });
    assert.ok(scroll <= client, `the bar fits on ${path}: ${scroll} > ${client}`);
    const small = await page.$$eval("nav.tabs > a, nav.tabs summary", (els) => els.filter((e) => e.getBoundingClientRect().height < 44).length);
    assert.equal(small, 0, "every tab is at least 44 px high");
  }
  await page.goto(base + "/?lang=zh-CN");
  const names = await page.$$eval("nav.tabs > a", (els) => els.map((e) => e.textContent.trim()));
  assert.ok(!(names.includes("待办") && names.includes("学校待办")), `no two tabs with near-identical names: ${names}`);
  await page.click("nav.tabs details.more summary");
  await Promise.all([page.waitForURL(/\/sites$/), page.click("nav.tabs .more-list a[href='/sites']")]);
  assert.match(await page.locator("nav.tabs details.more summary").getAttribute("class"), /current/, "更多 marks the page under it");
  await ctx.close();
});
