// K-FAC through the UI: a small neural sweep (SGD, Adam and K-FAC on synthetic Gaussian clusters at
// four batch sizes, a target reached in tens of steps) is written into the workspace and run from the
// command palette. While it runs, the dashboard that the run opened must receive K-FAC's own
// statistics (kfac/damping, kfac/rho, ...) as they are produced; afterwards the dashboard of one
// K-FAC run must draw its kfac/damping and kfac/rho charts in the "Optimizer internals" section from
// exactly the rows that run wrote to the store, and the critical-batch-size panel must show a K-FAC
// series beside SGD and Adam with the steps to target the store recorded.
// Screenshots: test-results/kfac-*.png, copied to docs/media/kfac-dashboard.png and
// docs/media/kfac-critical-batch.png.
/// <reference lib="dom" />
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import {
  assertNoUiErrors, canvasStats, describeCanvases, escapeRegExp, notifications, openActivity, quickOpen, runCommand, sleep, step, tidyForScreenshot, waitFor, waitForDrawnCharts, webviewFrame,
  type E2EContext,
} from './support';

const EXPERIMENT = 'kfac-live';
const FILE = `${EXPERIMENT}.optlab.json`;
const BATCH_SIZES = [8, 32, 128, 512];
const SGD_LRS = [0.03, 0.1, 0.3, 1];
const ADAM_LRS = [0.001, 0.003, 0.01, 0.03];
/** One trial per (optimizer, batch size, grid point), plus one best-of-grid run per (optimizer, batch size). */
const TRIALS = BATCH_SIZES.length * (SGD_LRS.length + ADAM_LRS.length + 1);
const RUNS = TRIALS + 3 * BATCH_SIZES.length;

/**
 * Ten Gaussian clusters in 32 dimensions, an MLP 32-32-10: every optimizer reaches 90% test
 * accuracy within tens of steps at every batch size (measured in the UI suite: K-FAC 38, 14, 8, 8
 * steps after its 2 burn-in updates at B = 8..512; the whole sweep takes a few seconds, tens of
 * seconds with the pause below).
 */
const SPEC = {
  name: EXPERIMENT,
  description: 'UI test (test/e2e/sweep-kfac-internals.e2e.ts): SGD, Adam and adaptive K-FAC on synthetic Gaussian clusters, steps to 90% test accuracy at four batch sizes.',
  problem: {
    type: 'classification',
    data: { type: 'clusters', classes: 10, dim: 32, separation: 5, trainSize: 4096, testSize: 1024 },
    model: { type: 'mlp', widths: [32], activation: 'tanh' },
  },
  target: { metric: 'testAccuracy', value: 0.9, evalEvery: 2, evalSize: 1024 },
  budget: { maxSteps: 200 },
  batchSizes: BATCH_SIZES,
  optimizers: [
    { label: 'SGD', type: 'sgd', learningRate: SGD_LRS },
    { label: 'Adam', type: 'adam', learningRate: ADAM_LRS },
    // Adaptive mode (no learningRate): alpha and mu from the quadratic model; rho and the
    // Levenberg-Marquardt damping every 2 steps after a 2-step burn-in, so that even a 10-step run
    // reports several kfac/rho values.
    { label: 'K-FAC', type: 'kfac', damping: 1, minDamping: 0.01, burnIn: 2, adaptEvery: 2, inverseEvery: 2 },
  ],
  seed: 0,
};

/**
 * The engine pauses 30 ms after every training step (the numbers do not change): the sweep then
 * lasts tens of seconds instead of a few, so the dashboard can be watched while it runs rather than
 * hoping that a poll lands inside a trial of well under a second.
 */
export const env = { OPTLAB_STEP_DELAY_MS: '30' };

/** The metrics the test requires on the K-FAC charts. */
const KFAC_METRICS = ['kfac/damping', 'kfac/rho'] as const;

interface StoredRun {
  id: string;
  status: string;
  label: string;
  optimizer?: string;
  batchSize?: number;
  experiment: { name: string; file?: string };
  config?: { kind?: string; batchSize?: number };
  summary?: { stepsToTarget?: number | null; bestTrial?: string | null };
}

function storeDir(ctx: E2EContext): string {
  return path.join(ctx.workspace, '.optlab');
}

/** This experiment's run records (run.json of every run folder). */
function experimentRuns(ctx: E2EContext): StoredRun[] {
  const dir = path.join(storeDir(ctx), 'runs');
  if (!fs.existsSync(dir)) return [];
  const out: StoredRun[] = [];
  for (const name of fs.readdirSync(dir)) {
    try {
      const r = JSON.parse(fs.readFileSync(path.join(dir, name, 'run.json'), 'utf8')) as StoredRun;
      if (r.experiment?.name === EXPERIMENT) out.push(r);
    } catch {
      /* a run folder being created */
    }
  }
  return out;
}

/** (step, value) of every row of a run's metrics.jsonl that has `metric`. */
function storedSeries(ctx: E2EContext, runId: string, metric: string): [number, number][] {
  const file = path.join(storeDir(ctx), 'runs', runId, 'metrics.jsonl');
  const out: [number, number][] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as Record<string, unknown>;
    const v = row[metric];
    if (typeof v === 'number' && typeof row.step === 'number') out.push([row.step, v]);
  }
  return out;
}

/** The panels' read-only debug hook (webview/src/ui/panel.ts declares it on their window). */
interface DebugHook {
  optlabDebug?: { panel: string; charts(): { id: string; chart: unknown }[] };
}

/** Distinct steps of a series: the dashboard may draw a row twice (a bucket's first and lowest point). */
const distinctSteps = (points: [number, number][]) => new Set(points.map(([x]) => x)).size;

const unfinished = (runs: StoredRun[]) => runs.filter((r) => r.status === 'queued' || r.status === 'running');

/** One drawn series of a dashboard chart: the run's label and its raw (unsmoothed) points. */
interface ChartSeries {
  label: string;
  points: [number, number][];
}
interface ChartData {
  id: string;
  series: ChartSeries[];
}

/**
 * What the panel's Chart.js charts hold, through its read-only debug hook (window.optlabDebug,
 * webview/src/ui/panel.ts): for the dashboard, each metric chart's raw datasets (Chart.js `order`
 * 1; the smoothed twins have order 0) with their finite points.
 */
async function dashboardCharts(frame: FrameLocator, prefix: string): Promise<ChartData[] | undefined> {
  return frame.locator('html').evaluate(
    (html, want) => {
      const dbg = (html.ownerDocument.defaultView as unknown as DebugHook).optlabDebug;
      if (!dbg) return undefined;
      return dbg
        .charts()
        .filter((c) => c.id.startsWith(want))
        .map((c) => {
          const chart = c.chart as { data: { datasets: { label?: string; order?: number; data: { x: number; y: number }[] }[] } };
          return {
            id: c.id,
            series: chart.data.datasets
              .filter((d) => d.order === 1)
              .map((d) => ({ label: String(d.label ?? '').replace(/ \(raw\)$/, ''), points: d.data.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).map((p): [number, number] => [p.x, p.y]) })),
          };
        });
    },
    prefix,
    { timeout: 5000 },
  );
}

/** The critical-batch panel's steps chart: per optimizer, its measured (batch size, steps) points. */
async function criticalBatchSeries(frame: FrameLocator): Promise<{ group: string; kind: string; points: [number, number][] }[] | undefined> {
  return frame.locator('html').evaluate(
    (html) => {
      const dbg = (html.ownerDocument.defaultView as unknown as DebugHook).optlabDebug;
      const steps = dbg?.charts().find((c) => c.id === 'steps');
      if (!steps) return undefined;
      const chart = steps.chart as { data: { datasets: { optlabGroup: string; optlabKind: string; data: { x: number; y: number }[] }[] } };
      return chart.data.datasets.map((d) => ({ group: d.optlabGroup, kind: d.optlabKind, points: d.data.map((p): [number, number] => [p.x, p.y]) }));
    },
    undefined,
    { timeout: 5000 },
  );
}

const totalPoints = (charts: ChartData[] | undefined, metric: string) => (charts?.find((c) => c.id === metric)?.series ?? []).reduce((n, s) => n + s.points.length, 0);

/** Every chart point must be a stored row (same step, same value): the data are the run's, not made up. */
function assertPointsAreRows(metric: string, points: [number, number][], rows: [number, number][]): void {
  const byStep = new Map(rows);
  const strangers = points.filter(([x, y]) => {
    const v = byStep.get(x);
    return v === undefined || Math.abs(v - y) > 1e-9 * Math.max(1, Math.abs(v));
  });
  if (strangers.length) throw new Error(`${metric}: ${strangers.length} chart points are not rows of the run (e.g. step ${strangers[0][0]} = ${strangers[0][1]}, stored ${byStep.get(strangers[0][0])})`);
}

/** Types `text` into an open quick pick and picks the row whose label contains it. */
async function pickInQuickPick(page: Page, text: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.waitFor({ state: 'visible', timeout: 10_000 });
  const input = widget.locator('.quick-input-box input');
  await input.fill(text);
  const row = widget.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
  try {
    await row.waitFor({ state: 'visible', timeout: 10_000 });
  } catch {
    const shown = await widget.locator('.quick-input-list .monaco-list-row').allInnerTexts().catch(() => [] as string[]);
    throw new Error(`the quick pick has no entry "${text}" (it shows: ${shown.map((t) => t.replace(/\s+/g, ' ').trim()).join(' | ') || 'nothing'})`);
  }
  await row.click();
}

/**
 * The visible webview titled `title`, looked up once without waiting (webviewFrame of support.ts
 * gives each frame 2 s to answer, which would make the polls of a seconds-long sweep sparse).
 */
async function visibleWebview(page: Page, title: RegExp): Promise<FrameLocator | undefined> {
  const iframes = page.locator('iframe.webview.ready').filter({ visible: true });
  const n = await iframes.count();
  for (let i = 0; i < n; i++) {
    const inner = iframes.nth(i).contentFrame().frameLocator('#active-frame');
    const docTitle = await inner.locator('html').evaluate((h) => h.ownerDocument.title, undefined, { timeout: 250 }).catch(() => '');
    if (title.test(docTitle)) return inner;
  }
  return undefined;
}

/** Saves a screenshot to test-results/ and copies it to docs/media/. */
async function screenshot(ctx: E2EContext, name: string): Promise<string> {
  const file = path.join(ctx.resultsDir, name);
  await ctx.page.screenshot({ path: file });
  const media = path.join(path.dirname(ctx.resultsDir), 'docs', 'media');
  fs.mkdirSync(media, { recursive: true });
  fs.copyFileSync(file, path.join(media, name));
  return path.join('docs', 'media', name);
}

/**
 * Closes every editor and panel ("View: Close All Editor Groups"). Not through runCommand: the
 * palette row of a command with a keybinding is labelled with it ("..., Control+K Control+Shift+W").
 */
async function closeAllEditors(page: Page): Promise<void> {
  const title = 'View: Close All Editor Groups';
  if (await page.locator('.quick-input-widget').isVisible().catch(() => false)) await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  const focused = page.locator('.quick-input-widget .monaco-list-row.focused');
  await waitFor(async () => ((await focused.first().getAttribute('aria-label').catch(() => null)) ?? '').startsWith(title), () => `"${title}" to be the palette's first entry`, 15_000);
  await page.keyboard.press('Enter');
  await waitFor(async () => (await page.locator('.tabs-container .tab').count()) === 0, () => 'every editor tab to close', 15_000);
  await assertNoUiErrors(page, `after "${title}"`);
}

export const steps = [
  step('the workbench loads', { timeoutMs: 60_000 }, async ({ page }) => {
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.activitybar').waitFor({ state: 'visible', timeout: 30_000 });
  }),

  step('a K-FAC experiment written into the workspace opens in the editor and the explorer lists it', { needs: ['the workbench loads'], timeoutMs: 90_000 }, async (ctx) => {
    const { page } = ctx;
    fs.writeFileSync(path.join(ctx.workspace, FILE), `${JSON.stringify(SPEC, null, 2)}\n`);
    // Panels another spec left open would be restored into this window: start from a clean editor area.
    await closeAllEditors(page);
    await openActivity(page, 'OptLab');
    await waitFor(async () => (await page.locator('.sidebar .monaco-list-row', { hasText: EXPERIMENT }).count()) > 0, () => `the explorer to list ${EXPERIMENT}`, 30_000);
    await quickOpen(page, FILE);
    await page.locator('.editor-instance .monaco-editor .view-lines', { hasText: EXPERIMENT }).first().waitFor({ state: 'visible', timeout: 15_000 });
  }),

  step('"OptLab: Run Experiment" runs the sweep while its dashboard receives K-FAC internals live', { needs: ['a K-FAC experiment written into the workspace opens in the editor and the explorer lists it'], timeoutMs: 300_000 }, async (ctx) => {
    const { page } = ctx;
    if (experimentRuns(ctx).length) throw new Error(`the store already has runs of ${EXPERIMENT}`);
    await runCommand(page, 'OptLab: Run Experiment');
    await waitFor(
      async () => {
        await assertNoUiErrors(page, 'while starting the experiment');
        return experimentRuns(ctx).length > 0;
      },
      () => `the runs of ${EXPERIMENT} to appear in ${storeDir(ctx)}`,
      60_000,
      250,
    );
    // The run opens a dashboard that follows the session. Watch it until the sweep has ended:
    // each observation pairs what the store says (runs still queued or running) with what the
    // dashboard's K-FAC charts hold at that moment.
    const title = new RegExp(`^Dashboard: ${escapeRegExp(EXPERIMENT)}$`);
    const observations: { unfinished: number; runningDrawn: number; damping: number; rho: number; series: number }[] = [];
    let frame: FrameLocator | undefined;
    const deadline = Date.now() + 240_000;
    let runs = experimentRuns(ctx);
    for (;;) {
      await assertNoUiErrors(page, 'while the experiment runs');
      runs = experimentRuns(ctx);
      const open = unfinished(runs);
      // Looked up each time: when the sweep ends, the critical-batch panel opens over it.
      frame = await visibleWebview(page, title);
      const charts = frame ? await dashboardCharts(frame, 'kfac/').catch(() => undefined) : undefined;
      if (frame && charts) {
        observations.push({
          unfinished: open.length,
          // K-FAC trials that the store says are running and whose statistics the chart already draws.
          runningDrawn: open
            .filter((r) => r.optimizer === 'kfac' && r.status === 'running')
            .filter((r) => charts.find((c) => c.id === 'kfac/damping')?.series.some((x) => x.label === r.label && x.points.length > 0)).length,
          damping: totalPoints(charts, 'kfac/damping'),
          rho: totalPoints(charts, 'kfac/rho'),
          series: charts.find((c) => c.id === 'kfac/damping')?.series.filter((s) => s.points.length > 0).length ?? 0,
        });
      }
      if (runs.length >= RUNS && open.length === 0) break;
      if (Date.now() > deadline) {
        const notes = await notifications(page);
        throw new Error(`the sweep did not finish: ${runs.length}/${RUNS} runs, ${open.length} queued or running${notes.length ? `; notifications: ${notes.join(' | ')}` : ''}`);
      }
      await sleep(200);
    }
    const bad = runs.filter((r) => r.status !== 'completed');
    if (bad.length) throw new Error(`${bad.length} runs did not complete: ${bad.slice(0, 5).map((r) => `${r.label}: ${r.status}`).join(', ')}`);
    ctx.state.runs = runs;

    // The session ends after its last run: the engine fits and records the result (with the NQM
    // prediction of a neural sweep), then the run command opens the critical-batch panel over the
    // dashboard. Wait for that end, so that nothing below (or the next step) races the panel.
    await waitFor(
      async () => (await page.locator('.tabs-container .tab', { hasText: `Critical Batch Size: ${EXPERIMENT}` }).count()) > 0,
      () => `the critical-batch panel that the end of the ${EXPERIMENT} session opens`,
      60_000,
      250,
    );

    // The dashboard of the session (behind the critical-batch panel that the end of the sweep
    // opened in its group): wait until it holds everything the store holds.
    if (!(await visibleWebview(page, title))) await page.locator('.tabs-container .tab', { hasText: `Dashboard: ${EXPERIMENT}` }).first().click();
    frame = await webviewFrame(page, title);
    const f = frame;
    const kfacTrials = runs.filter((r) => r.optimizer === 'kfac' && r.config?.kind === 'trial');
    const final = await waitFor(
      async () => {
        const charts = await dashboardCharts(f, 'kfac/');
        const damping = charts?.find((c) => c.id === 'kfac/damping');
        return damping && kfacTrials.every((t) => damping.series.some((s) => s.label === t.label && distinctSteps(s.points) === storedSeries(ctx, t.id, 'kfac/damping').length)) ? charts : undefined;
      },
      () => `the session dashboard's kfac/damping chart to hold every row of the ${kfacTrials.length} K-FAC trials`,
      30_000,
      500,
    );
    const trace = observations
      .map((o) => `${o.unfinished} open/${o.damping} pts`)
      .filter((t, i, all) => i === 0 || t !== all[i - 1])
      .join(', ');
    ctx.log(`${runs.length} runs completed; ${observations.length} observations of the live dashboard (runs still open / kfac/damping points): ${trace}`);
    // Streamed, not loaded at the end: the dashboard held K-FAC statistics while runs of the sweep
    // were still queued or running, and it held more of them later.
    const live = observations.filter((o) => o.unfinished > 0 && o.damping > 0);
    if (!live.length) throw new Error(`the dashboard never showed K-FAC statistics while the sweep was running (observations: ${trace || 'none: the dashboard never opened'})`);
    const finalDamping = totalPoints(final, 'kfac/damping');
    if (!(finalDamping > live[0].damping)) throw new Error(`kfac/damping did not grow after its first live observation (${live[0].damping} points then, ${finalDamping} at the end)`);
    // Not asserted (it depends on how often a poll lands inside a trial of well under a second),
    // but reported: a K-FAC trial still running in the store while the chart drew its statistics.
    const sawRunning = observations.find((o) => o.runningDrawn > 0);
    ctx.log(`first live observation: ${live[0].damping} kfac/damping and ${live[0].rho} kfac/rho points from ${live[0].series} run(s) with ${live[0].unfinished} runs still open${sawRunning ? `; seen while running: a K-FAC trial's statistics on the chart while the store had it running (${sawRunning.damping} points, ${sawRunning.unfinished} runs open)` : ''}; at the end ${finalDamping} points`);
  }),

  step('the dashboard of a K-FAC run draws kfac/damping and kfac/rho in "Optimizer internals" from the run\'s own rows', { needs: ['"OptLab: Run Experiment" runs the sweep while its dashboard receives K-FAC internals live'], timeoutMs: 120_000 }, async (ctx) => {
    const { page } = ctx;
    const runs = ctx.state.runs as StoredRun[];
    // The best K-FAC trial at B = 32 (the cell's bestTrial): a real run with its own metrics file.
    const cell = runs.find((r) => r.optimizer === 'kfac' && r.config?.kind === 'best-of-grid' && r.batchSize === 32);
    const trialId = cell?.summary?.bestTrial;
    const trial = runs.find((r) => r.id === trialId);
    if (!trial) throw new Error(`no best K-FAC trial at B=32 in the store (cell ${cell?.id ?? 'missing'}, bestTrial ${trialId})`);
    const rows = Object.fromEntries(KFAC_METRICS.map((m) => [m, storedSeries(ctx, trial.id, m)]));
    for (const m of KFAC_METRICS) if (rows[m].length < 3) throw new Error(`${trial.label} stored only ${rows[m].length} ${m} rows`);

    await closeAllEditors(page);
    await runCommand(page, 'OptLab: Open Dashboard');
    await pickInQuickPick(page, trial.label);
    const frame = await webviewFrame(page, new RegExp(`^Dashboard: ${escapeRegExp(trial.label)}$`));

    // The section and its K-FAC group, with a chart card per required stat.
    const section = frame.locator('details.internals');
    await section.waitFor({ state: 'visible', timeout: 30_000 });
    if (!(await section.evaluate((d) => (d as HTMLDetailsElement).open))) throw new Error('the "Optimizer internals" section is closed');
    const summary = (await section.locator('summary').innerText()).trim();
    if (!/^Optimizer internals\b.*\bkfac\b/.test(summary)) throw new Error(`the internals section's summary reads "${summary}"`);
    const group = section.locator('section.internals-group[data-prefix="kfac"]');
    await group.waitFor({ state: 'visible', timeout: 30_000 });
    for (const m of KFAC_METRICS) await group.locator(`.chart-card[data-metric="${m}"] canvas`).waitFor({ state: 'visible', timeout: 30_000 });
    // A per-layer stat is one chart with a layer selector listing the network's layers.
    const stored = fs.readFileSync(path.join(storeDir(ctx), 'runs', trial.id, 'metrics.jsonl'), 'utf8');
    const layers = [...new Set([...stored.matchAll(/"kfac\/A_trace\/([^"]+)"/g)].map((x) => x[1]))].sort();
    const options = (await group.locator('.chart-slot[data-slot="kfac/A_trace"] select.layer-select option').allInnerTexts()).map((t) => t.trim()).sort();
    if (layers.length < 2 || options.join() !== layers.join()) throw new Error(`the kfac/A_trace layer selector lists [${options.join(', ')}], the run stored layers [${layers.join(', ')}]`);

    // The charts hold exactly the run's rows, and have drawn them.
    const charts = await waitFor(
      async () => {
        const c = await dashboardCharts(frame, 'kfac/');
        return KFAC_METRICS.every((m) => distinctSteps(c?.find((x) => x.id === m)?.series[0]?.points ?? []) === rows[m].length) ? c : undefined;
      },
      () => `the kfac/damping and kfac/rho charts to hold the run's ${rows['kfac/damping'].length} and ${rows['kfac/rho'].length} rows`,
      30_000,
      500,
    );
    for (const m of KFAC_METRICS) {
      const series = charts.find((c) => c.id === m)!.series;
      if (series.length !== 1 || series[0].label !== trial.label) throw new Error(`${m} draws ${series.map((s) => s.label).join(', ')}, not just ${trial.label}`);
      assertPointsAreRows(m, series[0].points, rows[m]);
    }
    const rhoValues = rows['kfac/rho'].map(([, v]) => v);
    const dampingValues = new Set(rows['kfac/damping'].map(([, v]) => v));
    if (dampingValues.size < 2) throw new Error(`kfac/damping never changed in ${trial.label} (${[...dampingValues].join(', ')}): the Levenberg-Marquardt rule did not run`);

    const labels = await frame.locator('canvas').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    const stats = await canvasStats(frame);
    for (const m of KFAC_METRICS) {
      const s = stats.find((x) => labels[x.index]?.startsWith(`${m} against`));
      if (!s || s.saturated < 40) throw new Error(`the ${m} canvas has not drawn a series (${s ? describeCanvases([s]) : 'no visible canvas'})`);
    }
    ctx.log(`${trial.label}: kfac/damping ${rows['kfac/damping'].length} points (${[...dampingValues].map((v) => Number(v.toPrecision(3))).join(' -> ')}), kfac/rho ${rows['kfac/rho'].length} points (${rhoValues.map((v) => v.toFixed(2)).join(', ')}), layers ${layers.join(', ')}; internals: "${summary}"`);

    // Screenshot: the internals section (its summary line first) just below the panel's sticky toolbar.
    await tidyForScreenshot(page);
    await group.evaluate((g) => {
      const details = g.closest('details');
      if (!details) return;
      details.scrollIntoView({ block: 'start' });
      const toolbar = g.ownerDocument.querySelector('.toolbar');
      const covered = toolbar ? toolbar.getBoundingClientRect().bottom : 0;
      const top = details.getBoundingClientRect().top;
      if (top < covered + 8) g.ownerDocument.defaultView?.scrollBy(0, top - covered - 8);
    });
    await sleep(400);
    ctx.log(`screenshot ${await screenshot(ctx, 'kfac-dashboard.png')}`);
  }),

  step('the critical-batch-size panel shows K-FAC beside SGD and Adam', { needs: ['"OptLab: Run Experiment" runs the sweep while its dashboard receives K-FAC internals live'], timeoutMs: 120_000 }, async (ctx) => {
    const { page } = ctx;
    const runs = ctx.state.runs as StoredRun[];
    await closeAllEditors(page);
    await quickOpen(page, FILE);
    await runCommand(page, 'OptLab: Show Critical Batch Size');
    const frame = await webviewFrame(page, new RegExp(`^Critical Batch Size: ${escapeRegExp(EXPERIMENT)}$`));
    // Per optimizer, the measured points are the store's steps to target of its best-of-grid runs.
    const expected = new Map<string, [number, number][]>();
    for (const r of runs.filter((x) => x.config?.kind === 'best-of-grid')) {
      const steps = r.summary?.stepsToTarget;
      if (typeof steps === 'number' && r.batchSize !== undefined) expected.set(r.label, [...(expected.get(r.label) ?? []), [r.batchSize, steps]]);
    }
    for (const label of ['SGD', 'Adam', 'K-FAC']) if ((expected.get(label)?.length ?? 0) < 2) throw new Error(`${label} reached the target at fewer than 2 batch sizes: ${JSON.stringify(expected.get(label) ?? [])}`);
    const series = await waitFor(
      async () => {
        const s = await criticalBatchSeries(frame);
        return s && ['SGD', 'Adam', 'K-FAC'].every((g) => s.some((d) => d.group === g && d.kind === 'points' && d.points.length > 0)) ? s : undefined;
      },
      () => 'measured points of SGD, Adam and K-FAC in the steps-to-target chart',
      30_000,
      500,
    );
    for (const [label, want] of expected) {
      const got = series.find((d) => d.group === label && d.kind === 'points')!.points;
      const key = (ps: [number, number][]) => ps.map(([b, s]) => `${b}:${s}`).sort().join(' ');
      if (key(got) !== key(want)) throw new Error(`${label}: the chart plots (B:steps) ${key(got)}, the store has ${key(want)}`);
    }
    const kfacFit = series.some((d) => d.group === 'K-FAC' && d.kind === 'fit' && d.points.length > 0);
    // The summary table has a row per optimizer.
    const tableRows = (await frame.locator('.cb-summary table tbody th[scope="row"]').allInnerTexts()).map((t) => t.trim());
    for (const label of ['SGD', 'Adam', 'K-FAC']) if (!tableRows.includes(label)) throw new Error(`the summary table lists [${tableRows.join(', ')}], not ${label}`);
    // And the chart has really drawn three optimizers' colours.
    const stats = await waitForDrawnCharts(frame, { minSaturated: 150 });
    const most = Math.max(...stats.map((s) => s.colours));
    if (most < 3) throw new Error(`no chart shows 3+ series colours (SGD, Adam, K-FAC): ${describeCanvases(stats)}`);
    ctx.log(`K-FAC (B:steps) ${expected.get('K-FAC')!.map(([b, s]) => `${b}:${s}`).join(' ')}${kfacFit ? ' with its fitted S(B)' : ''}; table rows ${tableRows.join(', ')}; canvases ${describeCanvases(stats)}`);
    // The NQM prediction overlay (on by default for neural sweeps) plots the NQM's own step counts,
    // orders of magnitude above these measured ones: hidden for the screenshot, so that the three
    // measured curves are not squeezed into the bottom of the chart.
    const prediction = frame.locator('input[aria-label="show the NQM prediction"]');
    if ((await prediction.isVisible().catch(() => false)) && (await prediction.isChecked())) {
      await prediction.uncheck();
      await sleep(500);
    }
    await tidyForScreenshot(page, frame);
    ctx.log(`screenshot ${await screenshot(ctx, 'kfac-critical-batch.png')}`);
  }),

  step('closing the K-FAC panels leaves the workbench clean for the next spec', { needs: ['the workbench loads'], timeoutMs: 30_000 }, async ({ page }) => {
    await closeAllEditors(page);
  }),
];
