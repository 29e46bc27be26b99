/** Prompts: edit the system prompt parts (rules, character, self), save, revert to the shipped default. */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { ActionButton, ErrorNotice, Notice, Page, useLoad } from '../ui/common.tsx';

const NAMES = [
  { id: 'rules', label: 'Rules' },
  { id: 'character', label: 'Character' },
  { id: 'self', label: 'Self' },
] as const;

export function PromptsPage() {
  const [name, setName] = useState<(typeof NAMES)[number]['id']>('rules');
  const prompt = useLoad(() => api<{ name: string; content: string; path: string; edited?: boolean }>('GET', `/api/prompt/${name}`), [name]);
  const [text, setText] = useState('');
  const [saved, setSaved] = useState<string>();
  useEffect(() => {
    if (prompt.data) setText(prompt.data.content);
    setSaved(undefined);
  }, [prompt.data]);
  const dirty = prompt.data && text !== prompt.data.content;

  return (
    <Page title="Prompts">
      <div role="tablist" aria-label="Prompt part" class="tabs">
        {NAMES.map((n) => (
          <button key={n.id} type="button" role="tab" class="tab" aria-selected={n.id === name} aria-controls="prompt-panel" onClick={() => setName(n.id)}>
            {n.label}
          </button>
        ))}
      </div>
      <div id="prompt-panel" role="tabpanel" class="stack">
        <ErrorNotice error={prompt.error} />
        {prompt.data && (
          <p class="muted small">
            {prompt.data.path}
            {prompt.data.edited ? ' · edited (overrides the shipped file)' : ''}
          </p>
        )}
        <label for="prompt-text" class="sr-only">
          {name} prompt
        </label>
        <textarea id="prompt-text" class="prompt-text" rows={18} value={text} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} spellcheck={false} />
        {saved && <Notice kind="ok">{saved}</Notice>}
        <div class="row">
          <ActionButton
            kind="primary"
            disabled={!dirty}
            onClick={async () => {
              const r = await api<{ bytes: number }>('POST', `/api/prompt/${name}`, { content: text });
              await prompt.reload();
              setSaved(`Saved (${r.bytes} bytes).`);
            }}
          >
            Save
          </ActionButton>
          <ActionButton
            disabled={!prompt.data?.edited && !dirty}
            onClick={async () => {
              if (dirty && !prompt.data?.edited) return setText(prompt.data!.content);
              await api('DELETE', `/api/prompt/${name}`);
              await prompt.reload();
              setSaved('Reverted to the shipped default.');
            }}
          >
            Revert
          </ActionButton>
        </div>
      </div>
    </Page>
  );
}
