// Preloaded into a test server (`NODE_OPTIONS=--import=…`): appends the name of every npm package the process
// resolves, once, to the file named by AION_LOAD_TRACE — so a test can see which dependencies loaded when.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env.AION_LOAD_TRACE;
const seen = new Set();
if (file) {
  registerHooks({
    resolve(specifier, context, next) {
      const result = next(specifier, context);
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(result.url);
      if (m && !seen.has(m[1])) {
        seen.add(m[1]);
        appendFileSync(file, `${m[1]}\n`);
      }
      return result;
    },
  });
}
