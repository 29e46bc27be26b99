// Preloaded into a test server (`NODE_OPTIONS=--import=…`): appends one line per locale-aware call (Intl constructors,
// localeCompare, toLocale*String) to the file named by AION_INTL_TRACE, with the caller's frame — so a test can see
// that nothing maps ICU's locale, zone or collation data at start (issue #16) and that first use still works.
import { appendFileSync } from 'node:fs';

const file = process.env.AION_INTL_TRACE;
const caller = () => (new Error().stack ?? '').split('\n').slice(3).find((l) => !l.includes('intl-tracer')) ?? '';
const note = (what) => appendFileSync(file, `${what}\t${caller().trim()}\n`);

if (file) {
  for (const name of ['DateTimeFormat', 'Collator', 'NumberFormat', 'PluralRules', 'RelativeTimeFormat', 'ListFormat', 'Segmenter', 'DisplayNames']) {
    const original = Intl[name];
    if (!original) continue;
    Intl[name] = new Proxy(original, {
      apply: (target, self, args) => (note(`Intl.${name}`), Reflect.apply(target, self, args)),
      construct: (target, args, newTarget) => (note(`Intl.${name}`), Reflect.construct(target, args, newTarget === Intl[name] ? target : newTarget)),
    });
  }
  for (const [proto, method] of [[String.prototype, 'localeCompare'], [Date.prototype, 'toLocaleString'], [Date.prototype, 'toLocaleDateString'], [Date.prototype, 'toLocaleTimeString'], [Number.prototype, 'toLocaleString']]) {
    const original = proto[method];
    Object.defineProperty(proto, method, {
      configurable: true,
      writable: true,
      value(...args) {
        note(method);
        return original.apply(this, args);
      },
    });
  }
}
