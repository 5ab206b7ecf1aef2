// Browser test of the web chat against a scripted fake Rasa (tests/browser/fake_rasa.py).
// Independent of a trained model: starts the fake Rasa and the web chat server on free ports.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import {
  assertNoSeriousViolations, chatScenario, freePort, launchBrowser, newPage, runAxe,
  startProcess, stopProcess, waitForServer,
} from './helpers.mjs';

let rasa;
let webchat;
let browser;
let rasaUrl;
let webchatUrl;
let hostServer;
let hostUrl;
let strangerUrl;

/** A third-party site that embeds the widget with the documented snippet (both ports). */
function startHostSite() {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="nl"><head><title>Gemeente site</title></head><body><main>
<h1>Gemeente site</h1><div id="gemeente-chat"></div>
<script src="${webchatUrl}/widget.js" data-rasa-url="${rasaUrl}" defer></script></main></body></html>`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

before(async () => {
  const rasaPort = await freePort();
  const webPort = await freePort();
  rasaUrl = `http://127.0.0.1:${rasaPort}`;
  webchatUrl = `http://127.0.0.1:${webPort}`;
  hostServer = await startHostSite();
  const hostPort = hostServer.address().port;
  hostUrl = `http://127.0.0.1:${hostPort}`;
  strangerUrl = `http://localhost:${hostPort}`; // same server, but an origin that is not allowed
  const env = { RASA_PUBLIC_URL: rasaUrl, WEBCHAT_ALLOWED_ORIGINS: `${webchatUrl},${hostUrl}` };
  rasa = startProcess(['tests/browser/fake_rasa.py', '--port', String(rasaPort)], env);
  webchat = startProcess(['-m', 'webchat', '--host', '127.0.0.1', '--port', String(webPort)], env);
  await Promise.all([waitForServer(`${rasaUrl}/`, rasa), waitForServer(`${webchatUrl}/healthz`, webchat)]);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  stopProcess(rasa);
  stopProcess(webchat);
  if (hostServer) hostServer.close();
});

/** Status of an engine.io polling handshake sent with the given Origin header. */
function handshakeStatus(origin) {
  return new Promise((resolve, reject) => {
    const req = http.get(`${rasaUrl}/socket.io/?EIO=4&transport=polling`, { headers: { Origin: origin } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
  });
}

test('security headers: strict CSP without inline allowances', async () => {
  const res = await fetch(`${webchatUrl}/`);
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /style-src 'self'(;|$)/);
  assert.ok(csp.includes(`connect-src 'self' ${rasaUrl} ${rasaUrl.replace('http', 'ws')}`), csp);
  assert.ok(csp.includes(`frame-ancestors 'self' ${webchatUrl}`), csp);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  const vendor = await fetch(`${webchatUrl}/vendor/socket.io.min.js`);
  assert.equal(vendor.status, 200);
  assert.equal((await fetch(`${webchatUrl}/../foundation/settings.py`)).status, 404);
});

test('socket.io refuses browsers from other origins', async () => {
  assert.equal(await handshakeStatus('http://evil.example'), 400);
  assert.equal(await handshakeStatus(webchatUrl), 200);
});

test('chat with the fake Rasa: intro, keyboard question, buttons, reload, axe, 320px', async () => {
  await chatScenario(browser, {
    webchatUrl,
    question: 'Hallo, wat kun je allemaal?',
    screenshot: 'webchat.png',
    extraChecks: async (page) => {
      // Bot text is text, never HTML; URLs become safe links; line breaks are kept.
      const answer = await page.$$eval('.gc-message--bot .gc-message__text', (n) => n[n.length - 1].textContent);
      assert.ok(answer.includes('<img src=x onerror=alert(1)>'), 'markup shown as text');
      assert.ok(answer.includes('\n- paspoort en ID-kaart'), 'line breaks kept');
      assert.equal(await page.$$eval('.gc-log img', (n) => n.length), 0, 'no element created from bot markup');
      const link = await page.$eval('.gc-message--bot a', (a) => ({
        href: a.href, rel: a.rel, target: a.target, text: a.firstChild.textContent,
      }));
      assert.deepEqual(link, {
        href: 'https://www.voorbeeldstad.example/loket', rel: 'noopener noreferrer', target: '_blank',
        text: 'https://www.voorbeeldstad.example/loket',
      });
    },
  });
});

test('embedded on an allowed site the widget works; on another site it cannot connect', async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${hostUrl}/`, { waitUntil: 'load' });
    await page.waitForSelector('#gemeente-chat .gc-message--bot');
    assert.match(await page.textContent('#gemeente-chat .gc-message--bot'), /digitale assistent/);

    const stranger = await context.newPage();
    await stranger.goto(`${strangerUrl}/`, { waitUntil: 'load' });
    await stranger.waitForSelector('#gemeente-chat .gc-status--active');
    assert.match(await stranger.textContent('.gc-status'), /verbinding .* verbroken/);
    assert.equal(await stranger.$$eval('.gc-message--bot', (n) => n.length), 0);
  } finally {
    await context.close();
  }
});

test('typing indicator while the assistant has not answered yet', async () => {
  const context = await browser.newContext();
  try {
    const page = await newPage(context);
    await page.goto(webchatUrl, { waitUntil: 'load' });
    await page.waitForSelector('.gc-log .gc-message--bot');
    await page.fill('.gc-input', 'stil'); // the fake never answers this
    await page.press('.gc-input', 'Enter');
    // the indicator is filled in once the message is on its way; wait for it rather than race it
    await page.waitForSelector('.gc-typing .gc-sr-only', { state: 'attached' });
    const typing = await page.$eval('.gc-typing', (t) => ({
      role: t.getAttribute('role'),
      visibleText: t.querySelector('[aria-hidden="true"]') !== null,
      srText: t.querySelector('.gc-sr-only')?.textContent,
    }));
    assert.deepEqual(typing, { role: 'status', visibleText: true, srText: 'De assistent typt' });
    assert.ok(await page.isVisible('.gc-typing__dots'));
  } finally {
    await context.close();
  }
});

test('privacy page: Dutch, accessible, no inline code', async () => {
  const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
  try {
    const page = await newPage(context);
    await page.goto(`${webchatUrl}/privacy.html`, { waitUntil: 'load' });
    assert.equal(await page.getAttribute('html', 'lang'), 'nl');
    const text = await page.textContent('main');
    for (const phrase of ['computerprogramma', '28 dagen', 'wis mijn gegevens', 'verwerkingslog', 'functionaris voor gegevensbescherming']) {
      assert.ok(text.includes(phrase), `privacy page mentions ${phrase}`);
    }
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
    assert.ok(overflow, 'no horizontal scroll at 320px');
    assertNoSeriousViolations(await runAxe(page), 'privacy page');
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  } finally {
    await context.close();
  }
});
