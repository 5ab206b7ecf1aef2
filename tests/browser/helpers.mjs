// Shared helpers of the browser tests: start servers, launch Chromium, run the chat scenario.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axe = require('axe-core');

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..', '..');
export const REPORTS_DIR = path.join(REPO_ROOT, 'reports');

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Python of the project: $PYTHON, else .venv/bin/python, else python3. */
export function python() {
  if (process.env.PYTHON) return process.env.PYTHON;
  const venv = path.join(REPO_ROOT, '.venv', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Whether a GET on url answers at all (any HTTP status). */
export async function reachable(url) {
  try {
    await fetch(url, { signal: AbortSignal.timeout(3000) });
    return true;
  } catch {
    return false;
  }
}

/** Start a child process from the repository root; collects its output for error messages. */
export function startProcess(args, env) {
  const child = spawn(python(), args, {
    cwd: REPO_ROOT,
    env: { ...process.env, PYTHONPATH: REPO_ROOT, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.output = '';
  child.stdout.on('data', (d) => { child.output += d; });
  child.stderr.on('data', (d) => { child.output += d; });
  return child;
}

/** Wait until url answers, the process died or about 2 minutes passed (slow shared CI). */
export async function waitForServer(url, child) {
  for (let i = 0; i < 240; i += 1) {
    if (child && child.exitCode !== null) {
      throw new Error(`server for ${url} exited early:\n${child.output}`);
    }
    if (await reachable(url)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`server ${url} did not start:\n${child ? child.output : ''}`);
}

export function stopProcess(child) {
  if (child && child.exitCode === null) child.kill('SIGTERM');
}

export async function launchBrowser() {
  assert.ok(
    existsSync(CHROMIUM_PATH),
    `Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`,
  );
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** A page that records CSP violations in window.__cspViolations. */
export async function newPage(context) {
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return page;
}

export async function messages(page) {
  return page.$$eval('.gc-log .gc-message', (nodes) => nodes.map((n) => ({
    from: n.classList.contains('gc-message--bot') ? 'bot' : 'user',
    text: n.querySelector('.gc-message__text').textContent,
  })));
}

async function waitForBotCount(page, count) {
  await page.waitForFunction(
    (n) => document.querySelectorAll('.gc-log .gc-message--bot').length >= n, count,
  );
}

// A turn can bring several bot messages, each its own socket.io event: wait until none has
// arrived for `quietMs` (at most `limitMs`), so a snapshot of the log holds the whole turn.
async function waitForSettled(page, quietMs = 1500, limitMs = 20000) {
  const start = Date.now();
  let count = await botCount(page);
  let since = Date.now();
  while (Date.now() - start < limitMs) {
    await page.waitForTimeout(100);
    const now = await botCount(page);
    if (now !== count) {
      count = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return;
    }
  }
}

async function botCount(page) {
  return page.$$eval('.gc-log .gc-message--bot', (n) => n.length);
}

/** Press Tab until the element matching selector has focus (keyboard reachability). */
export async function tabTo(page, selector) {
  for (let i = 0; i < 30; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
  }
  assert.fail(`could not reach ${selector} with the Tab key`);
}

/** Outline width (px) and style of the focused element. */
async function focusOutline(page) {
  return page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return { width: parseFloat(s.outlineWidth), style: s.outlineStyle };
  });
}

/** Run axe (WCAG 2.2 A/AA + best practices) in the page; returns the violations. */
export async function runAxe(page) {
  // page.evaluate is not subject to the page's CSP, so axe runs under the strict policy.
  await page.evaluate(axe.source);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
  });
}

export function assertNoSeriousViolations(violations, label) {
  console.log(`axe ${label}: ${violations.length} violation(s)` +
    violations.map((v) => `\n  - ${v.id} (${v.impact}, ${v.nodes} node(s)): ${v.help}`).join(''));
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `serious/critical axe violations on ${label}`);
}

/**
 * The chat scenario, shared by the fake-Rasa and the real-Rasa test.
 *
 * @param {import('playwright-core').Browser} browser
 * @param {object} o
 * @param {string} o.webchatUrl  base URL of the web chat server
 * @param {string} o.question    question typed by the user; the answer must offer buttons
 * @param {string} o.screenshot  file name under reports/
 * @param {(page) => Promise<void>} [o.extraChecks]  checks after the first answer
 */
export async function chatScenario(browser, o) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 900 }, locale: 'nl-NL' });
  try {
    const page = await newPage(context);
    await page.goto(o.webchatUrl, { waitUntil: 'load' });

    // The page has no inline scripts or styles.
    const inline = await page.evaluate(() => ({
      scripts: document.querySelectorAll('script:not([src])').length,
      styleElements: document.querySelectorAll('style').length,
      styleAttributes: document.querySelectorAll('[style]').length,
    }));
    assert.deepEqual(inline, { scripts: 0, styleElements: 0, styleAttributes: 0 });

    // The introduction is sent by the bot's session start.
    await page.waitForSelector('.gc-log .gc-message--bot');
    const intro = await messages(page);
    assert.equal(intro[0].from, 'bot');
    assert.match(intro[0].text, /digitale assistent/i);
    assert.match(intro[0].text, /computerprogramma/i);
    // The introduction and the privacy note come once each (issue 13: both came twice).
    await waitForSettled(page);
    const first = await messages(page);
    assert.equal(first.filter((m) => /computerprogramma/i.test(m.text)).length, 1, 'one introduction');
    assert.ok(first.filter((m) => /privacyverklaring/i.test(m.text)).length <= 1, 'at most one privacy note');
    // The server issued the conversation id (web:<32 hex>) and its secret, kept in localStorage
    // under the page's municipality (issue 18: each municipality keeps its own conversation).
    const sessionId = await page.evaluate(() => localStorage.getItem('gemeente-chat:voorbeeldstad:session'));
    assert.match(sessionId, /^web:[0-9a-f]{32}$/);
    assert.match(await page.evaluate(() => localStorage.getItem('gemeente-chat:voorbeeldstad:secret')), /^[0-9a-f]{64}$/);

    // Keyboard only: Tab to the labelled input, type, press Enter.
    const label = await page.$eval('.gc-form label', (l) => ({
      text: l.textContent, target: document.getElementById(l.htmlFor)?.classList.contains('gc-input'),
    }));
    assert.deepEqual(label, { text: 'Typ uw vraag', target: true });
    await tabTo(page, '.gc-input');
    const outline = await focusOutline(page);
    assert.ok(outline.style !== 'none' && outline.width >= 2, `visible focus on input: ${JSON.stringify(outline)}`);
    let before = await botCount(page);
    await page.keyboard.type(o.question);
    await page.keyboard.press('Enter');
    await waitForBotCount(page, before + 1);
    let log = await messages(page);
    assert.ok(log.some((m) => m.from === 'user' && m.text === o.question), 'question shown as user message');
    assert.equal(await page.$eval('.gc-input', (i) => i.value), '', 'input cleared after sending');

    // Bot answer with buttons: real <button>s; clicking shows the title and sends the payload.
    await page.waitForSelector('.gc-replies button');
    const buttons = await page.$$eval('.gc-replies button', (bs) => bs.map((b) => ({ tag: b.tagName, text: b.textContent })));
    assert.ok(buttons.length > 0 && buttons.every((b) => b.tag === 'BUTTON'));
    if (o.extraChecks) await o.extraChecks(page);
    before = await botCount(page);
    await page.click('.gc-replies button');
    await waitForBotCount(page, before + 1);
    log = await messages(page);
    assert.ok(log.some((m) => m.from === 'user' && m.text === buttons[0].text), 'button title shown as user message');

    // "Medewerker spreken" is always there and keyboard operable.
    await tabTo(page, '.gc-human');
    const humanOutline = await focusOutline(page);
    assert.ok(humanOutline.style !== 'none' && humanOutline.width >= 2, 'visible focus on Medewerker spreken');
    before = await botCount(page);
    await page.keyboard.press('Enter');
    await waitForBotCount(page, before + 1);
    log = await messages(page);
    assert.ok(log.some((m) => m.from === 'user' && m.text === 'Medewerker spreken'));

    // Reload: same conversation, history re-rendered, no new introduction.
    await waitForSettled(page);
    log = await messages(page);
    await page.reload({ waitUntil: 'load' });
    await page.waitForFunction((n) => document.querySelectorAll('.gc-log .gc-message').length >= n, log.length);
    assert.deepEqual(await messages(page), log, 'history after reload');
    assert.equal(await page.evaluate(() => localStorage.getItem('gemeente-chat:voorbeeldstad:session')), sessionId);

    // Accessibility scan of the chat page with a conversation in it.
    assertNoSeriousViolations(await runAxe(page), 'chat page');

    // Reflow: no horizontal scrolling at 320 CSS px (= 1280 px at 400% zoom).
    mkdirSync(REPORTS_DIR, { recursive: true });
    await page.screenshot({ path: path.join(REPORTS_DIR, o.screenshot), fullPage: true });
    await page.setViewportSize({ width: 320, height: 640 });
    const overflow = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
    }));
    assert.ok(overflow.scrollWidth <= overflow.clientWidth, `horizontal scroll at 320px: ${JSON.stringify(overflow)}`);
    await page.screenshot({ path: path.join(REPORTS_DIR, o.screenshot.replace(/\.png$/, '-320.png')), fullPage: true });

    assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'CSP violations');

    // A new tab of the same browser continues the conversation (id and secret in localStorage).
    const tab = await newPage(context);
    await tab.goto(o.webchatUrl, { waitUntil: 'load' });
    await tab.waitForSelector('.gc-log .gc-message--bot');
    assert.equal(await tab.evaluate(() => localStorage.getItem('gemeente-chat:voorbeeldstad:session')), sessionId);
    assert.ok((await messages(tab)).some((m) => m.text === o.question), 'new tab shows the conversation');
    await tab.close();

    // Another browser (no secret): a new conversation; a forged id without the secret is not taken.
    const stranger = await browser.newContext({ locale: 'nl-NL' });
    try {
      const other = await newPage(stranger);
      await other.addInitScript((id) => localStorage.setItem('gemeente-chat:voorbeeldstad:session', id), sessionId);
      await other.goto(o.webchatUrl, { waitUntil: 'load' });
      await other.waitForSelector('.gc-log .gc-message--bot');
      const otherLog = await messages(other);
      assert.match(otherLog[0].text, /digitale assistent/i);
      assert.ok(!otherLog.some((m) => m.text === o.question), 'a stranger does not see the conversation');
      const otherId = await other.evaluate(() => localStorage.getItem('gemeente-chat:voorbeeldstad:session'));
      assert.notEqual(otherId, sessionId);
    } finally {
      await stranger.close();
    }
    return { log, introCount: intro.filter((m) => /computerprogramma/i.test(m.text)).length };
  } finally {
    await context.close();
  }
}
