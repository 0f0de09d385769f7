import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, type Workspace } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { launchChromium, openPage, screenshot, storageOf, type RecordedPage } from '../support/browser.js';
import { createToken, startServe, type RunningServe } from '../support/serve.js';
import { ensureWebBundle } from '../support/web-bundle.js';

// The dashboard in headless Chromium against a running `syncline serve` with live flows between
// two SQLite files: sign-in, the wall screen changing as rows sync, both languages, a real
// back-off on the cadence timeline, replay by an operator, nothing for a viewer to press, and no
// token or secret anywhere but the session token in sessionStorage. Screenshots: test-artifacts/.

const HOOK_SECRET = 'hook-s3cret-Qw7Zx';

const CONFIG = `state: sqlite:\${STATE_PATH}
connections:
  crm: { type: sqlite, path: \${CRM_PATH} }
  erp: { type: sqlite, path: \${ERP_PATH} }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: version }
    target: { connection: erp, table: customers, key: crm_id }
    batch: 50
    fields: { name: name, qty: qty }
    retry: { attempts: 3, initialDelay: 10ms, maxDelay: 50ms }
    cadence: { every: 1s, freshness: 1m, adaptive: { min: 1s, max: 1m } }
  products:
    source: { connection: crm, table: items, key: id, cursor: version }
    target: { connection: erp, table: products, key: crm_id }
    fields: { title: title }
    cadence: { every: 2s, adaptive: false }
alerts:
  evaluateEvery: 1s
  channels:
    ops: { type: webhook, url: "http://127.0.0.1:9/hook?token=\${HOOK_SECRET}" }
  rules:
    - { name: dead-letters, when: { deadLetters: { over: 0 } }, notify: [ops], severity: critical }
`;

let workspace: Workspace;
let server: RunningServe;
let browser: Browser;
let crm: Database.Database;
const tokens = { viewer: '', operator: '' };
const pages: RecordedPage[] = [];
let nextId = 100;

function insertAccounts(count: number, qty = 1): number[] {
  const insert = crm.prepare('INSERT INTO accounts (id, name, qty, version) VALUES (?, ?, ?, ?)');
  return Array.from({ length: count }, () => {
    nextId += 1;
    insert.run(nextId, `Customer ${nextId}`, qty, nextId);
    return nextId;
  });
}

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${server.base}/api/v1${path}`, {
    headers: { authorization: `Bearer ${tokens.operator}` },
  });
  return (await response.json()) as T;
}

async function signIn(token: string, viewport?: { width: number; height: number }): Promise<RecordedPage> {
  const recorded = await openPage(browser, viewport);
  pages.push(recorded);
  await recorded.page.goto(`${server.base}/`);
  await recorded.page.fill('input[name=token]', token);
  await recorded.page.click('button[type=submit]');
  await recorded.page.waitForSelector('nav.top >> text=Sign out');
  return recorded;
}

function numberIn(text: string | null): number {
  return Number((text ?? '').replace(/[^\d]/g, ''));
}

beforeAll(async () => {
  ensureWebBundle();
  workspace = createWorkspace();
  workspace.writeConfig(CONFIG);
  crm = new Database(join(workspace.dir, 'crm.db'));
  crm.pragma('journal_mode = WAL');
  crm.exec(
    'CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER NOT NULL, version INTEGER NOT NULL)',
  );
  crm.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, title TEXT, version INTEGER NOT NULL)');
  const erp = new Database(join(workspace.dir, 'erp.db'));
  erp.pragma('journal_mode = WAL');
  // The CHECK makes the ERP refuse one record, as a real ERP table would: a dead letter.
  erp.exec(
    'CREATE TABLE customers (crm_id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER CHECK (qty >= 0))',
  );
  erp.exec('CREATE TABLE products (crm_id INTEGER PRIMARY KEY, title TEXT)');
  erp.close();
  insertAccounts(5);
  crm.prepare("INSERT INTO items (id, title, version) VALUES (1, 'Widget', 1), (2, 'Gadget', 2)").run();
  const env = {
    STATE_PATH: join(workspace.dir, 'state.db'),
    CRM_PATH: join(workspace.dir, 'crm.db'),
    ERP_PATH: join(workspace.dir, 'erp.db'),
    HOOK_SECRET,
  };
  tokens.viewer = await createToken(workspace, env, 'wall-viewer', 'viewer');
  tokens.operator = await createToken(workspace, env, 'ops-bot', 'operator');
  server = await startServe(workspace, env);
  browser = await launchChromium();
});

afterAll(async () => {
  // Each is undefined when beforeAll failed before making it.
  await (browser as Browser | undefined)?.close();
  await (server as RunningServe | undefined)?.stop();
  (crm as Database.Database | undefined)?.close();
  (workspace as Workspace | undefined)?.remove();
});

describe('the dashboard in Chromium', () => {
  let viewer: RecordedPage;

  it('signs in a viewer; the wall screen shows every flow and numbers that change as rows sync', async () => {
    viewer = await signIn(tokens.viewer);
    const { page } = viewer;
    for (const flow of ['customers', 'products'])
      await page.waitForSelector(`.tile[data-flow=${flow}] .tile-name >> text=${flow}`);
    const written = async (): Promise<number> =>
      numberIn(await page.textContent('[data-metric=written-today]'));
    await eventually(async () => (await written()) >= 7, 'the first rows show as written today', {
      tries: 120,
      everyMs: 500,
    });
    const before = await written();
    insertAccounts(4);
    await eventually(async () => (await written()) >= before + 4, 'the new rows show on the wall screen', {
      tries: 120,
      everyMs: 500,
    });
    expect(
      numberIn(await page.textContent('.tile[data-flow=customers] [data-metric=rows-today]')),
    ).toBeGreaterThanOrEqual(9);
    await screenshot(page, 'wall-en');
  });

  it('switches to 简体中文, and the labels change', async () => {
    const { page } = viewer;
    expect(await page.textContent('nav.top')).toContain('Wall screen');
    await page.selectOption('nav.top select', 'zh-CN');
    await page.waitForSelector('nav.top >> text=大屏');
    const text = await page.textContent('main');
    expect(text).toContain('死信');
    expect(text).toContain('今日');
    expect(text).not.toContain('Dead letters');
    expect((await storageOf(viewer)).local).toEqual({ 'syncline.locale': 'zh-CN' });
    await screenshot(page, 'wall-zh');
    await page.selectOption('nav.top select', 'en');
    await page.waitForSelector('nav.top >> text=Wall screen');
  });

  it('shows a back-off the controller recorded while the ERP was locked, with its reason', async () => {
    const locker = new Database(join(workspace.dir, 'erp.db'), { timeout: 10_000 });
    let reason = '';
    try {
      locker.exec('BEGIN EXCLUSIVE');
      insertAccounts(3);
      await eventually(
        async () => {
          const { decisions } = await api<{
            decisions: { intervalMs: number; intervalMsBefore: number; reason: string }[];
          }>('/flows/customers/cadence/decisions');
          reason =
            decisions.find((decision) => decision.intervalMs > decision.intervalMsBefore)?.reason ?? '';
          return reason !== '';
        },
        'the controller backs off the locked ERP',
        { tries: 180, everyMs: 500 },
      );
    } finally {
      locker.exec('COMMIT');
      locker.close();
    }
    const { page } = viewer;
    await page.goto(`${server.base}/#/flows/customers`);
    await page.waitForSelector('#cadence table.decisions');
    expect(await page.textContent('#cadence table.decisions')).toContain(reason);
    await screenshot(page, 'flow-viewer-en');
  });

  it('shows a viewer the dead letter with its reason and no button to replay or act', async () => {
    const [bad] = insertAccounts(1, -5);
    const { page } = viewer;
    await page.goto(`${server.base}/#/flows/customers`);
    await page.waitForSelector(`#dead-letters tr[data-key="${bad}"]`, { timeout: 60_000 });
    expect(await page.textContent(`#dead-letters tr[data-key="${bad}"]`)).toMatch(/CHECK|constraint/i);
    expect(await page.locator('button', { hasText: /Replay|Run now|Pause|Resync|Compare/ }).count()).toBe(0);
    expect(await page.locator('#dead-letters button').count()).toBe(0);
  });

  it('lets an operator replay a dead letter from the flow page, after confirming, and it disappears', async () => {
    const letter = (await api<{ items: { id: number; key: string }[] }>('/flows/customers/dead-letters'))
      .items[0];
    expect(letter).toBeDefined();
    crm.prepare('UPDATE accounts SET qty = 5 WHERE id = ?').run(Number(letter!.key));
    const operator = await signIn(tokens.operator);
    const { page } = operator;
    await page.goto(`${server.base}/#/flows/customers`);
    const row = `#dead-letters tr[data-key="${letter!.key}"]`;
    await page.click(`${row} button`);
    await page.waitForSelector('.dialog');
    await screenshot(page, 'flow-operator-confirm-en');
    await page.click('.dialog button.primary');
    await page.waitForSelector('.toast >> text=Replayed 1', { timeout: 60_000 });
    await page.waitForSelector(row, { state: 'detached', timeout: 30_000 });
    await screenshot(page, 'flow-operator-en');
    await page.selectOption('nav.top select', 'zh-CN');
    await page.waitForSelector('#dead-letters >> text=死信');
    await screenshot(page, 'flow-operator-zh');
    const audit = await api<{ items: { action: string; actor: string }[] }>('/audit?action=dlq.replay');
    expect(audit.items[0]).toMatchObject({ action: 'dlq.replay', actor: 'ops-bot' });
  });

  it('shows alerts (firing and resolved) and the audit log, filterable, in both languages', async () => {
    const { page } = viewer;
    await eventually(
      async () => (await api<{ total: number }>('/alerts')).total > 0,
      'the dead-letter alert is recorded',
    );
    for (const locale of ['en', 'zh-CN'] as const) {
      await page.selectOption('nav.top select', locale);
      await page.goto(`${server.base}/#/alerts`);
      await page.waitForSelector('table.alerts >> text=dead-letters');
      await screenshot(page, `alerts-${locale}`);
      await page.goto(`${server.base}/#/audit`);
      await page.fill('.filters input', 'dlq.replay');
      await page.waitForSelector('table.audit >> text=ops-bot');
      expect(await page.locator('table.audit tbody tr').count()).toBeGreaterThan(0);
      await screenshot(page, `audit-${locale}`);
    }
    await page.selectOption('nav.top select', 'en');
  });

  it('has a wall-screen mode: dark, no buttons at all, usable at 1280×720 and on a 4K TV', async () => {
    for (const viewport of [
      { width: 1280, height: 720 },
      { width: 3840, height: 2160 },
    ]) {
      const tv = await signIn(tokens.viewer, viewport);
      await tv.page.goto(`${server.base}/#/tv`);
      await tv.page.waitForSelector('body.wall-mode .tile[data-flow=customers]');
      expect(await tv.page.locator('button, a[href^="#/flows"]').count()).toBe(0);
      await screenshot(tv.page, `wall-mode-${viewport.width}x${viewport.height}`);
    }
  });

  it('keeps every token and secret out of the page, the browser storage (but the session token) and every URL', async () => {
    const { page } = viewer;
    await page.goto(`${server.base}/#/flows/customers`);
    await page.waitForSelector('#config pre >> text=accounts');
    // The config as written: the channel's secret stands there as its \${HOOK_SECRET} reference.
    const config = JSON.stringify(await api<unknown>('/config'));
    expect(config).toContain('HOOK_SECRET');
    expect(config).not.toContain(HOOK_SECRET);
    for (const recorded of pages) {
      const html = await recorded.page.content();
      const storage = await storageOf(recorded);
      for (const secret of [tokens.viewer, tokens.operator, HOOK_SECRET]) {
        expect(html).not.toContain(secret);
        expect(JSON.stringify(storage.local)).not.toContain(secret);
        expect(recorded.urls.filter((url) => url.includes(secret))).toEqual([]);
      }
      expect(Object.keys(storage.session)).toEqual(['syncline.token']);
      expect([tokens.viewer, tokens.operator]).toContain(storage.session['syncline.token']);
      expect(storage.cookies).toBe(0);
    }
    expect(server.log()).not.toContain(tokens.viewer);
  });
});
