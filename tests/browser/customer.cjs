// The customer's side of M1-M4 in a real browser (Debian's chromium, driven by
// playwright-core): opens each demo e-mail served by examples/serve_pages.py, clicks
// score 9, answers on the survey page with Korean text and an apostrophe, submits, sees the
// thanks (with the review link: a promoter, N3), clicks another score and lands on the same
// thanks, unsubscribes. On every page: axe-core finds no serious or critical WCAG 2.1 A/AA
// violation, and at 360 px and 1280 px nothing is wider than the page
// (scrollWidth <= clientWidth). A location and a customer with markup in their names
// render as text. Also checks the static pages `hearken pages render` wrote.
//
//   node tests/browser/customer.cjs BASE_URL SHOTS_DIR [PREVIEW_DIR]
// Environment: HK_BROWSER_TOOLS (node_modules parent), CHROMIUM (the browser binary).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const tools = path.join(process.env.HK_BROWSER_TOOLS, "node_modules");
const { chromium } = require(path.join(tools, "playwright-core"));
const axeSource = fs.readFileSync(path.join(tools, "axe-core", "axe.min.js"), "utf8");

const [base, shots, previewDir] = process.argv.slice(2);
fs.mkdirSync(shots, { recursive: true });
const failures = [];
const fail = (what) => {
  failures.push(what);
  console.log(`not ok - ${what}`);
};
const ok = (cond, what) => (cond ? console.log(`ok - ${what}`) : fail(what));

const COMMENT = {
  amy: "정말 좋았어요! It's the best café — thanks",
  amelie: "L'accueil était parfait, 정말 감사합니다",
  minjun: "직원분이 친절했어요. Don't change a thing",
};
const REVIEW = {
  amy: "https://g.page/r/cafe-elodie/review",
  amelie: "https://g.page/r/cafe-elodie/review",
  minjun: "https://g.page/r/seoul/review",
};

/** axe (WCAG 2.1 A and AA) and the overflow measure at both widths; screenshots. */
async function inspect(page, name) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    }),
  );
  const bad = result.violations.filter((v) => ["serious", "critical"].includes(v.impact));
  ok(bad.length === 0, `${name}: axe finds no serious or critical violation` +
    (bad.length ? ` (${bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`).join("; ")})` : ""));
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    const m = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    ok(m.scroll <= m.client, `${name} at ${width} px: no horizontal overflow (${m.scroll} <= ${m.client})`);
    await page.screenshot({ path: path.join(shots, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function customer(page, who) {
  await page.goto(`${base}/mail/${who}`);
  const lang = await page.getAttribute("html", "lang");
  await inspect(page, `${lang}-email`);
  // M1: click 9 in the e-mail.
  await Promise.all([page.waitForURL(/\/s\/[0-9a-f]{44}\?score=9$/), page.click('a[href$="?score=9"]')]);
  ok((await page.locator('input[name="q.recommend"]').count()) === 0,
    `${who}: the survey page does not ask the clicked score again`);
  ok((await page.locator(".recorded").textContent()).includes("9"), `${who}: the page shows the score 9`);
  await inspect(page, `${lang}-survey`);
  // M2: the rest of the answers, from the keyboard like a customer.
  await page.locator("textarea").click();
  await page.keyboard.type(COMMENT[who]);
  await page.keyboard.press("Tab");
  await page.keyboard.press("Space"); // the consent checkbox
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  const review = page.locator(`a[href="${REVIEW[who]}"]`);
  ok(await review.isVisible(), `${who}: the promoter sees the review link`);
  await inspect(page, `${lang}-thank-you`);
  // A second click on another score changes nothing and lands on the same page.
  await page.goto(`${base}/mail/${who}`);
  await Promise.all([page.waitForURL(/score=3$/), page.click('a[href$="?score=3"]')]);
  ok(await page.locator(`a[href="${REVIEW[who]}"]`).isVisible(), `${who}: a later click lands on the same thanks`);
  // E3: the unsubscribe link of the e-mail.
  await page.goto(`${base}/mail/${who}`);
  await Promise.all([page.waitForURL(/\/u\//), page.click('a[href*="/u/"]')]);
  await inspect(page, `${lang}-unsubscribed`);
}

async function markup(page) {
  await page.goto(`${base}/mail/eve`);
  const pwned = () => page.evaluate(() => window.pwned === undefined);
  ok(await pwned(), "e-mail: no script from a name ran");
  ok((await page.locator("h1").textContent()).includes('<script>window.pwned=1</script> "Chez Bob"'),
    "e-mail: the location's name with <script> and \" reads as text");
  ok((await page.locator("img").count()) === 0, "e-mail: the customer's <img> is text, not an element");
  await Promise.all([page.waitForURL(/score=10$/), page.click('a[href$="?score=10"]')]);
  ok(await pwned(), "survey page: no script from a name ran");
  ok((await page.locator("h1").textContent()).includes('"Chez Bob"'), "survey page: the name reads as text");
  await inspect(page, "en-markup-survey");
}

(async () => {
  const started = Date.now();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--font-render-hinting=none"],
  });
  try {
    // bypassCSP lets axe's script in; the pages themselves run none.
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    for (const who of ["amy", "amelie", "minjun"]) await customer(page, who);
    await markup(page);
    if (previewDir) {
      const files = fs.readdirSync(previewDir, { recursive: true }).filter((f) => f.endsWith(".html"));
      ok(files.length > 0, `${previewDir} holds rendered pages`);
      for (const f of files.sort()) {
        if (f === "index.html") continue;
        await page.goto("file://" + path.resolve(previewDir, f));
        await inspect(page, `preview-${f.replace(/[\\/]/g, "-").replace(/\.html$/, "")}`);
      }
    }
  } finally {
    await browser.close();
  }
  console.log(`browser: ${failures.length} failed, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(failures.length ? 1 : 0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
