// Browser test of the web chat against the real assistant: Rasa (trained model, socket.io
// channel from credentials.yml) + action server + web chat server, all already running.
//   WEBCHAT_URL (default http://localhost:8000), RASA_URL (default http://localhost:5005)
// Skips with a message when they are not reachable (e.g. before `make train` / `make run`).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { chatScenario, launchBrowser, reachable } from './helpers.mjs';

const WEBCHAT_URL = (process.env.WEBCHAT_URL || 'http://localhost:8000').replace(/\/$/, '');
const RASA_URL = (process.env.RASA_URL || 'http://localhost:5005').replace(/\/$/, '');

test('chat with the real assistant: intro, keyboard question, buttons, reload, axe, 320px', async (t) => {
  const missing = [];
  if (!(await reachable(`${WEBCHAT_URL}/healthz`))) missing.push(`web chat at ${WEBCHAT_URL}`);
  if (!(await reachable(`${RASA_URL}/`))) missing.push(`Rasa at ${RASA_URL}`);
  if (missing.length && process.env.BROWSER_TEST_REQUIRE_RASA === '1') {
    assert.fail(`the assistant is not running: ${missing.join(', ')}`);
  }
  if (missing.length) {
    t.skip(`not reachable: ${missing.join(', ')} (start them with \`make run\`, or set WEBCHAT_URL / RASA_URL)`);
    return;
  }
  const browser = await launchBrowser();
  try {
    const result = await chatScenario(browser, {
      webchatUrl: WEBCHAT_URL,
      // Answered by utter_capabilities, which offers buttons.
      question: 'Wat kun je allemaal?',
      screenshot: 'webchat-rasa.png',
    });
    assert.equal(result.introCount, 1, 'the introduction is shown exactly once');
  } finally {
    await browser.close();
  }
});
