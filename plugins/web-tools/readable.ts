/** A fetched page as readable Markdown: Readability picks the article out of a linkedom DOM, turndown writes Markdown. */
import type { Readability as ReadabilityParser } from '@mozilla/readability';
import { loadHtmlParsers } from './parsers.ts';

export interface Readable {
  title: string;
  markdown: string;
}

export async function htmlToMarkdown(html: string, url: string): Promise<Readable> {
  const { parseHTML, Readability, turndown } = await loadHtmlParsers();
  const { document } = parseHTML(html);
  try {
    // Relative links resolve against the page (linkedom has no base URL of its own).
    for (const a of document.querySelectorAll('a[href]')) a.setAttribute('href', new URL(a.getAttribute('href')!, url).toString());
  } catch { /* a malformed href keeps its text */ }
  const title = document.querySelector('title')?.textContent?.trim() ?? '';
  let article: ReturnType<ReadabilityParser['parse']> = null;
  try {
    article = new Readability(document as unknown as Document, { charThreshold: 100 }).parse();
  } catch {
    article = null;
  }
  const content = article?.content ?? document.querySelector('body')?.innerHTML ?? html;
  const markdown = turndown.turndown(content).replace(/\n{3,}/g, '\n\n').trim();
  return { title: article?.title?.trim() || title, markdown };
}

/** Cut to `max` characters with a marker, as tool results elsewhere are. */
export function cut(text: string, max: number): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  return { text: `${text.slice(0, max)}\n\n[truncated: ${text.length - max} more characters]`, truncated: true };
}
