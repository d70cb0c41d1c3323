// Runs every compiled test file with Node's test runner and ends with one line CI reads:
// "tests: N passed, N failed". Unit specs live beside the code (*.spec.ts), end-to-end tests
// under test/ (*.e2e-spec.ts); both are compiled to dist/ first by `npm run build:test`.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

function find(dir, pattern, found = []) {
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) find(full, pattern, found);
    else if (pattern.test(entry)) found.push(full);
  }
  return found;
}

const filter = process.argv[2];
// The bench's pure helpers (RSS parsing, the route-table generator) have unit specs beside them too.
const files = [...find('dist/src', /\.spec\.js$/), ...find('dist/bench', /\.spec\.js$/), ...find('dist/test', /\.e2e-spec\.js$/)]
  .filter((file) => !filter || file.includes(filter))
  .sort();
if (files.length === 0) {
  console.error('no test files found under dist/ (did `npm run build:test` run?)');
  process.exit(1);
}

let passed = 0;
let failed = 0;
const stream = run({ files, concurrency: Number(process.env.TEST_CONCURRENCY ?? 2), timeout: 300_000 });
stream.on('test:pass', (event) => {
  if (event.details.type !== 'suite') passed++;
});
stream.on('test:fail', (event) => {
  if (event.details.type !== 'suite') failed++;
});
stream.compose(spec).pipe(process.stdout);
stream.on('end', () => {
  // After the reporter's own output, so this stays the last line.
  setImmediate(() => {
    process.stdout.write(`tests: ${passed} passed, ${failed} failed\n`);
    process.exitCode = failed > 0 ? 1 : 0;
  });
});
