/**
 * Prompts: edit the system prompt parts (rules, character, self) as Markdown with a live preview (side by side on a
 * wide screen, a Write / Preview switch on a phone), save, revert to the shipped default. The server's file path is
 * not shown: it says nothing to the person editing and tells a looker-on about the host.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { formatNumber, t, useLanguage } from '../i18n/index.ts';
import { renderMarkdown } from '../markdown.ts';
import { ActionButton, ErrorNotice, Notice, Page, useLoad } from '../ui/common.tsx';

const NAMES = ['rules', 'character', 'self'] as const;
type Name = (typeof NAMES)[number];

export function PromptsPage() {
  useLanguage();
  const [name, setName] = useState<Name>('rules');
  const [view, setView] = useState<'write' | 'preview'>('write');
  const prompt = useLoad(() => api<{ name: string; content: string; edited?: boolean }>('GET', `/api/prompt/${name}`), [name]);
  const [text, setText] = useState('');
  const [saved, setSaved] = useState<string>();
  useEffect(() => {
    if (prompt.data) setText(prompt.data.content);
    setSaved(undefined);
  }, [prompt.data]);
  const dirty = prompt.data && text !== prompt.data.content;

  return (
    <Page title={t('prompts.title')}>
      <p class="muted">{t('prompts.intro')}</p>
      <div role="tablist" aria-label={t('prompts.part')} class="tabs">
        {NAMES.map((n) => (
          <button key={n} id={`tab-${n}`} type="button" role="tab" class="tab" aria-selected={n === name} aria-controls="prompt-panel" tabIndex={n === name ? 0 : -1} onClick={() => setName(n)}
            onKeyDown={(e) => {
              const i = NAMES.indexOf(name);
              const next = e.key === 'ArrowRight' ? NAMES[(i + 1) % NAMES.length] : e.key === 'ArrowLeft' ? NAMES[(i + NAMES.length - 1) % NAMES.length] : undefined;
              if (next) {
                setName(next);
                document.getElementById(`tab-${next}`)?.focus();
              }
            }}
          >
            {t(`prompts.name.${n}`)}
          </button>
        ))}
      </div>
      <div id="prompt-panel" role="tabpanel" aria-labelledby={`tab-${name}`} class="stack">
        <ErrorNotice error={prompt.error} />
        {prompt.data && <p class="muted small">{prompt.data.edited ? t('prompts.edited') : t('prompts.shipped')}</p>}
        <div class="row view-switch" role="group" aria-label={t('prompts.view')}>
          <button type="button" class="btn btn-small" aria-pressed={view === 'write'} onClick={() => setView('write')}>{t('prompts.write')}</button>
          <button type="button" class="btn btn-small" aria-pressed={view === 'preview'} onClick={() => setView('preview')}>{t('prompts.preview')}</button>
        </div>
        <div class={`editor mode-${view}`}>
          <div class="editor-write">
            <label for="prompt-text" class="sr-only">
              {t('prompts.textOf', { name: t(`prompts.name.${name}`) })}
            </label>
            <textarea id="prompt-text" class="prompt-text" rows={20} value={text} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} spellcheck={false} />
            <p class="muted small">{t('prompts.size', { chars: formatNumber(text.length) })}</p>
          </div>
          <section class="editor-preview markdown" aria-label={t('prompts.preview')} data-testid="prompt-preview" dangerouslySetInnerHTML={{ __html: renderMarkdown(text) }} />
        </div>
        {saved && <Notice kind="ok">{saved}</Notice>}
        <div class="row">
          <ActionButton
            kind="primary"
            disabled={!dirty}
            onClick={async () => {
              const r = await api<{ bytes: number }>('POST', `/api/prompt/${name}`, { content: text });
              await prompt.reload();
              setSaved(t('prompts.saved', { bytes: r.bytes }));
            }}
          >
            {t('common.save')}
          </ActionButton>
          <ActionButton
            disabled={!prompt.data?.edited && !dirty}
            onClick={async () => {
              if (dirty && !prompt.data?.edited) return setText(prompt.data!.content);
              await api('DELETE', `/api/prompt/${name}`);
              await prompt.reload();
              setSaved(t('prompts.reverted'));
            }}
          >
            {t('prompts.revert')}
          </ActionButton>
        </div>
      </div>
    </Page>
  );
}
