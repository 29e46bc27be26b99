/** Markdown sections (`## Name`) of a character text: replace one by name (case-insensitive) or append it. */

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function upsertSection(doc: string, section: string, content: string): string {
  const headers = [...doc.matchAll(/^## (.+)$/gm)];
  const match = headers.find((h) => h[1].trim().toLowerCase() === section.toLowerCase());
  const header = match ? match[0] : `## ${section}`;
  const block = `${header}\n${content}\n`;
  if (!match) return `${doc.trimEnd()}\n\n${block}`;
  const pattern = new RegExp(`^${escape(header)}$[\\s\\S]*?(?=\\n## |$(?![\\s\\S]))`, 'm');
  return doc.replace(pattern, () => block.trimEnd() + '\n');
}

/** Removes the update stamps this plugin appends, so they do not pile up. */
export const stripStamps = (doc: string) => doc.replace(/\n*<!-- character-manager: .*? -->\n*/g, '\n');
