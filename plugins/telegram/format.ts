/**
 * Text helpers for the Bot API: MarkdownV2 escaping and splitting long answers at Telegram's 4,096-character limit.
 */

/** Telegram's maximum text length of one message (UTF-16 code units, like JS string length). */
export const TELEGRAM_TEXT_LIMIT = 4096;

// Every character MarkdownV2 treats as markup, plus the backslash itself (Bot API docs, "MarkdownV2 style").
const SPECIAL = /[_*[\]()~`>#+\-=|{}.!\\]/g;

/**
 * Escape plain text for `parse_mode: 'MarkdownV2'`, so it shows literally.
 *
 * @example
 * escapeMarkdownV2('1.5 * 2 = 3!') // '1\\.5 \\* 2 \\= 3\\!'
 */
export function escapeMarkdownV2(text: string): string {
  return text.replace(SPECIAL, (c) => `\\${c}`);
}

/**
 * Escape text that goes inside a MarkdownV2 code span or block: there only `` ` `` and `\` are special.
 *
 * @example
 * `\`${escapeMarkdownV2Code('a`b')}\`` // '`a\\`b`'
 */
export function escapeMarkdownV2Code(text: string): string {
  return text.replace(/[`\\]/g, (c) => `\\${c}`);
}

/**
 * Split text into pieces of at most `limit` characters. A piece ends after the last newline (or else space) of its
 * window when that keeps at least half the window, so words and lines stay whole; a surrogate pair is never cut.
 * Joining the pieces gives the text back. The cut point of a piece depends only on its own window, so a growing text
 * (a streamed answer) keeps the pieces it already has.
 *
 * @example
 * splitMessage('a'.repeat(5000)).map((p) => p.length) // [4096, 904]
 */
export function splitMessage(text: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    let cut = window.lastIndexOf('\n') + 1;
    if (cut < limit / 2) cut = window.lastIndexOf(' ') + 1;
    if (cut < limit / 2) cut = limit;
    // Do not separate a high surrogate from its low half.
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length || !pieces.length) pieces.push(rest);
  return pieces;
}
