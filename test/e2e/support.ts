// What the end-to-end specs share: how to drive the VS Code workbench (Quick Open, the command
// palette, the activity bar, webviews) and how to tell that a chart canvas has drawn data.
/// <reference lib="dom" />
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';

export interface E2EContext {
  page: Page;
  /** The workspace folder the workbench has open (a fresh copy of test/vscode/fixtures/workspace). */
  workspace: string;
  /** Where screenshots go (test-results/). */
  resultsDir: string;
  /** Steps that failed so far, by name. */
  failed: Set<string>;
  log(message: string): void;
  /** Free-form state shared between the steps of a spec. */
  state: Record<string, unknown>;
}

export interface Step {
  name: string;
  /** Names of earlier steps this one cannot do without: when one failed, this step fails at once. */
  needs?: string[];
  timeoutMs?: number;
  run(ctx: E2EContext): Promise<void>;
}

export function step(name: string, options: Omit<Step, 'name' | 'run'>, run: Step['run']): Step {
  return { name, ...options, run };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor<T>(check: () => T | Promise<T>, what: () => string, timeoutMs: number, everyMs = 250): Promise<NonNullable<Awaited<T>>> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<Awaited<T>>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > until) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what()}${lastError ? ` (last error: ${lastError instanceof Error ? lastError.message.split('\n')[0] : String(lastError)})` : ''}`);
    }
    await sleep(everyMs);
  }
}

/** Texts of the notification toasts and of the notification center (to explain failures). */
export async function notifications(page: Page): Promise<string[]> {
  const texts = await page.locator('.notification-list-item-message').allInnerTexts().catch(() => [] as string[]);
  return [...new Set(texts.map((t) => t.trim()).filter(Boolean))];
}

/**
 * Errors the workbench is showing: a modal dialog (e.g. "Command ... resulted in an error") or an
 * error notification. Returns their texts.
 */
export async function uiErrors(page: Page): Promise<string[]> {
  const out: string[] = [];
  const dialogs = page.locator('.monaco-dialog-box');
  for (let i = 0; i < (await dialogs.count().catch(() => 0)); i++) {
    const d = dialogs.nth(i);
    if (!(await d.isVisible().catch(() => false))) continue;
    out.push(`dialog: ${(await d.innerText().catch(() => '')).replace(/\s+/g, ' ').trim()}`);
  }
  const errors = page.locator('.notification-list-item', { has: page.locator('.codicon-error') });
  for (const t of await errors.allInnerTexts().catch(() => [] as string[])) out.push(`error notification: ${t.replace(/\s+/g, ' ').trim()}`);
  return out;
}

/** Fails when the workbench shows an error dialog or notification. */
export async function assertNoUiErrors(page: Page, context: string): Promise<void> {
  const errors = await uiErrors(page);
  if (errors.length) throw new Error(`${context}: the workbench shows ${errors.join(' || ')}`);
}

async function quickInputVisible(page: Page): Promise<boolean> {
  return page.locator('.quick-input-widget').isVisible().catch(() => false);
}

async function closeQuickInput(page: Page): Promise<void> {
  if (await quickInputVisible(page)) await page.keyboard.press('Escape');
}

/** Opens a workspace file by name through Quick Open (Ctrl+P). */
export async function quickOpen(page: Page, fileName: string): Promise<void> {
  await closeQuickInput(page);
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(fileName);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: fileName }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator(`.tabs-container .tab.active`, { hasText: fileName }).waitFor({ state: 'visible', timeout: 15_000 });
}

/**
 * Runs a command from the command palette (F1, type its title, Enter). Fails at once when the
 * palette does not list it (the command is not contributed or its `when` hides it).
 */
export async function runCommand(page: Page, title: string): Promise<void> {
  await closeQuickInput(page);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  const rows = page.locator('.quick-input-widget .monaco-list-row');
  const exact = rows.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) }) }).first();
  try {
    await exact.waitFor({ state: 'visible', timeout: 15_000 });
  } catch {
    const listed = await rows.allInnerTexts().catch(() => [] as string[]);
    throw new Error(`the command palette does not list "${title}" (it shows: ${listed.map((t) => t.replace(/\s+/g, ' ').trim()).join(' | ') || 'nothing'})`);
  }
  // Keyboard, not a click: hovers of the workbench may cover the list.
  for (let i = 0; i < 20; i++) {
    const focused = await rows.and(page.locator('.focused')).first().getAttribute('aria-label').catch(() => null);
    if (focused?.trim() === title) break;
    await page.keyboard.press('ArrowDown');
  }
  const focused = await rows.and(page.locator('.focused')).first().getAttribute('aria-label').catch(() => null);
  if (focused?.trim() !== title) throw new Error(`could not select "${title}" in the command palette (focused: ${focused})`);
  await page.keyboard.press('Enter');
  await sleep(700);
  await assertNoUiErrors(page, `after "${title}"`);
}

/**
 * When a command asks with a quick pick (which experiment, which runs), answers it: a single pick
 * takes the entry matching `prefer` (else the first); a multi-select keeps its preselection, or
 * picks the first entry matching `prefer` when nothing is selected. Waits up to waitMs for the
 * pick to show, stopping early when done() says the command needs no answer.
 * Returns the entries it saw, or undefined when no quick pick came.
 */
export async function answerQuickPick(page: Page, prefer: RegExp, { waitMs = 5000, done }: { waitMs?: number; done?: () => Promise<boolean> } = {}): Promise<string | undefined> {
  const until = Date.now() + waitMs;
  while (Date.now() < until && !(await quickInputVisible(page))) {
    if (done && (await done().catch(() => false))) return undefined;
    await sleep(150);
  }
  if (!(await quickInputVisible(page))) return undefined;
  const widget = page.locator('.quick-input-widget');
  const rows = widget.locator('.quick-input-list .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: 10_000 }).catch(() => {});
  const texts = (await rows.allInnerTexts().catch(() => [] as string[])).map((t) => t.replace(/\s+/g, ' ').trim());
  const placeholder = (await widget.locator('.quick-input-box input').getAttribute('placeholder').catch(() => null)) ?? '';
  // A multi-select shows the "Toggle all checkboxes" box and a "N Selected" count.
  const countBadge = widget.locator('.quick-input-count');
  if (await countBadge.isVisible().catch(() => false)) {
    const count = await countBadge.innerText().catch(() => '');
    if (!/[1-9]/.test(count)) {
      const match = rows.filter({ hasText: prefer }).first();
      const row = (await match.isVisible().catch(() => false)) ? match : rows.first();
      await row.locator('.monaco-checkbox, input[type=checkbox]').first().click();
    }
    await page.keyboard.press('Enter');
    return `${placeholder} [multi-select of ${texts.length}, ${count.trim() || 'one picked'}]`;
  }
  const match = rows.filter({ hasText: prefer }).first();
  if (await match.isVisible().catch(() => false)) await match.click();
  else await page.keyboard.press('Enter');
  return `${placeholder} [${texts.length} entries]`;
}

/** Opens the activity-bar container whose title starts with `title`. */
export async function openActivity(page: Page, title: string): Promise<void> {
  const item = page.locator(`.activitybar [aria-label^="${title}"]`).first();
  await item.waitFor({ state: 'visible', timeout: 30_000 });
  const selected = await item.evaluate((el) => el.closest('.action-item')?.classList.contains('checked') ?? false);
  if (!selected) await item.click();
  await page.locator('.sidebar .composite.title', { hasText: new RegExp(title, 'i') }).first().waitFor({ state: 'visible', timeout: 15_000 });
}

/** The run.json records of a store folder. */
export function storeRuns(store: string): { id: string; status: string; label: string; batchSize?: number; experiment: { name: string; file?: string }; createdAt: string }[] {
  const dir = path.join(store, 'runs');
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const name of fs.readdirSync(dir)) {
    try {
      out.push(JSON.parse(fs.readFileSync(path.join(dir, name, 'run.json'), 'utf8')));
    } catch {
      /* a run folder being created */
    }
  }
  return out;
}

export interface CanvasStats {
  index: number;
  width: number;
  height: number;
  /** Drawn (alpha > 0) pixels. */
  drawn: number;
  /** Drawn pixels of a saturated colour (max - min channel >= 60): series, not text, axes or grid. */
  saturated: number;
  /** Saturated pixels per 30-degree hue bucket. */
  hues: number[];
  /** Hue buckets holding at least 20 saturated pixels: how many distinct series colours. */
  colours: number;
  error?: string;
}

/** Reads every canvas of a frame pixel by pixel (getImageData) and counts series-coloured pixels. */
export async function canvasStats(frame: FrameLocator): Promise<CanvasStats[]> {
  const canvases = frame.locator('canvas');
  const n = await canvases.count();
  const out: CanvasStats[] = [];
  for (let i = 0; i < n; i++) {
    const c = canvases.nth(i);
    const visible = await c.isVisible().catch(() => false);
    if (!visible) continue;
    const s = await c.evaluate((el, index) => {
      const canvas = el as HTMLCanvasElement;
      const rect = canvas.getBoundingClientRect();
      const base = { index, width: Math.round(rect.width), height: Math.round(rect.height), drawn: 0, saturated: 0, hues: new Array(12).fill(0) as number[], colours: 0 };
      const ctx = canvas.getContext('2d');
      if (!ctx) return { ...base, error: 'no 2d context' };
      if (!canvas.width || !canvas.height) return { ...base, error: 'empty canvas' };
      let data: Uint8ClampedArray;
      try {
        data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      } catch (err) {
        return { ...base, error: String(err) };
      }
      // The most common opaque colour is the background (chart.js leaves it transparent).
      const freq = new Map<number, number>();
      for (let p = 0; p < data.length; p += 4 * 7) {
        if (data[p + 3] < 250) continue;
        const key = (data[p] << 16) | (data[p + 1] << 8) | data[p + 2];
        freq.set(key, (freq.get(key) ?? 0) + 1);
      }
      let bg = -1;
      let best = 0;
      for (const [k, v] of freq) if (v > best) [bg, best] = [k, v];
      for (let p = 0; p < data.length; p += 4) {
        const a = data[p + 3];
        if (a < 64) continue;
        const r = data[p];
        const g = data[p + 1];
        const b = data[p + 2];
        if (((r << 16) | (g << 8) | b) === bg) continue;
        base.drawn++;
        const max = Math.max(r, g, b);
        const min = Math.min(r, g, b);
        if (max - min < 60) continue;
        base.saturated++;
        const d = max - min;
        let h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
        if (h < 0) h += 6;
        base.hues[Math.min(11, Math.floor(h * 2))]++;
      }
      base.colours = base.hues.filter((x) => x >= 20).length;
      return base;
    }, i);
    out.push(s);
  }
  return out;
}

/**
 * The content frame of the visible webview whose document title (the panel title, e.g.
 * "Dashboard: nqm-critical-batch") matches `title`. VS Code nests it: iframe.webview > #active-frame.
 */
export async function webviewFrame(page: Page, title: RegExp, timeoutMs = 30_000): Promise<FrameLocator> {
  let seen: string[] = [];
  return waitFor(
    async () => {
      const iframes = page.locator('iframe.webview.ready').filter({ visible: true });
      const n = await iframes.count();
      seen = [];
      for (let i = 0; i < n; i++) {
        const inner = iframes.nth(i).contentFrame().frameLocator('#active-frame');
        const docTitle = await inner.locator('html').evaluate((h) => h.ownerDocument.title, undefined, { timeout: 2000 }).catch(() => '');
        seen.push(docTitle || '(untitled)');
        if (title.test(docTitle)) return inner;
      }
      return undefined;
    },
    () => `a visible webview titled ${title} (visible webviews: ${seen.join(', ') || 'none'})`,
    timeoutMs,
  );
}

/** True when a visible webview titled `title` exists (without waiting). */
export async function hasWebview(page: Page, title: RegExp): Promise<boolean> {
  return webviewFrame(page, title, 0).then(() => true, () => false);
}

/** Waits until every sizeable visible canvas of the frame has drawn series-coloured pixels. */
export async function waitForDrawnCharts(frame: FrameLocator, { minSaturated = 150, minCanvases = 1, timeoutMs = 45_000 } = {}): Promise<CanvasStats[]> {
  let last: CanvasStats[] = [];
  const charts = (all: CanvasStats[]) => all.filter((s) => s.width >= 120 && s.height >= 80);
  try {
    return await waitFor(
      async () => {
        last = await canvasStats(frame);
        const big = charts(last);
        return big.length >= minCanvases && big.every((s) => s.saturated >= minSaturated) ? big : undefined;
      },
      () => `${minCanvases}+ chart canvases with >= ${minSaturated} series-coloured pixels each`,
      timeoutMs,
      500,
    );
  } catch (err) {
    const detail = last.length
      ? last.map((s) => `canvas ${s.index} ${s.width}x${s.height}: ${s.saturated} series px, ${s.drawn} drawn px${s.error ? `, ${s.error}` : ''}`).join('; ')
      : 'no visible canvas';
    throw new Error(`${err instanceof Error ? err.message : String(err)}: ${detail}`);
  }
}

/**
 * Before a screenshot: closes any quick pick, clears notification toasts (they may cover the
 * panel) and scrolls the first chart of the frame into view.
 */
export async function tidyForScreenshot(page: Page, frame?: FrameLocator): Promise<void> {
  await closeQuickInput(page);
  await runCommand(page, 'Notifications: Clear All Notifications').catch(() => closeQuickInput(page));
  if (frame) await frame.locator('canvas').first().scrollIntoViewIfNeeded({ timeout: 5000 }).catch(() => {});
  await sleep(300);
}

export function describeCanvases(stats: CanvasStats[]): string {
  return stats.map((s) => `${s.width}x${s.height}: ${s.saturated} series px in ${s.colours} colour(s)`).join('; ');
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export type { Locator };
