/**
 * The HTML parsers, loaded on the first page or DuckDuckGo result list they read — not when the plugin loads: linkedom
 * (with its CSS and HTML parsers), Readability and turndown cost ~17 MB of memory and ~100 ms at start, for tools many
 * installations never call (issue #16). Each is imported once and cached; Node keeps one instance across plugin
 * reloads. A package that cannot be loaded is a coded 503, not a crash, and the next call tries again.
 */
import type { Readability as ReadabilityClass } from '@mozilla/readability';
import type { parseHTML as ParseHtml } from 'linkedom';
import type TurndownService from 'turndown';
import { AppError, loadOnFirstUse } from '../../core/plugin-api/index.ts';

export interface HtmlParsers {
  parseHTML: typeof ParseHtml;
  Readability: typeof ReadabilityClass;
  turndown: TurndownService;
}

/** A package that cannot be loaded is a coded 503 (one already coded, from `loadDomParser`, passes through). */
function unavailable(reason: string, error: unknown): Error {
  return error instanceof AppError ? error : new AppError(503, 'WEB_PARSER_UNAVAILABLE', `The HTML parser could not be loaded: ${reason}`);
}

/** linkedom's `parseHTML` alone (search result pages need no Readability or Markdown). */
export const loadDomParser = loadOnFirstUse(async () => (await import('linkedom')).parseHTML, unavailable);

/** linkedom, Readability and a configured turndown: what reading a page as Markdown needs. */
export const loadHtmlParsers = loadOnFirstUse(async (): Promise<HtmlParsers> => {
  const [parseHTML, { Readability }, { default: Turndown }] = await Promise.all([loadDomParser(), import('@mozilla/readability'), import('turndown')]);
  const turndown = new Turndown({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-' });
  turndown.remove(['script', 'style', 'noscript', 'iframe', 'form'] as any);
  return { parseHTML, Readability, turndown };
}, unavailable);
