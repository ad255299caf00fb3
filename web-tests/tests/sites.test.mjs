// The storage-site and ledger pages on a 390×844 touch phone in Debian's Chromium: the safety officer registers
// a storage point through the form, moves a container there from its page, answers the self-inspection
// checklist, opens the facility sign at true size and the ledger; axe-core on each of these pages in both
// languages.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, schoolWorld, launch, PHONE, signUpAndIn, newContainer, choose, axe } from "../lib.mjs";

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

test("the safety officer registers a storage point, moves a container there, inspects it; axe-core on the site and ledger pages", async () => {
  const { base } = server;
  const ctx = await browser.newContext({ ...PHONE, bypassCSP: true });
  const page = await ctx.newPage();
  await signUpAndIn(page, base, world.officer.signin_link, "li-sites");

  await page.goto(base + "/sites");
  await page.fill("#site-name", "化学楼贮存点");
  await page.fill("#location", "化学楼一层 104");
  await page.fill("#responsible", "李主任");
  await page.fill("#site-contact", "0431-8888 0000");
  await page.fill("#containment", "40");
  await page.fill("#zones", "A 酸性, B 有机");
  await Promise.all([page.waitForURL(/\/sites\/[^/]+$/), page.click("#site-form button[type=submit]")]);
  const site = new URL(page.url()).pathname;
  assert.match(await page.locator("h1").innerText(), /化学楼贮存点/);
  assert.match(await page.locator("#quantity").innerText(), /3000 kg/);

  const c = await newContainer(page, base, "B-304", "20");
  await page.goto(base + c + "/add");
  await choose(page, "二氯", "二氯甲烷");
  await page.fill("#qty", "1.5");
  await page.locator("#preview .outcome").waitFor();
  await Promise.all([page.waitForURL(/done=added/), page.click("#add-form button[type=submit].big")]);
  const key = new URL(page.url()).pathname;
  await page.selectOption("#move-target", await page.locator("#move-target option", { hasText: "B 有机" }).first().getAttribute("value"));
  await Promise.all([page.waitForURL(/done=moved/), page.click("#move button[type=submit]")]);

  await page.goto(base + site);
  assert.equal(await page.locator("#containers tbody tr").count(), 1);
  for (const radio of await page.locator("#inspection input[type=radio][value=yes]").all()) await radio.check();
  await Promise.all([page.waitForURL(/#inspection/), page.click("#inspection button[type=submit]")]);
  assert.match(await page.locator("#inspection").innerText(), /自查按期/);

  for (const path of ["/sites", site, site + "/edit", site + "/sign?type=facility", "/ledger", "/school", key,
    "/sites?lang=en", site + "?lang=en", "/ledger?lang=en", "/ledger?from=2026-13-01"]) {
    await page.goto(base + path);
    const bad = await axe(page);
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(" ")})`), [], `axe on ${path}`);
  }
  await ctx.close();
});
