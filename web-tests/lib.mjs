// Shared helpers of the browser tests: start the real binary on a free port with a fresh SQLite file, build a
// world through the JSON API, drive Debian's Chromium through playwright-core.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import QRCode from "qrcode";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const ADMIN_TOKEN = "web-tests-admin-5c1e9f7a3b8d2064e9a1c7f3b5d8e2a6";
/** Today's date in the service's time zone (Asia/Shanghai by default), YYYY-MM-DD: what its pages show. */
export function localToday(zone = "Asia/Shanghai") {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

/** The waste-api binary: WASTE_BIN, else the release build, else the debug build. */
export function binary() {
  const candidates = [process.env.WASTE_BIN, join(ROOT, "target/release/waste-api"), join(ROOT, "target/debug/waste-api")];
  const found = candidates.find((p) => p && existsSync(p));
  if (!found) throw new Error("no waste-api binary: build it (cargo build -p waste-api) or set WASTE_BIN");
  return found;
}

/** Starts the service on 127.0.0.1:0 with a fresh SQLite file; resolves with { base, dbFile, stop }. */
export async function startServer(env = {}) {
  const dir = mkdtempSync(join(tmpdir(), "waste-web-"));
  const dbFile = join(dir, "waste.db");
  const child = spawn(binary(), [], {
    env: { ...process.env, WASTE_BIND: "127.0.0.1:0", DATABASE_URL: `sqlite://${dbFile}`, WASTE_BOOTSTRAP_TOKEN: ADMIN_TOKEN, WASTE_LOG: "warn", WASTE_WORKERS: "2", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const base = await new Promise((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error("the server did not start in 30 s: " + buf)), 30000);
    child.stderr.on("data", (d) => {
      buf += d.toString();
      const m = buf.match(/listening on (http:\/\/[0-9.:]+)\r?\n/); // the whole line: a chunk may end mid-port
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`the server exited (${code}): ${buf}`)); });
  });
  child.stderr.resume();
  return {
    base, dbFile,
    stop() { child.kill("SIGTERM"); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** Runs SQL on the test's own SQLite file (only to back-date a clock the API has no way to set). */
export function sql(dbFile, statement) {
  return execFileSync("sqlite3", [dbFile, statement]).toString();
}

export async function api(base, token, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return json;
}

/** A school with a lab teacher and a safety officer; each user's one-time sign-in link. */
export async function schoolWorld(base) {
  const school = await api(base, ADMIN_TOKEN, "POST", "/api/v1/organizations",
    { kind: "school", name: "长春市第一中学", credit_code: "91350100M000100Y43", region_code: "220102" });
  const teacher = await api(base, ADMIN_TOKEN, "POST", `/api/v1/organizations/${school.id}/users`,
    { name: "王老师", roles: ["lab_staff"], trained_until: "2030-06-30" });
  const officer = await api(base, ADMIN_TOKEN, "POST", `/api/v1/organizations/${school.id}/users`,
    { name: "李主任", roles: ["lab_staff", "safety_officer"], trained_until: "2030-06-30" });
  return { school, teacher, officer };
}

export const LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export async function launch(extraArgs = []) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install -y chromium fonts-wqy-zenhei`);
  }
  // playwright gives every launch a fresh temporary profile (a fresh --user-data-dir).
  return chromium.launch({ executablePath: CHROMIUM, args: [...LAUNCH_ARGS, ...extraArgs] });
}

export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "zh-CN" };
export const DESKTOP = { viewport: { width: 1280, height: 860 }, locale: "zh-CN" };

/** Follows a one-time link and chooses a sign-in name and password, which signs the person in. */
export async function signUpAndIn(page, base, link, login, password = "correct horse battery") {
  await page.goto(base + link);
  await page.fill("#login", login);
  await page.fill("#password", password);
  await page.fill("#password2", password);
  // Choosing the password signs the person in: straight to their home.
  // Hashing the password (argon2) in a debug build on a busy machine can take many seconds.
  await Promise.all([page.waitForURL(base + "/", { timeout: 120000 }), page.click("button[type=submit]")]);
}

/** Registers a container through the page; returns its URL path. */
export async function newContainer(page, base, lab, litres = "20") {
  await page.goto(base + "/containers/new");
  await page.fill("#lab", lab);
  await page.fill("#capacity", litres);
  await Promise.all([page.waitForURL(/\/c\//), page.click("form[action='/containers/new'] button[type=submit]")]);
  return new URL(page.url()).pathname;
}

/** Finds a chemical by typing part of its name, adds it to the draft, and sets the amount. */
export async function choose(page, typed, name) {
  await page.fill("#q", typed);
  const hit = page.locator("#results a.hit", { hasText: name }).first();
  await hit.waitFor({ timeout: 10000 });
  await Promise.all([page.waitForURL(/cas=/), hit.click()]);
  await page.locator(".chosen li", { hasText: name }).waitFor();
}

export async function axe(page) {
  const { readFileSync } = await import("node:fs");
  const source = readFileSync(join(ROOT, "web-tests/node_modules/axe-core/axe.min.js"), "utf8");
  // Evaluated through the debugging protocol: the pages' CSP allows no inline script, and need not for a test.
  await page.evaluate(source);
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** The fake camera's frame size (Chromium's fake capture takes it from the file). */
export const CAMERA = { W: 640, H: 480 };

/** RGBA pixels of a camera frame showing one QR code of `text`, black on white, centred (quiet zone 4). */
export function qrFrame(text) {
  const { W, H } = CAMERA;
  const q = QRCode.create(text, { errorCorrectionLevel: "M" });
  const n = q.modules.size, quiet = 4;
  const scale = Math.floor((H - 40) / (n + 2 * quiet));
  const x0 = Math.floor((W - scale * n) / 2), y0 = Math.floor((H - scale * n) / 2);
  const rgba = Buffer.alloc(W * H * 4, 255);
  for (let r = 0; r < n; r++) {
    for (let col = 0; col < n; col++) {
      if (!q.modules.get(r, col)) continue;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const k = ((y0 + r * scale + dy) * W + (x0 + col * scale + dx)) * 4;
          rgba[k] = rgba[k + 1] = rgba[k + 2] = 0;
        }
      }
    }
  }
  return rgba;
}

/** Frames (RGBA, CAMERA-sized) to a Y4M video (4:2:0, BT.601, 10 frames a second), each shown `each` frames.
 *  Chromium's fake camera (`--use-file-for-fake-video-capture`) plays it in a loop. */
export function y4m(frames, each = 1) {
  const { W, H } = CAMERA;
  const parts = [Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420\n`)];
  for (const rgba of frames) {
    const y = Buffer.alloc(W * H), u = Buffer.alloc((W / 2) * (H / 2)), v = Buffer.alloc((W / 2) * (H / 2));
    for (let j = 0; j < H; j++) {
      for (let i = 0; i < W; i++) {
        const k = (j * W + i) * 4;
        const [r, g, b] = [rgba[k], rgba[k + 1], rgba[k + 2]];
        y[j * W + i] = Math.max(0, Math.min(255, Math.round(0.257 * r + 0.504 * g + 0.098 * b + 16)));
        if (j % 2 === 0 && i % 2 === 0) {
          const c = (j / 2) * (W / 2) + i / 2;
          u[c] = Math.max(0, Math.min(255, Math.round(-0.148 * r - 0.291 * g + 0.439 * b + 128)));
          v[c] = Math.max(0, Math.min(255, Math.round(0.439 * r - 0.368 * g - 0.071 * b + 128)));
        }
      }
    }
    for (let f = 0; f < each; f++) parts.push(Buffer.from("FRAME\n"), y, u, v);
  }
  return Buffer.concat(parts);
}

/** Chromium's arguments for a fake back camera playing `file` (a .y4m), permission granted. */
export function fakeCamera(file) {
  return ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${file}`];
}
