// Browser test of the agent console and the calls board (the BUILT service and console):
// `npm run build && node test/browser/console.browser.mjs` (npm run test:browser).
// Plain Node ESM (no Jest). The service (dist/src/main.js) runs on a fresh database of its own
// (dropped at the end) and its own Redis key prefix (bench/lib.mjs ServiceStack); the fake
// Google Sheets and the fake Dialpad (dist/demo/fakes) run in this process, set up as the demo
// sets them up (demo/world.ts), with every call's outcome and timings chosen here, so nothing
// is left to chance. Chromium (/usr/bin/chromium, or CHROMIUM_PATH) is driven by playwright-core
// and the agent uses the KEYBOARD only: a whole shift (play, dispositions, skip, hang up, a
// callback on the lead's clock, do-not-call, pause with a reason, reload mid-call, stop), then
// the calls board's incoming-call toast, timed from the webhook.
// Prints one line per step; a screenshot of each is saved as test-artifacts/browser/NN-step.png
// (and of a state inside a step as NNx-what.png).
// Exits 0 when every step passed, 1 otherwise.
/* global document, window, MutationObserver */
import { mkdirSync, rmSync } from 'node:fs';
import { DIST, launchChromium, ServiceStack, sleep, startConsoleWorld } from '../../bench/lib.mjs';

const ROOT = new URL('../../', import.meta.url);
const ARTIFACTS = new URL('test-artifacts/browser/', ROOT);
const DOCS = new URL('docs/', ROOT);
const { CAMPAIGN_SPREADSHEET_ID, CAMPAIGN_TAB } = await import(new URL('demo/seed.js', DIST).href);
const { letters } = await import(new URL('demo/fakes/fake-sheets.js', DIST).href);

/** the colour of a CORRECT lead's other numbers (src/policy: SIBLING_SKIP_COLOUR) */
const SIBLING_COLOUR = '#8E7CC3';
const TOAST_BUDGET_MS = 100;
const INBOUND = [
  { from: '+13125550142', shown: '+1 312 555 0142', name: 'Ada Caller' },
  { from: '+14155550188', shown: '+1 415 555 0188', name: 'Grace Hopper' },
  { from: '+12065550117', shown: '+1 206 555 0117', name: 'Alan Kay' },
];

const started = Date.now();
const out = (line) => process.stdout.write(line + '\n');
class StepFailed extends Error {}
const fail = (message) => {
  throw new StepFailed(message);
};

let stack;
let world;
let browser;
let page;
let stepNo = 0;
const pageErrors = [];

/** Runs one step: prints `ok`/`FAIL` with its time, and saves its screenshot either way. */
async function step(name, fn) {
  stepNo++;
  inStep = 0;
  const nn = String(stepNo).padStart(2, '0');
  const t0 = Date.now();
  let detail;
  try {
    detail = await fn();
  } catch (err) {
    out(`FAIL  ${nn} ${name} (${Date.now() - t0} ms): ${err instanceof Error ? err.message : String(err)}`);
    await shot(nn, name).catch(() => undefined);
    throw new StepFailed(name);
  }
  await shot(nn, name);
  out(`ok    ${nn} ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s${detail ? `; ${detail}` : ''})`);
}

function shot(nn, name) {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
  return page.screenshot({ path: new URL(`${nn}-${slug}.png`, ARTIFACTS).pathname });
}

/** A screenshot of a state inside the running step: NNa-what.png, NNb-…. */
let inStep = 0;
function snap(name) {
  const nn = `${String(stepNo).padStart(2, '0')}${String.fromCharCode(97 + inStep++)}`;
  return shot(nn, name);
}
const agentToken = () => new URL(world.consoleUrl).hash.replace('#token=', '');
const agentGet = async (path) => {
  const res = await fetch(`${world.base}${path}`, { headers: { authorization: `Bearer ${agentToken()}` } });
  return res.json();
};

/** Polls `probe` until it returns a truthy value. */
async function until(what, probe, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) fail(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(40);
  }
}

// --- the page -------------------------------------------------------------------------------

/** What the console showed, recorded in the page as it happened: its phases and the polite live region's words. */
function recordConsole() {
  const log = { phases: [], said: [] };
  window.__cti = log;
  let phase = null;
  let said = null;
  const check = () => {
    const now = document.querySelector('.app.console')?.getAttribute('data-phase') ?? null;
    if (now && now !== phase) log.phases.push((phase = now));
    const live = document.querySelector('.app.console [role="status"][aria-live="polite"]');
    const text = (live?.textContent ?? '').replace(/\u00a0/g, '').trim();
    if (text && text !== said) log.said.push((said = text));
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
}

const log = () => page.evaluate(() => window.__cti);
const mark = async () => {
  const l = await log();
  return { phases: l.phases.length, said: l.said.length };
};
/** The phases and announcements since `from` (a mark()). */
const since = async (from) => {
  const l = await log();
  return { phases: l.phases.slice(from.phases), said: l.said.slice(from.said) };
};

const heading = () => page.locator('#state-title');
const headingText = async () => (await heading().textContent())?.trim() ?? '';
const dialog = () => page.getByRole('dialog', { name: 'Disposition' });
const focusInDialog = () => page.evaluate(() => Boolean(document.activeElement?.closest('[role="dialog"]')));
const timerSeconds = (text) => {
  const m = /(\d+):(\d\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};

async function waitHeading(pattern, what, timeoutMs = 10_000) {
  return until(what, async () => {
    const text = await headingText();
    return pattern.test(text) ? text : undefined;
  }, timeoutMs);
}

async function waitDialog(timeoutMs = 10_000) {
  await dialog().waitFor({ state: 'visible', timeout: timeoutMs });
  await until('the focus to move into the dialog', focusInDialog, 2000);
}

/** A disposition by keyboard: its hotkey (the radio gets checked), then Enter. */
async function dispose(hotkey, label) {
  await page.keyboard.press(hotkey);
  const radio = page.getByRole('radio', { name: `${label} (${hotkey})` });
  await until(`the radio "${label}" to be checked`, () => radio.isChecked());
  await page.keyboard.press('Enter');
  await dialog().waitFor({ state: 'hidden', timeout: 5000 });
}

// --- the fakes --------------------------------------------------------------------------------

/** How the next call placed goes: its outcome and its timings (ms), fixed. */
function nextCall(outcome, { dial = 600, ring = 1200, talk = 3000 } = {}) {
  world.dialpad.nextOutcomes.push(outcome);
  Object.assign(world.dialpad.realistic, { dialMs: [dial, dial], ringMs: [ring, ring], talkMs: [talk, talk], voicemailMs: [talk, talk] });
}

const placed = () => world.dialpad.calls.filter((c) => (c.direction ?? 'outbound') === 'outbound');
const lastPlaced = () => placed().at(-1);
async function waitPlaced(count) {
  await until(`call ${count} to be placed`, () => placed().length >= count, 8000);
  return placed()[count - 1];
}
const hangupsOf = (callId) => world.dialpad.requestsTo('hangup').filter((r) => r.path.includes(`/call/${callId}/`));

/** The sheet's cells by column name for the lead that has `e164` among its numbers, and which number it is. */
function leadOf(e164) {
  const rows = world.sheets.cells(CAMPAIGN_SPREADSHEET_ID, CAMPAIGN_TAB);
  const header = rows[0];
  const digits = (s) => {
    const d = String(s).replace(/\D/g, '');
    return d.length === 10 ? `1${d}` : d;
  };
  for (let r = 1; r < rows.length; r++) {
    const cells = Object.fromEntries(header.map((h, i) => [h, rows[r][i] ?? '']));
    for (let k = 1; k <= 10; k++) {
      if (cells[`Num${k}`] && digits(cells[`Num${k}`]) === digits(e164)) {
        const a1 = (n) => `${letters(header.indexOf(`Status${n}`))}${r + 1}`;
        return { rowId: cells.RowID, index: k, cells, a1 };
      }
    }
  }
  return fail(`no lead has the number ${e164}`);
}

async function sheetShows(call, expected, timeoutMs = 5000) {
  return until(`the sheet to show ${JSON.stringify(expected)} for ${call.phone_number}`, () => {
    const lead = leadOf(call.phone_number);
    return Object.entries(expected).every(([k, v]) => lead.cells[k.replace('#', String(lead.index))] === v) ? lead : undefined;
  }, timeoutMs);
}

// --- the run ----------------------------------------------------------------------------------

async function main() {
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await ServiceStack.create('browser');
  // every duration fixed by nextCall(); outcomes taken from nextOutcomes
  world = await startConsoleWorld(stack, { realistic: { random: () => 0.5 } });
  // the first lead has one number: sort it to the bottom, so the first call's lead has a sibling for CORRECT to skip
  world.sheets.editRows(CAMPAIGN_SPREADSHEET_ID, CAMPAIGN_TAB, (rows) => [rows[0], ...rows.slice(2), rows[1]]);
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addInitScript(recordConsole);
  page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  // a 404 of GET /session/current is how the API says "no session yet" (Chromium logs every 4xx)
  page.on('console', (m) => m.type() === 'error' && !(/status of 404/.test(m.text()) && /\/session\/current$/.test(m.location().url)) && pageErrors.push(`${m.text()} ${m.location().url}`));
  out(`service ${world.base} (database ${stack.dbName}), fakes in process; setup ${((Date.now() - started) / 1000).toFixed(1)} s`);

  let call1;
  await step('open the console link, Space plays: dials, rings, connects with a running timer, ends; the Disposition dialog opens', async () => {
    await page.goto(world.consoleUrl);
    await page.getByRole('button', { name: 'Play' }).waitFor();
    if (/token=/.test(page.url())) fail(`the token is still in the address bar: ${page.url()}`);
    await page.locator('.socket-open').waitFor({ timeout: 5000 });
    nextCall('answered', { dial: 800, ring: 1200, talk: 3200 });
    const from = await mark();
    await page.keyboard.press('Space');
    await waitHeading(/^Ringing…$/, 'Ringing…');
    call1 = lastPlaced();
    const first = await waitHeading(/^Connected \d\d:\d\d$/, 'Connected with a timer');
    await page.getByRole('button', { name: 'Hang up' }).waitFor();
    const later = await until('the timer to run', async () => {
      const t = await headingText();
      return timerSeconds(t) > timerSeconds(first) ? t : undefined;
    }, 2500);
    await page.screenshot({ path: new URL('console.png', DOCS).pathname, fullPage: true });
    await waitDialog();
    const seen = await since(from);
    for (const phase of ['dialing', 'ringing', 'connected', 'wrap-up']) if (!seen.phases.includes(phase)) fail(`phase ${phase} never shown: ${seen.phases.join(' → ')}`);
    for (const words of ['Ringing', 'Connected', 'Call ended']) if (!seen.said.some((s) => s.includes(words))) fail(`the live region never said "${words}": ${seen.said.join(' | ')}`);
    const lead = leadOf(call1.phone_number);
    return `${lead.rowId} Num${lead.index}; ${seen.phases.join(' → ')}; timer ${first} → ${later}`;
  });

  await step('1 + Enter (Correct): the lead\'s siblings are SKIPPED in #8E7CC3, the next dial is chained', async () => {
    nextCall('unanswered', { dial: 500, ring: 1500 });
    const from = await mark();
    await dispose('1', 'Correct');
    const lead = await sheetShows(call1, { 'Status#': 'CORRECT', LastOutcome: 'CORRECT' });
    const siblings = [];
    for (let k = 1; k <= 10; k++) {
      if (k === lead.index || !lead.cells[`Num${k}`]) continue;
      if (lead.cells[`Status${k}`] !== 'SKIPPED') fail(`Status${k} of ${lead.rowId} is ${lead.cells[`Status${k}`]}, not SKIPPED`);
      const colour = world.sheets.colours(CAMPAIGN_SPREADSHEET_ID, CAMPAIGN_TAB)[lead.a1(k)];
      if (colour !== SIBLING_COLOUR) fail(`${lead.a1(k)} (Status${k}) has background ${colour}, not ${SIBLING_COLOUR}`);
      siblings.push(`${lead.a1(k)} SKIPPED ${colour}`);
    }
    if (siblings.length === 0) fail(`${lead.rowId} has no sibling number`);
    const call2 = await waitPlaced(2);
    await waitHeading(/^(Dialing…|Ringing…)$/, 'the chained dial');
    const seen = await since(from);
    if (!seen.said.some((s) => s.startsWith('Disposition saved: Correct'))) fail(`no "Disposition saved: Correct" said: ${seen.said.join(' | ')}`);
    return `${lead.rowId}: ${siblings.join(', ')}; next ${leadOf(call2.phone_number).rowId}`;
  });

  await step('4 + Enter after the unanswered call ends (VM_OR_NA_UNKNOWN): written', async () => {
    const call2 = placed()[1];
    await waitDialog();
    nextCall('answered', { dial: 500, ring: 30_000 }); // rings until skipped
    await dispose('4', 'Voicemail or no answer – unknown');
    const lead = await sheetShows(call2, { 'Status#': 'VOICEMAIL', LastOutcome: 'VM_OR_NA_UNKNOWN' });
    await waitPlaced(3);
    return `${lead.rowId} Status${lead.index}=VOICEMAIL, LastOutcome=VM_OR_NA_UNKNOWN`;
  });

  await step('S while it rings (Skip): the number is SKIPPED, the call hung up, the next dial follows', async () => {
    const call3 = placed()[2];
    await waitHeading(/^Ringing…$/, 'Ringing…');
    await page.getByRole('button', { name: 'Skip' }).waitFor();
    nextCall('answered', { dial: 500, ring: 800, talk: 30_000 }); // talks until hung up
    await page.keyboard.press('s');
    const lead = await sheetShows(call3, { 'Status#': 'SKIPPED', LastOutcome: 'SKIP' });
    await until('the fake Dialpad to get the hangup', () => hangupsOf(call3.call_id).length > 0, 5000);
    const call4 = await waitPlaced(4);
    return `${lead.rowId} Status${lead.index}=SKIPPED; next ${leadOf(call4.phone_number).rowId}`;
  });

  await step('H mid-call (Hang up): Dialpad hangs up, the dialog opens, 2 + Enter (Wrong number)', async () => {
    const call4 = placed()[3];
    await waitHeading(/^Connected \d\d:\d\d$/, 'Connected');
    await page.getByRole('button', { name: 'Hang up' }).waitFor();
    await page.keyboard.press('h');
    await until('the fake Dialpad to get the hangup', () => hangupsOf(call4.call_id).length > 0, 5000);
    await waitDialog(5000);
    nextCall('answered', { dial: 500, ring: 800, talk: 2500 });
    await dispose('2', 'Wrong number');
    const lead = await sheetShows(call4, { 'Status#': 'WRONG', LastOutcome: 'WRONG' });
    await waitPlaced(5);
    return `${lead.rowId} Status${lead.index}=WRONG`;
  });

  await step('1, C (callback), → (tomorrow 2 PM on the lead\'s clock), M (only me), Enter: the callback is scheduled and listed', async () => {
    const call5 = placed()[4];
    await waitDialog();
    nextCall('answered', { dial: 500, ring: 800, talk: 2500 });
    await page.keyboard.press('1');
    await page.keyboard.press('c');
    const picker = page.getByRole('group', { name: /^Call back at/ });
    await picker.waitFor({ timeout: 2000 });
    await until('the focus to move to the picker\'s time', () => page.evaluate(() => document.activeElement?.getAttribute('name') === 'callback-when'), 2000);
    await page.keyboard.press('ArrowRight');
    const twoPm = page.getByRole('radio', { name: /^Tomorrow 2 PM/ });
    await until('"Tomorrow 2 PM" to be checked', () => twoPm.isChecked(), 2000);
    await page.keyboard.press('m');
    const onlyMe = page.getByRole('checkbox', { name: /^Only me/ });
    await until('"Only me" to be checked', () => onlyMe.isChecked(), 2000);
    const summary = (await page.getByTestId('callback-summary').textContent()).trim();
    if (!/^\w{3} 2:00 PM lead time \([A-Za-z_]+\/[A-Za-z_]+\)/.test(summary)) fail(`the picker says "${summary}"`);
    await snap('callback picker');
    await page.keyboard.press('Enter');
    await dialog().waitFor({ state: 'hidden', timeout: 5000 });
    const lead = await sheetShows(call5, { 'Status#': 'CORRECT' });
    const callbacks = await agentGet('/api/callbacks');
    const cb = callbacks.find((c) => c.row_id === lead.rowId);
    if (!cb) fail(`GET /api/callbacks has no callback for ${lead.rowId}: ${JSON.stringify(callbacks)}`);
    if (!cb.only_me || !/T14:00:00[+-]\d\d:\d\d$/.test(cb.due_local)) fail(`the callback is ${JSON.stringify(cb)}`);
    const item = page.getByTestId('callback-item').filter({ hasText: cb.lead_name });
    await item.waitFor({ timeout: 3000 });
    const listed = (await item.textContent()).replace(/\s+/g, ' ');
    if (!listed.includes('2:00 PM lead time') || !listed.includes('only me')) fail(`the callbacks list says "${listed}"`);
    await waitPlaced(6);
    return `${lead.rowId}: "${summary}" → due_local ${cb.due_local}, only me`;
  });

  await step('7 + Enter asks once more (Esc backs out, Enter again), Enter: Do not call, DNC in the sheet', async () => {
    const call6 = placed()[5];
    await waitDialog();
    nextCall('answered', { dial: 500, ring: 800, talk: 2500 });
    await page.keyboard.press('7');
    const radio = page.getByRole('radio', { name: 'Do not call (7)' });
    await until('the radio "Do not call" to be checked', () => radio.isChecked());
    const requests = [];
    const onRequest = (r) => r.url().includes('/disposition') && requests.push(r.url());
    page.on('request', onRequest);
    await page.keyboard.press('Enter');
    const confirm = page.getByTestId('dnc-confirm');
    await confirm.waitFor({ timeout: 2000 });
    const asked = (await confirm.textContent()).replace(/\s+/g, ' ');
    if ((await confirm.getAttribute('role')) !== 'alert' || !/^Never call \+1 \d{3} \d{3} \d{4} again\?/.test(asked)) fail(`the confirmation says "${asked}"`);
    // on a 1280×720 screen the question and both answers are in view
    const view = page.viewportSize();
    for (const [what, box] of [
      ['the confirmation', await confirm.boundingBox()],
      ['Confirm', await page.getByRole('button', { name: 'Confirm', exact: true }).boundingBox()],
      ['Close', await page.getByRole('button', { name: 'Close', exact: true }).boundingBox()],
    ]) {
      if (!box || box.y < 0 || box.y + box.height > view.height) fail(`${what} is off screen (${JSON.stringify(box)} in ${view.width}×${view.height})`);
    }
    await snap('do not call confirmation');
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'hidden', timeout: 2000 });
    if (!(await dialog().isVisible()) || !(await radio.isChecked())) fail('Esc in the confirmation closed the dialog or dropped the choice');
    await page.keyboard.press('Enter');
    await confirm.waitFor({ timeout: 2000 });
    await sleep(200);
    if (requests.length > 0) fail('the disposition was sent before the second Enter');
    await page.keyboard.press('Enter');
    await dialog().waitFor({ state: 'hidden', timeout: 5000 });
    page.off('request', onRequest);
    if (requests.length !== 1) fail(`${requests.length} POST /disposition sent`);
    const lead = await sheetShows(call6, { 'Status#': 'DNC', LastOutcome: 'DNC' });
    await until('the stats to count it', async () => /Do not call\s*1$/.test(((await page.locator('.stats tr', { hasText: 'Do not call' }).textContent()) ?? '').trim()), 3000);
    await waitPlaced(7);
    return `${lead.rowId} Status${lead.index}=DNC; one POST /disposition`;
  });

  await step('Space mid-call opens the pause reasons, 2 (Lunch) pauses: after the disposition no next dial; the stats show the pause', async () => {
    const call7 = placed()[6];
    await waitHeading(/^(Ringing…|Connected \d\d:\d\d)$/, 'the call to ring');
    const from = await mark();
    await page.keyboard.press('Space');
    const menu = page.getByRole('menu', { name: 'Pause — why?' });
    await menu.waitFor({ timeout: 2000 });
    const items = await menu.getByRole('menuitem').allTextContents();
    if (items.length < 2) fail(`the menu offers ${JSON.stringify(items)}`);
    await until('the focus to move into the menu', () => page.evaluate(() => document.activeElement?.getAttribute('role') === 'menuitem'), 2000);
    if ((await page.getByRole('button', { name: 'Pause' }).getAttribute('aria-expanded')) !== 'true') fail('the Pause button does not say its menu is open');
    await snap('pause reason menu');
    await page.keyboard.press('2');
    await page.getByRole('button', { name: 'Play' }).waitFor({ timeout: 5000 });
    await menu.waitFor({ state: 'hidden', timeout: 2000 });
    const session = await agentGet('/session/current');
    if (session.state !== 'PAUSE' || session.pause?.reason !== 'Lunch') fail(`GET /session/current says ${session.state} ${JSON.stringify(session.pause)}`);
    await waitDialog();
    await dispose('3', 'Voicemail – same name');
    const lead = await sheetShows(call7, { 'Status#': 'VOICEMAIL', LastOutcome: 'VM_SAME_NAME' });
    await waitHeading(/^Paused$/, 'Paused');
    const seen = await since(from);
    if (!seen.said.includes('Paused for Lunch: no next dial after this call')) fail(`the live region did not say it paused: ${seen.said.join(' | ')}`);
    const now = ((await page.getByTestId('pause-now').textContent()) ?? '').replace(/\s+/g, ' ');
    if (!/^Paused: Lunch ?\d\d:\d\d$/.test(now)) fail(`the stats say "${now}"`);
    await page.getByTestId('pause-times').filter({ hasText: 'Lunch' }).waitFor({ timeout: 2000 });
    await sleep(3000);
    if (placed().length !== 7) fail(`a call was placed while paused (${placed().length} calls)`);
    return `${lead.rowId} Status${lead.index}=VOICEMAIL; paused for Lunch (${now}); no call placed in 3 s`;
  });

  await step('Space (Play) again, reload mid-call: lead, call state and timer restored; the dialog comes back', async () => {
    nextCall('answered', { dial: 500, ring: 800, talk: 6500 });
    await page.keyboard.press('Space');
    const call8 = await waitPlaced(8);
    await waitHeading(/^Connected 00:0[1-9]$/, 'Connected for a second', 8000);
    const before = { name: await page.locator('#lead-name').textContent(), number: await page.getByTestId('dialed-number').textContent(), timer: await headingText() };
    await page.reload();
    const timer = await waitHeading(/^Connected \d\d:\d\d$/, 'Connected after the reload', 5000);
    const after = { name: await page.locator('#lead-name').textContent(), number: await page.getByTestId('dialed-number').textContent(), timer };
    if (/token=/.test(page.url())) fail(`the token came back to the address bar: ${page.url()}`);
    if (after.name !== before.name || after.number !== before.number) fail(`the lead card changed: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
    if (!(timerSeconds(after.timer) >= timerSeconds(before.timer))) fail(`the timer went back: ${before.timer} → ${after.timer}`);
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    // paused before the call ends, so that the last disposition chains nothing and the shift can stop;
    // the reasons came back with the reloaded session: 1 (Break) from the menu
    await page.keyboard.press('Space');
    await page.getByRole('menu', { name: 'Pause — why?' }).waitFor({ timeout: 2000 });
    await page.keyboard.press('1');
    await page.getByRole('button', { name: 'Play' }).waitFor({ timeout: 5000 });
    await waitDialog();
    await dispose('5', 'No answer');
    const lead = await sheetShows(call8, { 'Status#': 'NO_ANSWER' });
    const times = ((await page.getByTestId('pause-times').textContent()) ?? '').replace(/\s+/g, ' ');
    if (!times.includes('Lunch') || !times.includes('Break')) fail(`the pause times say "${times}"`);
    return `${before.name}, ${before.number}: ${before.timer} → ${after.timer} after the reload; ${lead.rowId} Status${lead.index}=NO_ANSWER; pause time: ${times}`;
  });

  await step('Stop (Tab to it, Enter) after the last disposition: the session ends', async () => {
    await waitHeading(/^Paused$/, 'Paused');
    const stop = page.getByRole('button', { name: 'Stop' });
    if (await stop.isDisabled()) fail('Stop is disabled');
    for (let i = 0; i < 12 && !(await stop.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    if (!(await stop.evaluate((el) => el === document.activeElement))) fail('Tab never reached Stop');
    const from = await mark();
    await page.keyboard.press('Enter');
    await waitHeading(/^Shift stopped$/, 'Shift stopped');
    const seen = await since(from);
    if (!seen.said.includes('Session stopped')) fail(`the live region did not say "Session stopped": ${seen.said.join(' | ')}`);
    // Stop is gone with the session: the keyboard lands on Play, not on the page
    const play = page.getByRole('button', { name: 'Play' });
    await until('the focus to move to Play', () => play.evaluate((el) => el === document.activeElement), 2000);
    const current = await fetch(`${world.base}/session/current`, { headers: { authorization: `Bearer ${agentToken()}` } });
    const state = current.status === 404 ? 'none' : (await current.json()).state;
    if (state !== 'none' && state !== 'STOPPED') fail(`GET /session/current says ${state}`);
    return `${placed().length} calls placed; dials ${await page.getByTestId('stat-dials').textContent()}, session ${state}`;
  });

  await step('the callbacks list: Move (Tab, Enter) to 4:30 PM on the lead\'s clock, Enter saves; Cancel asks once more, Enter cancels', async () => {
    const [cb] = await agentGet('/api/callbacks');
    if (!cb) fail('GET /api/callbacks lists no callback to move');
    const move = page.getByRole('button', { name: `Move the callback to ${cb.lead_name}` });
    await move.waitFor({ timeout: 3000 });
    for (let i = 0; i < 20 && !(await move.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    if (!(await move.evaluate((el) => el === document.activeElement))) fail('Tab never reached Move');
    await page.keyboard.press('Enter');
    const field = page.getByLabel("New time on the lead's clock");
    await until('the time field to take the focus', () => field.evaluate((el) => el === document.activeElement), 2000);
    const before = await field.inputValue();
    if (before !== cb.due_local.slice(0, 16)) fail(`the field starts at ${before}, the callback is due ${cb.due_local}`);
    await field.fill(`${before.slice(0, 10)}T16:30`);
    // on a 1280×720 screen the form is on screen whole: the field, Save and Keep
    for (const name of ['Save', 'Keep']) {
      const box = await page.getByRole('button', { name, exact: true }).boundingBox();
      const view = page.viewportSize();
      if (!box || box.y < 0 || box.y + box.height > view.height) fail(`${name} is off screen (${JSON.stringify(box)} in ${view.width}×${view.height})`);
    }
    await snap('moving a callback');
    await page.keyboard.press('Enter');
    const moved = await until('GET /api/callbacks to show the new time', async () => {
      const found = (await agentGet('/api/callbacks')).find((c) => c.id === cb.id);
      return found && /T16:30:00[+-]\d\d:\d\d$/.test(found.due_local) ? found : null;
    }, 5000);
    const item = page.getByTestId('callback-item').filter({ hasText: cb.lead_name });
    await until('the list to show 4:30 PM', async () => (await item.textContent()).includes('4:30 PM lead time'), 5000);

    const cancel = page.getByRole('button', { name: `Cancel the callback to ${cb.lead_name}` });
    await cancel.focus();
    await page.keyboard.press('Enter');
    const yes = page.getByRole('button', { name: 'Yes, cancel it' });
    await until('the focus to move to "Yes, cancel it"', () => yes.evaluate((el) => el === document.activeElement), 2000);
    await snap('cancelling a callback');
    await page.keyboard.press('Enter');
    await item.waitFor({ state: 'detached', timeout: 5000 });
    // its buttons went with it: the keyboard is on the list's heading, not lost on the page
    await until('the focus to land on the Callbacks heading', () => page.evaluate(() => document.activeElement?.id === 'callbacks-title'), 2000);
    const left = (await agentGet('/api/callbacks')).filter((c) => c.id === cb.id);
    if (left.length > 0) fail(`the callback is still pending: ${JSON.stringify(left)}`);
    return `${cb.lead_name}: ${cb.due_local} → ${moved.due_local}, then cancelled`;
  });

  await step(`calls board: inbound calls' toasts within ${TOAST_BUDGET_MS} ms of their webhooks`, async () => {
    await page.goto(world.boardUrl);
    await page.locator('.socket-open').waitFor({ timeout: 5000 });
    if (/api_key=/.test(page.url())) fail(`the API key is still in the address bar: ${page.url()}`);
    await page.evaluate(() => {
      window.__toasts = {};
      new MutationObserver((records) => {
        const at = Date.now();
        for (const r of records) {
          for (const node of r.addedNodes) {
            const toast = node.nodeType === 1 && node.matches('[data-testid="toast"]') ? node : null;
            if (toast) window.__toasts[toast.getAttribute('data-call-id')] ??= at;
          }
        }
      }).observe(document.body, { subtree: true, childList: true });
    });
    // three calls, one after the other: the median is judged (one sample on a busy machine is noise)
    const timings = [];
    for (const [i, caller] of INBOUND.entries()) {
      const call = world.dialpad.simulateInbound({ from: caller.from, contactName: caller.name, ringMs: i === 0 ? 1200 : 8000, talkMs: 8000 }); // the first answered before the screenshot
      const selector = `[data-testid="toast"][data-call-id="${call.call_id}"]`;
      await page.waitForSelector(selector, { timeout: 5000 });
      const shownAt = await until('the toast to be recorded', () => page.evaluate((id) => window.__toasts[id], call.call_id), 2000);
      const sent = world.dialpad.deliveries.find((d) => d.call_id === call.call_id && d.state === 'ringing');
      if (!sent) fail('the fake Dialpad recorded no ringing delivery');
      timings.push(shownAt - sent.sent_at);
      const text = (await page.locator(selector).textContent()).replace(/\s+/g, ' ');
      if (!text.includes('Incoming call') || !text.includes(caller.shown) || !text.includes(caller.name)) fail(`the toast says "${text}"`);
      await page.locator(`[data-testid="call-row"][data-call-id="${call.call_id}"]`).waitFor();
      await sleep(700);
    }
    await page.screenshot({ path: new URL('calls-board.png', DOCS).pathname, fullPage: true });
    const median = [...timings].sort((a, b) => a - b)[1];
    if (!(median < TOAST_BUDGET_MS)) fail(`webhook → toast took ${timings.join(', ')} ms (median ${median} ms, budget ${TOAST_BUDGET_MS} ms)`);
    return `webhook POST sent → toast in the DOM: ${timings.join(' / ')} ms (median ${median} ms)`;
  });

  if (pageErrors.length > 0) fail(`errors in the page: ${pageErrors.join(' | ')}`);
}

async function cleanup() {
  await browser?.close().catch(() => undefined);
  await world?.close().catch(() => undefined);
  await stack?.close().catch(() => undefined);
}

try {
  await main();
  await cleanup();
  out(`\nbrowser test: all steps passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in test-artifacts/browser/`);
} catch (err) {
  if (!(err instanceof StepFailed)) out(`FAIL  ${err instanceof Error ? err.stack : String(err)}`);
  if (page) {
    const l = await log().catch(() => null);
    if (l) out(`--- console phases: ${l.phases.join(' → ')}\n--- live region: ${l.said.join(' | ')}`);
  }
  if (pageErrors.length > 0) out(`--- page errors:\n${pageErrors.join('\n')}`);
  if (world?.svc?.child.tail) out(`--- service (last lines):\n${world.svc.child.tail.slice(-20).join('\n')}`);
  await cleanup();
  process.exitCode = 1;
}
