// The Scan flow end to end: a real label's QR code, rendered into a Y4M video (C420), is fed to Chromium's fake
// camera; the Scan page decodes it and lands on the container.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, schoolWorld, launch, PHONE, signUpAndIn, newContainer, choose, CAMERA, y4m, fakeCamera } from "../lib.mjs";

let server, world;
before(async () => {
  server = await startServer();
  world = await schoolWorld(server.base);
});
after(() => server?.stop());

const { W, H } = CAMERA;

test("Scan opens the container whose printed label the camera sees", async () => {
  const { base } = server;
  // 1. A labelled container, made through the pages.
  let browser = await launch();
  const ctx = await browser.newContext({ ...PHONE, bypassCSP: true });
  const page = await ctx.newPage();
  await signUpAndIn(page, base, world.teacher.signin_link, "wang-scan");
  await newContainer(page, base, "D-101", "20");
  await page.click("a.btn.primary[href$='/add']");
  await choose(page, "二氯", "二氯甲烷");
  await page.fill("#qty", "1");
  await Promise.all([page.waitForURL(/done=added/), page.click("#add-form button.big")]);
  const containerPath = new URL(page.url()).pathname;
  const digitalId = decodeURIComponent(containerPath.split("/")[2]);
  assert.match(digitalId, /^[0-9A-Z]{20,}$/, "the container opens by its digital identification code");

  // 2. Its label SVG, rasterised by the browser into the middle of a white 640×480 frame.
  await page.goto(base + containerPath + "/label.svg");
  const rgba = await page.evaluate(async ([w, h]) => {
    const svg = new XMLSerializer().serializeToString(document.documentElement);
    const img = new Image();
    img.src = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
    await img.decode();
    const canvas = document.createElementNS("http://www.w3.org/1999/xhtml", "canvas");
    canvas.width = w; canvas.height = h;
    const g = canvas.getContext("2d");
    g.fillStyle = "#ffffff"; g.fillRect(0, 0, w, h);
    const side = h - 20;
    g.drawImage(img, (w - side) / 2, 10, side, side);
    return Array.from(g.getImageData(0, 0, w, h).data);
  }, [W, H]);
  const videoDir = mkdtempSync(join(tmpdir(), "waste-scan-"));
  const video = join(videoDir, "label.y4m");
  writeFileSync(video, y4m([rgba], 5));
  await browser.close();

  // 3. A phone whose camera shows that label: Scan → camera → the container page.
  browser = await launch(fakeCamera(video));
  try {
    const phone = await browser.newContext({ ...PHONE, permissions: ["camera"] });
    const p = await phone.newPage();
    await p.goto(base + "/login");
    await p.fill("#login", "wang-scan");
    await p.fill("#password", "correct horse battery");
    await Promise.all([p.waitForURL(base + "/"), p.locator("form[action='/login'] button[type=submit]").first().click()]);
    await p.click("#scan-button");
    await p.waitForURL(/\/scan$/);
    await Promise.all([p.waitForURL((u) => u.pathname === containerPath, { timeout: 20000 }), p.click("#camera-start")]);
    assert.match(await p.locator("main").innerText(), /D-101/);

    // The typed code and a scanner gun (typing then Enter) reach the same page.
    await p.goto(base + "/scan");
    await p.fill("#code", digitalId);
    await Promise.all([p.waitForURL((u) => u.pathname === containerPath), p.press("#code", "Enter")]);
    // An unknown code stays on Scan with a message.
    await p.goto(base + "/scan?code=NOPE-123");
    assert.match(await p.locator("[role=alert]").innerText(), /没有找到/);
  } finally {
    await browser.close();
    rmSync(videoDir, { recursive: true, force: true });
  }
});
