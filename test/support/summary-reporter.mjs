// node:test reporter that closes the run with one machine-readable line: "N passed, N failed, N skipped".
export default async function* summaryReporter(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.details?.type === 'suite') {
      // A suite fails on its own only when a hook throws; count that so it is not hidden.
      if (event.type === 'test:fail' && event.data.details?.error?.failureType === 'hookFailed') failed += 1;
      continue;
    }
    if (event.data.skip || event.data.todo) skipped += 1;
    else if (event.type === 'test:pass') passed += 1;
    else failed += 1;
  }
  yield `\n${passed} passed, ${failed} failed, ${skipped} skipped\n`;
}
