// The reagent shelf on a 390×844 touch phone in Debian's Chromium (issue 31): a teacher receives a bottle of
// potassium permanganate (a precursor and explosive precursor) with a second safety officer's PIN typed on the
// same phone, opens the bottle's page as its e-label's QR code links it and issues it with the second person,
// takes it back, then walks the shelf for a stocktake: scans the label (a scanner gun's code + Enter), weighs it,
// is refused the close until the difference is explained, explains and closes. axe-core on each page in both
// languages. SHELF_SHOTS=dir keeps a screenshot of each page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, schoolWorld, launch, PHONE, signUpAndIn, api, axe, ADMIN_TOKEN } from "../lib.mjs";

let server, browser, world, second, site;
before(async () => {
  server = await startServer();
  world = await schoolWorld(server.base);
  second = await api(server.base, ADMIN_TOKEN, "POST", `/api/v1/organizations/${world.school.id}/users`,
    { name: "赵老师", roles: ["safety_officer"], trained_until: "2030-06-30" });
  await api(server.base, second.token, "PUT", "/api/v1/users/me/pin", { pin: "482913" });
  site = await api(server.base, world.officer.token, "POST", "/api/v1/storage-sites",
    { kind: "storage_point", name: "化学试剂室", location: "实验楼二层 201", responsible: "李主任", contact: "0431-8888 0000" });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.stop();
});

async function shot(page, name) {
  if (process.env.SHELF_SHOTS) await page.screenshot({ path: `${process.env.SHELF_SHOTS}/${name}.png`, fullPage: true });
}

test("receipt with a second person, issue from the bottle's page, a stocktake scanned along the shelf", async () => {
  const { base } = server;
  const ctx = await browser.newContext({ ...PHONE, bypassCSP: true });
  const page = await ctx.newPage();
  await signUpAndIn(page, base, world.teacher.signin_link, "wang-shelf");

  // The menu leads to the shelf.
  await page.goto(base + "/shelf");
  assert.match(await page.locator("h1").innerText(), /试剂柜/);
  await page.fill("#substance", "高锰酸钾");
  await page.fill("#amount", "500");
  await page.selectOption("#unit", "g");
  await page.fill("#cabinet", "A 柜");
  await page.fill("#expires_on", "2030-12-31");
  // Without the second person: refused, the form kept, nothing received.
  await page.click("#receive-form button[type=submit]");
  assert.match(await page.locator("#refusal").innerText(), /另一名安全员/);
  assert.equal(await page.locator("#substance").inputValue(), "高锰酸钾");
  assert.equal(await page.locator("ul.cards li").count(), 0);
  await shot(page, "shelf-refused");
  await page.selectOption("#officer_id", second.id);
  await page.fill("#pin", "482913");
  await Promise.all([page.waitForURL(/\/b\/RB/), page.click("#receive-form button[type=submit]")]);
  const bottle = new URL(page.url()).pathname;
  assert.match(await page.locator("h1").innerText(), /高锰酸钾/);
  assert.match(await page.locator("main").innerText(), /易制毒/);
  assert.match(await page.locator("main").innerText(), /易制爆/);
  await shot(page, "bottle");

  // The e-label carries the bottle's code in a QR code; the scanner (camera, gun or typed: all submit ?code=)
  // opens the bottle's page. Issue it to the teacher with the second person's PIN.
  const labelCode = bottle.split("/").pop();
  const label = await page.request.get(base + bottle + "/label.svg");
  assert.match(await label.text(), new RegExp(`data-payload="${labelCode}"`));
  await Promise.all([page.waitForURL(base + bottle), page.goto(base + "/scan?code=" + labelCode)]);
  await page.fill("#issue-amount", "30");
  await page.fill("#purpose", "高锰酸钾滴定实验");
  await page.selectOption("#issue-form #officer_id", second.id);
  await page.fill("#issue-form #pin", "482913");
  await Promise.all([page.waitForURL(base + bottle), page.click("#issue-form button[type=submit]")]);
  assert.match(await page.locator("main").innerText(), /已领出/);
  await page.fill("#remaining", "480");
  await page.selectOption("#return-form #officer_id", second.id);
  await page.fill("#return-form #pin", "482913");
  await Promise.all([page.waitForURL(base + bottle), page.click("#return-form button[type=submit]")]);
  assert.match(await page.locator("main").innerText(), /480 \/ 500 g/);
  assert.match(await page.locator(".timeline").innerText(), /领用 · 王老师 · 30 g · 高锰酸钾滴定实验/);
  await shot(page, "bottle-returned");

  // The stocktake: scan the label, weigh, save; the difference is listed and must be explained to close.
  await page.goto(base + "/shelf");
  await Promise.all([page.waitForURL(/\/shelf\/stocktakes\//), page.click("form[action='/shelf/stocktakes'] button[type=submit]")]);
  const take = new URL(page.url()).pathname;
  const code = bottle.split("/").pop();
  await page.fill("#scan-shelf", code);
  await page.press("#scan-shelf", "Enter");
  await page.locator(`fieldset.scanned[data-code='${code}']`).waitFor();
  assert.equal(await page.locator(`fieldset[data-code='${code}'] input[type=checkbox]`).isChecked(), true);
  await page.locator(`fieldset[data-code='${code}'] input[name^='weight_']`).fill("470");
  await shot(page, "stocktake-scanned");
  await Promise.all([page.waitForURL(base + take), page.click("button[value=save]")]);
  assert.match(await page.locator("#differences").locator("..").innerText(), /账面 480 → 称得 470/);
  await page.click("button[value=close]");
  assert.match(await page.locator("#refusal").innerText(), /没有说明/);
  await page.locator("input[name^='why_']").fill("称量时洒落约 10 克");
  await Promise.all([page.waitForURL(base + take), page.click("button[value=close]")]);
  assert.match(await page.locator("main").innerText(), /已结束/);
  assert.match(await page.locator("#counted").locator("..").innerText(), /称得 470 · 称量时洒落约 10 克/);
  await shot(page, "stocktake-closed");
  await page.goto(base + bottle);
  assert.match(await page.locator("main").innerText(), /470 \/ 500 g/);

  await page.goto(base + bottle + "/card");
  assert.match(await page.locator("h1").innerText(), /安全卡：高锰酸钾/);
  assert.match(await page.locator("#unsourced").innerText(), /安全技术说明书/);
  assert.match(await page.locator("main").innerText(), /易制毒化学品管理条例 附表 第3类/);
  await shot(page, "safety-card");

  for (const path of ["/shelf", bottle, take, bottle + "/card", bottle + "/card?lang=en", "/shelf?lang=en", bottle + "?lang=en", take + "?lang=en"]) {
    await page.goto(base + path);
    const bad = await axe(page);
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(" ")})`), [], `axe on ${path}`);
  }
  await ctx.close();
});
