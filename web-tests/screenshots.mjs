// Regenerates docs/screenshots/*.png: the main screens on a phone (390×844) and on a desktop.
// Run through scripts/screenshots.sh (it builds the binary first).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, startServer, schoolWorld, launch, PHONE, DESKTOP, signUpAndIn, newContainer, choose, sql, api, ADMIN_TOKEN } from "./lib.mjs";

const out = join(ROOT, "docs/screenshots");
mkdirSync(out, { recursive: true });
const server = await startServer();
const { base } = server;
const browser = await launch();
try {
  const w = await schoolWorld(base);
  const shot = async (page, name) => page.screenshot({ path: join(out, `${name}.png`), fullPage: false });

  const anon = await (await browser.newContext(PHONE)).newPage();
  await anon.goto(base + "/login");
  await shot(anon, "phone-login");

  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  await signUpAndIn(page, base, w.officer.signin_link, "li-officer");
  const c1 = await newContainer(page, base, "B-304");
  await page.goto(base + c1 + "/add");
  await choose(page, "二氯", "二氯甲烷");
  await page.fill("#qty", "1.5");
  await page.locator("#preview .outcome").waitFor();
  await page.waitForTimeout(700);
  await shot(page, "phone-add-waste");
  await Promise.all([page.waitForURL(/done=added/), page.click("#add-form button[type=submit].big")]);
  const c1key = new URL(page.url()).pathname;
  await shot(page, "phone-container");

  const c2 = await newContainer(page, base, "C-210");
  await page.goto(base + c2 + "/add");
  await choose(page, "氰化钾", "氰化钾");
  await page.fill("#qty", "1");
  await Promise.all([page.waitForURL(/done=added/), page.click("#add-form button[type=submit].big")]);
  const c2key = new URL(page.url()).pathname;
  await page.goto(base + c2key + "/add");
  await choose(page, "盐酸", "盐酸");
  await page.fill("#qty", "0.5");
  await page.locator("#refusal").waitFor();
  await page.locator("#refusal").scrollIntoViewIfNeeded();
  await shot(page, "phone-refusal");

  await newContainer(page, base, "A-101", "5");
  sql(server.dbFile, "UPDATE containers SET started_on = '2025-06-01', clock_started_on = '2025-06-01' WHERE lab = 'C-210'");
  await page.goto(base + "/");
  await shot(page, "phone-home");
  await page.goto(base + "/containers");
  await shot(page, "phone-containers");
  await page.goto(base + "/school");
  await shot(page, "phone-school-todo");
  await page.goto(base + "/scan");
  await shot(page, "phone-scan");
  await page.goto(base + c1key + "/print");
  await shot(page, "phone-print");

  // Storage sites (GB 18597-2023, HJ 1276-2022) and the ledger (HJ 1259-2022).
  await page.goto(base + "/sites");
  await page.fill("#site-name", "化学楼贮存点");
  await page.fill("#location", "化学楼一层 104");
  await page.fill("#responsible", "李主任");
  await page.fill("#site-contact", "0431-8888 0000");
  await page.fill("#containment", "1");
  await page.fill("#zones", "A 酸性, B 有机");
  await Promise.all([page.waitForURL(/\/sites\/[^/]+$/), page.click("#site-form button[type=submit]")]);
  const site = new URL(page.url()).pathname;
  await page.goto(base + c1key);
  await page.selectOption("#move-target", await page.locator("#move-target option", { hasText: "B 有机" }).first().getAttribute("value"));
  await Promise.all([page.waitForURL(/done=moved/), page.click("#move button[type=submit]")]);
  await page.goto(base + "/sites");
  await shot(page, "phone-sites");
  await page.goto(base + site);
  await shot(page, "phone-site");
  await page.locator("#inspection").scrollIntoViewIfNeeded();
  await shot(page, "phone-site-inspection");
  await page.goto(base + site + "/sign?type=facility");
  await shot(page, "phone-sign");
  await page.goto(base + "/ledger");
  await shot(page, "phone-ledger");

  const desk = await (await browser.newContext(DESKTOP)).newPage();
  await desk.goto(base + "/login");
  await desk.click("details.more summary");
  await desk.fill("#token", ADMIN_TOKEN);
  await Promise.all([desk.waitForURL(base + "/"), desk.locator("details.more button[type=submit]").click()]);
  await desk.goto(base + "/admin");
  await shot(desk, "desktop-admin");
  const dctx = await browser.newContext(DESKTOP);
  const d2 = await dctx.newPage();
  await d2.goto(base + "/login");
  await d2.fill("#login", "li-officer");
  await d2.fill("#password", "correct horse battery");
  await Promise.all([d2.waitForURL(base + "/"), d2.locator("form[action='/login'] button[type=submit]").first().click()]);
  await d2.goto(base + "/school");
  await shot(d2, "desktop-school-todo");
  await d2.goto(base + "/school/people");
  await shot(d2, "desktop-people");
  await d2.goto(base + "/containers?lang=en");
  await shot(d2, "desktop-containers-en");
  await d2.goto(base + "/ledger");
  await shot(d2, "desktop-ledger");
  await d2.goto(base + site + "?lang=zh-CN");
  await shot(d2, "desktop-site");
  await desk.goto(base + "/contracts");
  await shot(desk, "desktop-contracts");
  console.log("screenshots written to", out);
} finally {
  await browser.close();
  server.stop();
}
