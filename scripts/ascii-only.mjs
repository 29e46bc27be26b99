/**
 * Every character above U+007F as a `\uXXXX` escape (astral characters as their two UTF-16 halves), for the files
 * `npm run build` writes. esbuild escapes non-ASCII characters in strings but keeps them in comments and regular
 * expressions, and one such character makes V8 hold the whole source of the file as a two-byte string for as long as
 * the process runs (1.8 MB more idle RSS for the server bundle, issue #16). `\uXXXX` means the same character in a
 * regular expression or identifier and is inert in a comment. The one place an escape would change a value is the raw
 * text of a tagged template (`String.raw`), which esbuild leaves as written: a code line (not a comment) with such a
 * character and a backtick stops the build instead of guessing.
 */
export function asciiOnly(text, what = 'the bundle') {
  text.split('\n').forEach((line, i) => {
    const code = line.trimStart();
    if (/[^\x00-\x7f]/.test(line) && line.includes('`') && !/^(\/\/|\/\*|\*)/.test(code)) {
      throw new Error(`build: a non-ASCII character next to a template literal on line ${i + 1} of ${what}; write it as an escape in the source`);
    }
  });
  return text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
