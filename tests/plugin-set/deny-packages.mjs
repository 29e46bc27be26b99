// Preloaded into a test server (`NODE_OPTIONS=--import=…`): npm packages named in AION_DENY_PACKAGES (comma list)
// cannot be resolved, as if they were not installed — so a test can see what a lazily loaded dependency's absence does.
import { registerHooks } from 'node:module';

const denied = (process.env.AION_DENY_PACKAGES ?? '').split(',').filter(Boolean);
if (denied.length) {
  registerHooks({
    resolve(specifier, context, next) {
      const result = next(specifier, context);
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(result.url);
      if (m && denied.includes(m[1])) {
        throw Object.assign(new Error(`Cannot find package '${m[1]}' (denied by the test)`), { code: 'ERR_MODULE_NOT_FOUND' });
      }
      return result;
    },
  });
}
