/**
 * Channels: Telegram bot config, the Alexa skill (skill id key + the endpoint URL to paste into the Alexa console),
 * and speech settings with a "play sample" (audio fetched with the token, played from an object URL).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, blobUrl, hasRoute } from '../api.ts';
import { ActionButton, ErrorNotice, NotAvailable, Notice, Page, useLoad } from '../ui/common.tsx';
import { KeyRow } from './providers.tsx';

interface TelegramConfig {
  token_set: boolean;
  token_masked: string;
  allowed_ids: string[];
  polling_active: boolean;
  pairing_code?: string;
}

function Telegram() {
  const avail = useLoad(() => hasRoute('GET', '/api/telegram/config'));
  const cfg = useLoad(async () => (avail.data ? api<TelegramConfig>('GET', '/api/telegram/config') : undefined), [avail.data]);
  const [token, setToken] = useState('');
  const [ids, setIds] = useState('');
  const [saved, setSaved] = useState<string>();
  useEffect(() => void (cfg.data && setIds(cfg.data.allowed_ids.join(', '))), [cfg.data]);
  if (avail.data === false) return <NotAvailable what="Telegram" />;
  const c = cfg.data;
  return (
    <section class="card" aria-labelledby="tg-h">
      <h2 id="tg-h">Telegram</h2>
      <ErrorNotice error={cfg.error} />
      {c && (
        <p>
          Bot token: {c.token_set ? <code>{c.token_masked}</code> : <em>not set</em>} · polling {c.polling_active ? 'active' : 'stopped'}
          {c.pairing_code && (
            <>
              {' '}
              · pairing code <code>{c.pairing_code}</code>
            </>
          )}
        </p>
      )}
      <div class="stack">
        <label>
          Bot token (from @BotFather)
          <input type="password" autoComplete="off" value={token} onInput={(e) => setToken((e.currentTarget as HTMLInputElement).value)} placeholder={c?.token_set ? 'Replace…' : '123456:ABC…'} />
        </label>
        <label>
          Allowed chat ids (comma separated)
          <input value={ids} onInput={(e) => setIds((e.currentTarget as HTMLInputElement).value)} />
        </label>
        {saved && <Notice kind="ok">{saved}</Notice>}
        <ActionButton
          kind="primary"
          onClick={async () => {
            const body: Record<string, unknown> = { allowed_ids: ids.split(/[\s,]+/).filter(Boolean) };
            if (token.trim()) body.token = token.trim();
            const r = await api<{ polling_active: boolean }>('POST', '/api/telegram/config', body);
            setToken('');
            setSaved(`Saved. Polling ${r.polling_active ? 'active' : 'stopped'}.`);
            await cfg.reload();
          }}
        >
          Save Telegram settings
        </ActionButton>
      </div>
    </section>
  );
}

function Alexa() {
  const keys = useLoad(() => api<{ other_keys: Array<{ key: string; set: boolean; masked: string }> }>('GET', '/api/keys'));
  const [copied, setCopied] = useState(false);
  const endpoint = `${location.origin}/api/alexa`;
  const info = keys.data?.other_keys.find((k) => k.key === 'ALEXA_SKILL_ID') ?? { key: 'ALEXA_SKILL_ID', set: false, masked: '' };
  return (
    <section class="card" aria-labelledby="alexa-h">
      <h2 id="alexa-h">Alexa</h2>
      <ErrorNotice error={keys.error} />
      <p class="muted">Paste this HTTPS endpoint into the Alexa developer console (Endpoint → HTTPS), and the skill id below.</p>
      <div class="row wrap">
        <label class="grow">
          Endpoint URL
          <input readOnly value={endpoint} onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
        </label>
        <button
          type="button"
          class="btn"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(endpoint);
              setCopied(true);
            } catch {
              setCopied(false);
            }
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      {keys.data && <KeyRow info={info} onSaved={keys.reload} />}
    </section>
  );
}

function Speech() {
  const cfg = useLoad(() => api<{ settings: Record<string, unknown> }>('GET', '/api/config'));
  const tts = useLoad(() => hasRoute('POST', '/api/tts'));
  const [engine, setEngine] = useState('');
  const [voice, setVoice] = useState('');
  const [saved, setSaved] = useState<string>();
  const audio = useRef<HTMLAudioElement>(null);
  const lastUrl = useRef<string | undefined>(undefined);
  useEffect(() => {
    const s = cfg.data?.settings;
    if (s) {
      setEngine(String(s.tts_engine ?? ''));
      setVoice(String(s.tts_voice ?? ''));
    }
  }, [cfg.data]);
  useEffect(() => () => void (lastUrl.current && URL.revokeObjectURL(lastUrl.current)), []);
  return (
    <section class="card" aria-labelledby="speech-h">
      <h2 id="speech-h">Speech</h2>
      <ErrorNotice error={cfg.error} />
      <div class="row wrap">
        <label>
          Engine
          <select value={engine} onChange={(e) => setEngine((e.currentTarget as HTMLSelectElement).value)}>
            {[...new Set(['none', 'elevenlabs', engine].filter(Boolean))].map((x) => (
              <option key={x} value={x}>
                {x === 'none' ? 'none (no speech)' : x}
              </option>
            ))}
          </select>
        </label>
        <label>
          Voice
          <input value={voice} onInput={(e) => setVoice((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <ActionButton
          kind="primary"
          onClick={async () => {
            await api('POST', '/api/config/settings', { tts_engine: engine, tts_voice: voice });
            setSaved('Speech settings saved.');
            await cfg.reload();
          }}
        >
          Save speech settings
        </ActionButton>
        {tts.data ? (
          <ActionButton
            onClick={async () => {
              const r = await api<{ url: string }>('POST', '/api/tts', { text: 'Hello, this is AION.', ...(voice ? { voice } : {}) });
              if (lastUrl.current) URL.revokeObjectURL(lastUrl.current);
              lastUrl.current = await blobUrl(r.url);
              audio.current!.src = lastUrl.current;
              await audio.current!.play();
            }}
          >
            Play sample
          </ActionButton>
        ) : (
          tts.data === false && <span class="muted">Text-to-speech is not available on this server yet.</span>
        )}
      </div>
      {saved && <Notice kind="ok">{saved}</Notice>}
      <audio ref={audio} controls class={lastUrl.current ? '' : 'hidden'} aria-label="Speech sample" />
    </section>
  );
}

export function ChannelsPage() {
  return (
    <Page title="Channels">
      <Telegram />
      <Alexa />
      <Speech />
    </Page>
  );
}
