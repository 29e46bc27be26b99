/**
 * Sanitised Markdown of an assistant message, with a Copy button on every code block. The buttons are added to the
 * rendered HTML after each render and answered by one delegated click handler (the HTML is not Preact's to diff).
 */
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { renderMarkdown } from '../markdown.ts';
import { copyText } from './copy.ts';

export function Markdown({ text }: { text: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    for (const pre of ref.current?.querySelectorAll('pre') ?? []) {
      if (pre.parentElement?.classList.contains('code-block')) continue;
      const wrap = document.createElement('div');
      wrap.className = 'code-block';
      pre.replaceWith(wrap);
      wrap.append(pre);
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'btn btn-small code-copy';
      button.textContent = t('common.copy');
      button.setAttribute('aria-label', t('chat.copyCode'));
      wrap.append(button);
    }
  });
  async function onClick(e: MouseEvent) {
    const button = (e.target as HTMLElement).closest('.code-copy') as HTMLButtonElement | null;
    const code = button?.parentElement?.querySelector('pre');
    if (!button || !code) return;
    await copyText(code.textContent ?? '');
    button.textContent = t('common.copied');
    setTimeout(() => (button.textContent = t('common.copy')), 1500);
  }
  return <div class="md" ref={ref} onClick={onClick} dangerouslySetInnerHTML={{ __html: html }} />;
}
