/**
 * The page the OAuth callback answers: it tells the window that opened the consent popup how it ended
 * (`postMessage` to the same origin only) and closes itself. The result travels as inert JSON; the one script is
 * constant, so its own CSP allows exactly that script by hash — no inline code beyond it can run.
 */
import { createHash } from 'node:crypto';

const SCRIPT =
  "(function(){var r=JSON.parse(document.getElementById('result').textContent);" +
  "if(window.opener){window.opener.postMessage(r,window.location.origin);setTimeout(function(){window.close();},400);}})();";
const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64');

/** The Content-Security-Policy of the page. */
export const CALLBACK_CSP = `default-src 'none'; script-src 'sha256-${SCRIPT_HASH}'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/** What the opener receives. */
export type CallbackResult = { source: 'aion-google-oauth'; ok: true; email?: string } | { source: 'aion-google-oauth'; ok: false; error: string };

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The HTML of the page. */
export function callbackPage(result: CallbackResult): string {
  // `<` escaped so the JSON can never close its script element.
  const json = JSON.stringify(result).replace(/</g, '\\u003c');
  const text = result.ok ? 'Google account connected. You can close this window.' : `Google sign-in failed: ${result.error}`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>AION – Google</title></head>
<body style="font-family:sans-serif;margin:2rem">
<p>${escapeHtml(text)}</p>
<script type="application/json" id="result">${json}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
