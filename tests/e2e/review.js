// The medical officer's review in the real openIMIS web app, which the SPA kit's scenario only
// opens: on the Reviews page, filtered to the demo's repeat prescriptions (main diagnosis Z76:
// items only; fe-claim 1.10 keeps the review's Save disabled on a claim with service lines), a
// checked claim whose review is not delivered is opened with its Review button, an approved
// quantity is typed on its first line, the review is saved and then delivered with the page's
// "Deliver review" button, and the list shows it delivered. Run by
// tests/e2e/run.sh with the kit's proxy running; prints lines in the kit's format (API<,
// gqlerror:, mutationlog:, base:, step:) for tests/e2e/check_run.py.
//   env: SPA_RUNNER (node_modules holding playwright-core), CHROMIUM, PORT (the proxy), SHOTS,
//        SPA_USER / SPA_PASS (reviewer / demo-pass-1)
const path = require("path");
const fs = require("fs");
const { chromium } = require(path.join(path.resolve(process.env.SPA_RUNNER), "playwright-core"));

const BASE = `http://127.0.0.1:${process.env.PORT}`;
const SHOTS = path.resolve(process.env.SHOTS || "review-shots");
const USER = process.env.SPA_USER || "reviewer";
const PASS = process.env.SPA_PASS || "demo-pass-1";
const SAVE_ICON = "svg path[d^='M17 3H5']";
const DELIVER_ICON = "svg path[d^='M9 16.17']";
fs.mkdirSync(SHOTS, { recursive: true });
const out = (s) => process.stdout.write(s.replace(/\s+$/, "") + "\n");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function opName(query) {
  const named = (query || "").match(/^\s*(query|mutation)\s+([A-Za-z_]\w*)/);
  if (named) return named[2];
  const m = (query || "").replace(/^\s*(query|mutation)\s*(\([^)]*\))?\s*/, "").match(/\{\s*([A-Za-z_]\w*)/);
  return m ? m[1] : "?";
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: "en-GB" });
  await context.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (route) => route.abort());
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const logs = []; // mutation logs polled by the app: {label, status, error}
  page.on("pageerror", (e) => out(`pageerror: ${String(e && e.message ? e.message : e).split("\n")[0]}`));
  page.on("response", async (resp) => {
    const url = resp.url();
    if (!url.includes("/api/")) return;
    out(`API< ${resp.status()} ${url}`);
    if (!url.includes("/graphql")) return;
    let query = "";
    try { query = JSON.parse(resp.request().postData() || "{}").query || ""; } catch (e) { /* not json */ }
    let body = null;
    try { body = JSON.parse(await resp.text()); } catch (e) { return; }
    const op = opName(query);
    if (Array.isArray(body.errors) && body.errors.length) out(`gqlerror: ${op} ${String(body.errors[0].message).split("\n")[0]}`);
    if (op === "mutationLogs" && /mutationLogs\s*\(\s*clientMutationId/.test(query) && body.data && body.data.mutationLogs) {
      for (const e of body.data.mutationLogs.edges || []) {
        const n = e.node || {};
        logs.push({ label: n.clientMutationLabel || "", status: n.status, error: n.error });
        out(`mutationlog: status=${n.status} label=${JSON.stringify(n.clientMutationLabel || "")} error=${n.error ? String(n.error).slice(0, 300) : "-"}`);
      }
    }
  });
  let shotNo = 0;
  const shot = async (name) => page.screenshot({ path: path.join(SHOTS, `${String(++shotNo).padStart(2, "0")}-${name}.png`), fullPage: true }).catch(() => null);
  const idle = async (ms = 800) => { await page.waitForLoadState("networkidle", { timeout: 10000 }).catch(() => null); await sleep(ms); };
  const graphql = (pred, timeout = 20000) => page.waitForResponse((r) => r.url().includes("/api/graphql") && pred(r.request().postData() || ""), { timeout });
  async function finished(labelRe) {
    // the app polls its mutation's log until it is done (2) or failed (1)
    for (let i = 0; i < 40; i++) {
      const log = logs.find((l) => labelRe.test(l.label) && l.status !== 0);
      if (log) return log;
      await sleep(250);
    }
    throw new Error(`no finished mutation log for ${labelRe}`);
  }
  function field(labelRe) {
    return page.locator(".MuiFormControl-root").filter({ has: page.locator("label", { hasText: labelRe }) }).locator("input").first();
  }
  async function listedClaims() {
    // the searcher's rows as {code, status, review}: a status shows as text or as an input's value
    return page.$$eval("table", (tables) => {
      const table = tables.find((t) => Array.from(t.querySelectorAll("thead th")).some((h) => /Review Status/.test(h.innerText)));
      if (!table) return [];
      // the header row with the labels (the searcher's thead has another, empty one above it)
      const labels = Array.from(table.querySelectorAll("thead tr")).find((tr) => /Review Status/.test(tr.innerText));
      const heads = Array.from(labels.querySelectorAll("th")).map((h) => h.innerText.trim());
      const at = (name) => heads.indexOf(name);
      const text = (td) => td ? (Array.from(td.querySelectorAll("input")).map((i) => i.value).join(" ") + " " + td.innerText).replace(/\s+/g, " ").trim() : "";
      return Array.from(table.querySelectorAll("tbody tr")).map((tr) => {
        const cells = tr.querySelectorAll("td");
        return { code: text(cells[at("Claim No.")]), review: text(cells[at("Review Status")]), status: text(cells[at("Status")]) };
      });
    });
  }
  async function reviewsList() {
    await page.goto(`${BASE}/front/claim/reviews`, { waitUntil: "domcontentloaded" });
    await idle(1000);
    const diagnosis = field(/^\s*Main Diagnosis/);
    await diagnosis.click();
    await diagnosis.type("Z76", { delay: 60 });
    const option = page.locator('li[role="option"]').filter({ hasText: "Z76" }).first();
    await option.waitFor({ timeout: 15000 });
    await option.click();
    await sleep(600);
    const listed = graphql((pd) => /claims\s*\(/.test(pd));
    await page.locator('button:has-text("Search")').first().click();
    await listed;
    await idle(800);
  }
  async function step(name, fn) {
    try {
      const r = await fn();
      if (r) out(`${name}: ${r}`);
      out(`step: ${name} ok`);
      return true;
    } catch (e) {
      out(`step: ${name} FAILED: ${String(e && e.message ? e.message : e).split("\n")[0].slice(0, 500)}`);
      await shot(`failed-${name}`);
      return false;
    }
  }

  let code = null;
  try {
    await page.goto(`${BASE}/front/`, { waitUntil: "domcontentloaded" });
    await page.waitForSelector('input[type="password"]', { timeout: 30000 });
    await page.locator("input:not([type=hidden])").first().fill(USER);
    await page.fill('input[type="password"]', PASS);
    const loggedIn = page.waitForResponse((r) => r.url().includes("/api/core/users/current_user") && r.status() === 200, { timeout: 30000 });
    await page.click('button:has-text("Log In")');
    await loggedIn;
    await idle(1000);
    await reviewsList();
    const rows = await listedClaims();
    rows.slice(0, 10).forEach((r) => out(`review: listed ${JSON.stringify(r)}`));
    const index = rows.findIndex((r) => /Checked/.test(r.status) && !/Delivered|Bypassed/i.test(r.review));
    if (index < 0) throw new Error(`no checked repeat prescription with its review to do on the Reviews page (${rows.length} rows)`);
    const row = page.locator("table tbody tr").nth(index);
    code = rows[index].code;
    out(`review: claim ${code}: ${JSON.stringify(rows[index])}`);
    await row.locator('button:has-text("Review")').last().click();
    await page.waitForURL(/\/claim\/reviews\/review\//, { timeout: 15000 });
    await idle(1500);
    await shot("review-page");
    out("base: ok");
  } catch (e) {
    out(`base: FAILED: ${String(e.message || e).split("\n")[0]}`);
    await shot("base-failed");
    await browser.close();
    return 1;
  }

  await step("review-save", async () => {
    // the first line with an editable "App. Quantity" (fifth column): half of what was provided
    const line = page.locator("table tbody tr").filter({ has: page.locator("td:nth-child(5) input:not([disabled])") }).first();
    const provided = Number(await line.locator("td:nth-child(2) input").inputValue());
    const approved = String(Math.max(1, Math.floor(provided / 2)));
    await line.locator("td:nth-child(5) input").fill(approved);
    await sleep(500);
    const save = page.locator(`.MuiFab-root:has(${SAVE_ICON})`).first();
    if (await save.isDisabled()) throw new Error("the review's save button stays disabled");
    const sent = graphql((pd) => /saveClaimReview/.test(pd));
    await save.click();
    await sent;
    const log = await finished(/review/i);
    await shot("review-saved");
    if (log.status !== 2) throw new Error(`saveClaimReview failed: ${log.error}`);
    return `${code}: ${provided} provided, ${approved} approved`;
  });

  await step("review-deliver", async () => {
    const deliver = page.locator(`.MuiFab-root:has(${DELIVER_ICON})`).first();
    if (!(await deliver.count())) throw new Error("no Deliver review button on the review page");
    const sent = graphql((pd) => /deliverClaimsReview/.test(pd));
    await deliver.click();
    await sent;
    logs.length = 0;
    const log = await finished(/deliver/i);
    if (log.status !== 2) throw new Error(`deliverClaimsReview failed: ${log.error}`);
    await reviewsList();
    const mine = (await listedClaims()).filter((r) => r.code === code);
    await shot("review-delivered");
    if (!mine.some((r) => /Delivered/i.test(r.review))) throw new Error(`claim ${code} is not shown with its review delivered: ${JSON.stringify(mine).slice(0, 300)}`);
    return `${code} delivered`;
  });
  await browser.close();
  return 0;
}

main().then((rc) => process.exit(rc)).catch((e) => { out(`fatal: ${e.message}`); process.exit(2); });
