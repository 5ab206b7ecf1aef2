// Issue 18: one web chat server, one page per municipality (/<gemeente>/), each with its own name,
// privacy statement and design-token theme; axe (incl. colour contrast) on every theme. Runs against
// the scripted fake Rasa (tests/browser/fake_rasa.py), no trained model needed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  assertNoSeriousViolations, freePort, launchBrowser, newPage, runAxe, startProcess, stopProcess,
  waitForServer,
} from './helpers.mjs';

// The fictional municipalities of content/municipalities.yml (official name, privacy e-mail).
const MUNICIPALITIES = {
  voorbeeldstad: { name: 'Gemeente Voorbeeldstad', privacy: 'privacy@voorbeeldstad.example' },
  proefdorp: { name: 'Gemeente Proefdorp', privacy: 'privacy@proefdorp.example' },
  lindeoord: { name: 'Gemeente Lindeoord', privacy: 'privacy@lindeoord.example' },
};

let rasa;
let webchat;
let browser;
let webchatUrl;

before(async () => {
  const rasaPort = await freePort();
  const webPort = await freePort();
  const rasaUrl = `http://127.0.0.1:${rasaPort}`;
  webchatUrl = `http://127.0.0.1:${webPort}`;
  const env = { RASA_PUBLIC_URL: rasaUrl, WEBCHAT_ALLOWED_ORIGINS: webchatUrl };
  rasa = startProcess(['tests/browser/fake_rasa.py', '--port', String(rasaPort)], env);
  webchat = startProcess(['-m', 'webchat', '--host', '127.0.0.1', '--port', String(webPort)], env);
  await Promise.all([waitForServer(`${rasaUrl}/`, rasa), waitForServer(`${webchatUrl}/healthz`, webchat)]);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  stopProcess(rasa);
  stopProcess(webchat);
});

for (const [id, expected] of Object.entries(MUNICIPALITIES)) {
  test(`the page of ${id}: its name, its theme, its privacy statement, axe clean`, async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 900 }, locale: 'nl-NL' });
    try {
      const page = await newPage(context);
      await page.goto(`${webchatUrl}/${id}/`, { waitUntil: 'load' });
      assert.match(await page.title(), new RegExp(expected.name));
      assert.equal((await page.textContent('.page-logo')).trim(), expected.name);
      const others = Object.values(MUNICIPALITIES).filter((m) => m !== expected).map((m) => m.name);
      const body = await page.textContent('body');
      for (const other of others) assert.ok(!body.includes(other), `${other} on the page of ${id}`);
      // the theme is the municipality's own token file
      const header = await page.evaluate(() => getComputedStyle(document.querySelector('.page-header')).backgroundColor);
      const token = await page.evaluate(
        () => getComputedStyle(document.documentElement).getPropertyValue('--utrecht-page-header-background-color').trim(),
      );
      assert.ok(token.startsWith('#'), `no theme token on ${id}`);
      const hex = `#${header.match(/\d+/g).slice(0, 3).map((n) => Number(n).toString(16).padStart(2, '0')).join('')}`;
      assert.equal(hex, token.toLowerCase());
      // the widget sends the page's municipality as message metadata
      await page.waitForSelector('.gc-log .gc-message--bot');
      await page.fill('.gc-input', 'welke gemeente');
      await page.keyboard.press('Enter');
      await page.waitForFunction((want) => document.querySelector('.gc-log').textContent.includes(want), `gemeente: ${id}`);
      assertNoSeriousViolations(await runAxe(page), `chat page of ${id}`);
      assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);

      await page.click(`a[href="/${id}/privacy.html"] >> nth=0`);
      await page.waitForURL(`${webchatUrl}/${id}/privacy.html`);
      const privacy = await page.textContent('body');
      assert.ok(privacy.includes(expected.name) && privacy.includes(expected.privacy), `privacy statement of ${id}`);
      assertNoSeriousViolations(await runAxe(page), `privacy page of ${id}`);
    } finally {
      await context.close();
    }
  });
}
