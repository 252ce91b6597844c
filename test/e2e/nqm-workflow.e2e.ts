// The README's workflow through the UI: open the OptLab explorer, open the NQM example, run it from
// the command palette, see its runs in the tree, then the dashboard and the critical-batch-size
// panel, each with charts that have really drawn data. Screenshots go to test-results/.
import * as path from 'node:path';
import {
  answerQuickPick, assertNoUiErrors, describeCanvases, notifications, openActivity, quickOpen, runCommand, step, storeRuns, tidyForScreenshot, waitFor, waitForDrawnCharts, webviewFrame,
  type E2EContext,
} from './support';

const EXAMPLE = 'nqm-critical-batch.optlab.json';
const EXPERIMENT = 'nqm-critical-batch';
/** 6 optimizers x batch sizes 2^2, 2^4, ..., 2^20. */
const RUNS = 60;

function store(ctx: E2EContext): string {
  return path.join(ctx.workspace, '.optlab');
}

export const steps = [
  step('the workbench loads', { timeoutMs: 60_000 }, async ({ page }) => {
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.activitybar').waitFor({ state: 'visible', timeout: 30_000 });
  }),

  step('the OptLab activity-bar item opens the experiment explorer listing the NQM example', { needs: ['the workbench loads'], timeoutMs: 60_000 }, async ({ page }) => {
    await openActivity(page, 'OptLab');
    const sidebar = page.locator('.sidebar');
    // The view's header is hidden while it is the container's only view; it exists all the same.
    await sidebar.locator('.pane-header[aria-label^="Experiments"]').first().waitFor({ state: 'attached', timeout: 15_000 });
    await waitFor(
      async () => (await sidebar.locator('.monaco-list-row', { hasText: EXPERIMENT }).count()) > 0,
      () => `the explorer to list ${EXPERIMENT}`,
      30_000,
    );
  }),

  step('Quick Open opens the NQM example in the editor', { needs: ['the workbench loads'], timeoutMs: 60_000 }, async ({ page }) => {
    await quickOpen(page, EXAMPLE);
    await page.locator('.editor-instance .monaco-editor .view-lines', { hasText: EXPERIMENT }).first().waitFor({ state: 'visible', timeout: 15_000 });
  }),

  step('"OptLab: Run Experiment" from the palette runs the example to completion', { needs: ['Quick Open opens the NQM example in the editor'], timeoutMs: 300_000 }, async (ctx) => {
    const { page } = ctx;
    const before = new Set(storeRuns(store(ctx)).map((r) => r.id));
    const started = Date.now();
    const fresh = () => storeRuns(store(ctx)).filter((r) => !before.has(r.id) && r.experiment?.name === EXPERIMENT);
    await runCommand(page, 'OptLab: Run Experiment');
    const asked = await answerQuickPick(page, new RegExp(EXPERIMENT), { done: async () => fresh().length > 0 });
    if (asked) ctx.log(`answered: ${asked}`);
    // The engine creates every run (queued) before it starts any: they appear within seconds.
    await waitFor(
      async () => {
        await assertNoUiErrors(page, 'while starting the experiment');
        return fresh().length > 0;
      },
      () => `the first run of ${EXPERIMENT} to appear in ${store(ctx)}`,
      30_000,
      500,
    );
    const runs = await waitFor(
      async () => {
        await assertNoUiErrors(page, 'while the experiment runs');
        const rs = fresh();
        return rs.length >= RUNS && rs.every((r) => !['queued', 'running'].includes(r.status)) ? rs : undefined;
      },
      () => {
        const rs = fresh();
        const counts: Record<string, number> = {};
        for (const r of rs) counts[r.status] = (counts[r.status] ?? 0) + 1;
        return `${RUNS} finished runs of ${EXPERIMENT} in ${store(ctx)} (have ${JSON.stringify(counts)})`;
      },
      240_000,
      500,
    ).catch(async (err) => {
      const notes = await notifications(page);
      throw new Error(`${err.message}${notes.length ? `; notifications: ${notes.join(' | ')}` : ''}`);
    });
    const notCompleted = runs.filter((r) => r.status !== 'completed');
    if (notCompleted.length) throw new Error(`${notCompleted.length} runs did not complete: ${notCompleted.slice(0, 5).map((r) => `${r.label} B=${r.batchSize}: ${r.status}`).join(', ')}`);
    ctx.log(`${runs.length} runs completed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    ctx.state.runs = runs;
  }),

  step('the explorer shows the completed runs', { needs: ['"OptLab: Run Experiment" from the palette runs the example to completion'], timeoutMs: 60_000 }, async (ctx) => {
    const { page } = ctx;
    await openActivity(page, 'OptLab');
    const tree = page.locator('.sidebar .pane', { has: page.locator('.pane-header', { hasText: /Experiments/i }) }).first();
    const experiment = tree.locator('.monaco-list-row', { hasText: EXPERIMENT }).first();
    await experiment.waitFor({ state: 'visible', timeout: 15_000 });
    // Expand with the twistie: a click on the label may run the item's command instead.
    if ((await experiment.getAttribute('aria-expanded')) === 'false') await experiment.locator('.monaco-tl-twistie').click();
    // Run rows sit below the experiment (level 2, or deeper when grouped by optimizer).
    const runRows = tree.locator('.monaco-list-row[aria-level]:not([aria-level="1"])');
    const rows = await waitFor(
      async () => {
        // The experiment row may only become expandable once its runs are listed: expand it then.
        if ((await experiment.getAttribute('aria-expanded')) === 'false') await experiment.locator('.monaco-tl-twistie').click();
        // Expand optimizer groups, if the tree has them.
        const collapsed = tree.locator('.monaco-list-row[aria-level="2"][aria-expanded="false"]');
        if ((await collapsed.count()) > 0) await collapsed.first().locator('.monaco-tl-twistie').click();
        const out: { text: string; aria: string; completed: boolean; busy: boolean }[] = [];
        for (let i = 0; i < (await runRows.count()); i++) {
          const row = runRows.nth(i);
          const text = (await row.innerText()).replace(/\s+/g, ' ').trim();
          if (!/SGD|Momentum|EMA/.test(text)) continue;
          const aria = (await row.getAttribute('aria-label')) ?? '';
          const icons = await row.locator('.codicon').evaluateAll((els) => els.map((e) => e.className).join(' '));
          out.push({
            text,
            aria,
            completed: /\bcompleted\b/i.test(aria) || /codicon-(pass|check)/.test(icons),
            busy: /\b(running|queued)\b/i.test(aria) || /codicon-(loading|sync)|codicon-modifier-spin/.test(icons),
          });
        }
        return out.length >= 3 ? out : undefined;
      },
      () => 'run rows (SGD / Momentum / EMA) under the experiment in the explorer',
      30_000,
    );
    const busy = rows.filter((r) => r.busy);
    if (busy.length) throw new Error(`runs still shown as running after the experiment finished: ${busy.map((r) => r.aria || r.text).join(' | ')}`);
    const notCompleted = rows.filter((r) => !r.completed);
    if (notCompleted.length) throw new Error(`runs not shown as completed (no 'completed' in their accessible label, no pass icon): ${notCompleted.map((r) => r.aria || r.text).join(' | ')}`);
    ctx.log(`explorer: ${rows.length} run rows shown as completed, e.g. ${rows[0].aria || rows[0].text}`);
    await tidyForScreenshot(page);
    await page.screenshot({ path: path.join(ctx.resultsDir, 'explorer.png') });
  }),

  step('"OptLab: Open Dashboard" shows charts that have drawn the runs', { needs: ['"OptLab: Run Experiment" from the palette runs the example to completion'], timeoutMs: 120_000 }, async (ctx) => {
    const { page } = ctx;
    await runCommand(page, 'OptLab: Open Dashboard');
    const asked = await answerQuickPick(page, new RegExp(EXPERIMENT));
    if (asked) ctx.log(`answered: ${asked}`);
    const frame = await webviewFrame(page, /^Dashboard\b/i);
    const stats = await waitForDrawnCharts(frame, { minSaturated: 150 });
    ctx.log(`dashboard canvases: ${describeCanvases(stats)}`);
    await tidyForScreenshot(page, frame);
    await page.screenshot({ path: path.join(ctx.resultsDir, 'dashboard.png') });
  }),

  step('"OptLab: Show Critical Batch Size" draws one series per optimizer', { needs: ['"OptLab: Run Experiment" from the palette runs the example to completion'], timeoutMs: 120_000 }, async (ctx) => {
    const { page } = ctx;
    await runCommand(page, 'OptLab: Show Critical Batch Size');
    const asked = await answerQuickPick(page, new RegExp(EXPERIMENT));
    if (asked) ctx.log(`answered: ${asked}`);
    const frame = await webviewFrame(page, /^Critical Batch Size\b/i);
    const stats = await waitForDrawnCharts(frame, { minSaturated: 150 });
    // Steps vs batch size has six optimizers: their series must show in several colours.
    const most = Math.max(...stats.map((s) => s.colours));
    if (most < 3) throw new Error(`no chart shows 3+ series colours (six optimizers): ${describeCanvases(stats)}`);
    ctx.log(`critical-batch canvases: ${describeCanvases(stats)}`);
    await tidyForScreenshot(page, frame);
    await page.screenshot({ path: path.join(ctx.resultsDir, 'critical-batch.png') });
  }),
];
