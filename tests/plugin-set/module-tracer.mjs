// Preloaded into a test server (`NODE_OPTIONS=--import=…`): on each SIGUSR2, writes what the process has loaded so far
// to `${AION_MODULE_TRACE}.<n>` (n = 1, 2, …): Node's built-ins (`process.moduleLoadList`) and every file resolved under
// node_modules — so a test can see that something is not loaded at start and is loaded by its first use.
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env.AION_MODULE_TRACE;
if (file) {
  const files = new Set();
  registerHooks({
    resolve(specifier, context, next) {
      const result = next(specifier, context);
      const at = result.url.indexOf('/node_modules/');
      if (at >= 0) files.add(result.url.slice(at + '/node_modules/'.length));
      return result;
    },
  });
  let n = 0;
  process.on('SIGUSR2', () => {
    const out = `${file}.${++n}`;
    // Written whole, then renamed: the test polls for the file and must never read half of it.
    writeFileSync(`${out}.tmp`, '');
    appendFileSync(`${out}.tmp`, [...process.moduleLoadList, ...[...files].map((f) => `npm ${f}`)].join('\n'));
    renameSync(`${out}.tmp`, out);
  });
}
