// Every page of every role (the administrator too) on a phone (390×844, Chinese), reached from the role's home by following its links:
// nothing wider than the screen, every control at least 44×44 CSS px (links inside running text excepted), at most
// one primary action, no English where Chinese is expected, no UTC time, no raw id shown, and axe-core finds no
// serious or critical violation. The world: the chain's organisations, two sealed containers, an open one, a pickup
// request, a registered storage site.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, PHONE, signUpAndIn, api, axe, ADMIN_TOKEN } from "../lib.mjs";
import { chainWorld, sealedContainer, openContainer } from "../chain.mjs";

let server, browser, w;
before(async () => {
  server = await startServer();
  w = await chainWorld(server.base);
  const a = await sealedContainer(server.base, w.teacher.token, "B-304");
  await sealedContainer(server.base, w.teacher.token, "C-210");
  await openContainer(server.base, w.teacher.token, "D-101");
  await api(server.base, w.officer.token, "POST", "/api/v1/storage-sites",
    { kind: "storage_point", name: "化学楼一层贮存点", location: "化学楼 101", responsible: "李主任", contact: "138-0000-0001" });
  // A pickup request for tomorrow (the window is local time: the crawl only needs it to exist).
  const day = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
  await api(server.base, w.officer.token, "POST", "/api/v1/pickup-requests",
    { container_ids: [a.id], preferred_from: `${day}T09:00:00+08:00`, preferred_until: `${day}T17:00:00+08:00`, contact: "李主任 138-0000-0001" });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.stop();
});

/** Pages not to visit: leaving the session, files, prints laid out for paper, the other language. */
function skipped(url) {
  return /\/logout|\/download|\/export|\.csv|\.xlsx|\.pdf|\.svg|\.png|\/print|lang=en|\/api\//.test(url);
}

/** What a phone user meets on the page now: the problems found, as sentences. */
async function problems(page) {
  return page.evaluate(() => {
    const out = [];
    const vw = window.innerWidth;
    if (document.documentElement.scrollWidth > vw + 1) {
      const wide = [...document.querySelectorAll("main *")].filter((e) => e.getBoundingClientRect().right > vw + 1)
        .slice(0, 3).map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")}`);
      out.push(`wider than the screen: ${document.documentElement.scrollWidth} px (${wide.join(", ")})`);
    }
    const visible = (e) => {
      const r = e.getBoundingClientRect();
      const s = getComputedStyle(e);
      return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && !e.closest("[hidden], details:not([open]) > :not(summary)");
    };
    // Links in running text are exempt (WCAG 2.5.8's inline exception): an <a> that is not a button and whose
    // parent holds text of its own beside it.
    const inline = (e) => e.tagName === "A" && !e.classList.contains("btn")
      && [...e.parentElement.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim().length > 0);
    const controls = [...document.querySelectorAll("button, a[href], select, summary, input:not([type=hidden]), textarea")]
      .filter(visible).filter((e) => !inline(e) && !e.classList.contains("skip"));
    for (const e of controls) {
      // A checkbox or radio counts with its label (the label is what a finger taps).
      const target = (e.type === "checkbox" || e.type === "radio") ? (e.closest("label") || e) : e;
      const r = target.getBoundingClientRect();
      if (r.width < 43.5 || r.height < 43.5) {
        out.push(`small control ${Math.round(r.width)}×${Math.round(r.height)}: <${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${e.className ? "." + String(e.className).split(" ").join(".") : ""}> "${(e.innerText || e.value || e.name || "").trim().slice(0, 30)}"`);
      }
    }
    const primaries = [...document.querySelectorAll(".btn.primary")].filter(visible);
    if (primaries.length > 1) out.push(`${primaries.length} primary actions: ${primaries.map((e) => e.innerText.trim()).join(" | ")}`);
    const text = document.body.innerText;
    const uuid = text.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
    if (uuid) out.push(`a raw id is shown: ${uuid[0]}`);
    if (/\bUTC\b|\d{2}:\d{2}(:\d{2})?Z\b/.test(text)) out.push("a UTC time is shown");
    // English words in the page's own chrome and headings (data typed by users and clause numbers excepted).
    const english = [...document.querySelectorAll("h1, h2, h3, nav a, .btn, button, label, th, summary")].filter(visible)
      .map((e) => e.innerText.trim()).filter((t) => /[A-Za-z]{4,}/.test(t) && !/[\u4e00-\u9fff]/.test(t) && !/^(GB|HJ|ID|CAS|PIN|QR|UN)\b/.test(t));
    if (english.length) out.push(`English words: ${english.slice(0, 4).join(" | ")}`);
    return out;
  });
}

/** The administrator signs in with the bootstrap token (the sign-in page's token form). */
async function adminSignIn(page, base) {
  await page.goto(base + "/login");
  await page.click("details.more summary");
  await page.fill("#token", ADMIN_TOKEN);
  await Promise.all([page.waitForURL(base + "/", { timeout: 120000 }), page.click("details.more button[type=submit]")]);
}

async function crawl(role, link, login) {
  const { base } = server;
  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  if (link === null) await adminSignIn(page, base);
  else await signUpAndIn(page, base, link, login);
  const seen = new Set();
  const queue = ["/"];
  const found = {};
  while (queue.length && seen.size < 40) {
    const path = queue.shift();
    if (seen.has(path)) continue;
    seen.add(path);
    const res = await page.goto(base + path);
    if (!res || res.status() >= 400 || new URL(page.url()).origin !== base) continue;
    const bad = await problems(page);
    const axeBad = await axe(page);
    for (const v of axeBad) bad.push(`axe ${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(" ").slice(0, 80)})`);
    if (bad.length) found[path] = bad;
    const links = await page.$$eval("a[href]", (as) => as.map((a) => a.getAttribute("href")));
    for (const href of links) {
      if (!href || href.startsWith("#") || href.startsWith("http") || href.startsWith("mailto") || href.startsWith("tel")) continue;
      const next = new URL(href, page.url());
      if (next.origin !== base || skipped(next.href)) continue;
      const p = next.pathname + next.search;
      if (!seen.has(p) && !queue.includes(p)) queue.push(p);
    }
  }
  await ctx.close();
  console.log(`${role}: ${seen.size} pages, ${Object.keys(found).length} with problems`);
  return found;
}

for (const [role, who, login] of [
  ["teacher", "teacher", "crawl-teacher"],
  ["safety officer", "officer", "crawl-officer"],
  ["station operator", "operator", "crawl-operator"],
  ["driver", "driver", "crawl-driver"],
  ["disposal firm", "receiver", "crawl-receiver"],
  ["bureau", "inspector", "crawl-inspector"],
  ["administrator", null, null],
]) {
  test(`every page of the ${role} works on a phone`, async () => {
    const found = await crawl(role, who === null ? null : w[who].signin_link, login);
    assert.deepEqual(found, {}, `${role}: ${JSON.stringify(found, null, 2)}`);
  });
}
