// Runs every test suite with node's test runner and built-in coverage.
//
// node prints its coverage table after the run summary; CI reads the summary as the last lines of the
// output, so this wrapper moves a one-line coverage figure above the summary and writes the whole table
// to coverage/report.txt. Extra arguments replace the default file globs (e.g. one folder).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const DEFAULT_GLOBS = [
  'src/**/*.test.ts',
  'test/**/*.test.ts',
  'bench/**/*.test.ts',
  'scripts/**/*.test.ts',
  'examples/**/*.test.ts',
];
const globs = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_GLOBS;

const child = spawn(
  process.execPath,
  [
    '--test',
    '--test-concurrency=3',
    '--experimental-test-coverage',
    '--test-coverage-exclude=**/*.test.ts',
    '--test-coverage-exclude=test/**',
    '--test-coverage-exclude=node_modules/**',
    ...globs,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);

const summary: string[] = [];
const coverage: string[] = [];
let section: 'tests' | 'summary' | 'coverage' = 'tests';

for await (const line of createInterface({ input: child.stdout })) {
  if (section !== 'coverage' && /^ℹ start of coverage report/.test(line)) section = 'coverage';
  else if (section === 'tests' && /^ℹ tests \d+/.test(line)) section = 'summary';
  if (section === 'coverage') {
    coverage.push(line);
    if (/^ℹ end of coverage report/.test(line)) section = 'summary';
  } else if (section === 'summary') summary.push(line);
  else process.stdout.write(`${line}\n`);
}
const exitCode: number = await new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));

if (coverage.length > 0) {
  mkdirSync('coverage', { recursive: true });
  writeFileSync('coverage/report.txt', `${coverage.join('\n')}\n`);
  const all = coverage.find((l) => /all files/.test(l));
  const [line, branch, funcs] = all
    ? all
        .split('|')
        .slice(1, 4)
        .map((s) => s.trim())
    : ['?', '?', '?'];
  process.stdout.write(
    `ℹ coverage: lines ${line}%, branches ${branch}%, functions ${funcs}% (table in coverage/report.txt)\n`,
  );
}
process.stdout.write(`${summary.join('\n')}\n`);
process.exitCode = exitCode;
