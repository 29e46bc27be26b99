/**
 * Channels: the public address (`public_url` setting, HTTPS only) and the URLs built from it to paste into the Alexa
 * console and Telegram; Telegram bot config; the Alexa skill id; speech settings with a "play sample" (audio fetched
 * with the token, played from an object URL).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, blobUrl, hasRoute } from '../api.ts';
import { t, useLanguage } from '../i18n/index.ts';
import { ActionButton, CopyField, ErrorNotice, NotAvailable, Notice, Page, useLoad, type Loaded } from '../ui/common.tsx';
import { KeyRow } from './providers.tsx';

interface ConfigResponse {
  settings: Record<string, unknown>;
  public_url?: string;
}

/** The address Alexa and Telegram reach: the setting (or PUBLIC_URL), else this page's own origin. */
function basePublicUrl(cfg: ConfigResponse | undefined): { url: string; configured: boolean } {
  const configured = (cfg?.public_url ?? '').trim();
  return configured ? { url: configured, configured: true } : { url: location.origin, configured: false };
}

function PublicUrl({ cfg }: { cfg: Loaded<ConfigResponse> }) {
  const [value, setValue] = useState('');
  const [saved, setSaved] = useState<string>();
  const filled = useRef(false);
  // Fill the field once from the server, never over what the user has typed meanwhile.
  useEffect(() => {
    if (!cfg.data || filled.current) return;
    filled.current = true;
    setValue((typed) => typed || String(cfg.data!.settings.public_url ?? ''));
  }, [cfg.data]);
  const { url, configured } = basePublicUrl(cfg.data);
  const https = url.startsWith('https://');
  const typedBad = value.trim() !== '' && !/^https:\/\//i.test(value.trim());
  return (
    <section class="card" aria-labelledby="pub-h">
      <h2 id="pub-h">{t('channels.publicTitle')}</h2>
      <p class="muted">{t('channels.publicIntro')}</p>
      <ErrorNotice error={cfg.error} />
      <div class="row wrap">
        <label class="grow">
          {t('channels.publicLabel')}
          <input type="url" inputMode="url" value={value} placeholder="https://aion.example.org" aria-invalid={typedBad} aria-describedby="pub-help" onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <ActionButton
          kind="primary"
          disabled={typedBad}
          onClick={async () => {
            await api('POST', '/api/config/settings', { public_url: value.trim() });
            await cfg.reload();
            setSaved(t('channels.publicSaved'));
          }}
        >
          {t('common.save')}
        </ActionButton>
      </div>
      <p id="pub-help" class={typedBad ? 'inline-error' : 'muted small'}>{t('channels.httpsRequired')}</p>
      {saved && <Notice kind="ok">{saved}</Notice>}
      {cfg.data && !configured && <Notice>{t('channels.publicUnset', { origin: url })}</Notice>}
      {cfg.data && !https && <Notice kind="error">{t('channels.notHttps')}</Notice>}
      {cfg.data && (
        <div class="stack">
          <CopyField id="alexa-endpoint" label={t('channels.alexaEndpoint')} value={`${url}/api/alexa`} />
          <CopyField id="telegram-webhook" label={t('channels.telegramWebhook')} value={`${url}/api/telegram/webhook`} />
          <p class="muted small">{t('channels.webhookHint')}</p>
        </div>
      )}
    </section>
  );
}

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
          {t('channels.botToken')}: {c.token_set ? <code>{c.token_masked}</code> : <em>{t('providers.notSet')}</em>} · {c.polling_active ? t('channels.pollingActive') : t('channels.pollingStopped')}
          {c.pairing_code && (
            <>
              {' '}
              · {t('channels.pairing')} <code>/start {c.pairing_code}</code>
            </>
          )}
        </p>
      )}
      <div class="stack">
        <label>
          {t('channels.botTokenLabel')}
          <input type="password" autoComplete="off" value={token} onInput={(e) => setToken((e.currentTarget as HTMLInputElement).value)} placeholder={c?.token_set ? t('providers.replace') : '123456:ABC…'} />
        </label>
        <label>
          {t('channels.allowedIds')}
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
            setSaved(`${t('channels.saved')} ${r.polling_active ? t('channels.pollingActive') : t('channels.pollingStopped')}`);
            await cfg.reload();
          }}
        >
          {t('channels.saveTelegram')}
        </ActionButton>
      </div>
    </section>
  );
}

function Alexa({ cfg }: { cfg: ConfigResponse | undefined }) {
  const keys = useLoad(() => api<{ other_keys: Array<{ key: string; set: boolean; masked: string }> }>('GET', '/api/keys'));
  const endpoint = `${basePublicUrl(cfg).url}/api/alexa`;
  const info = keys.data?.other_keys.find((k) => k.key === 'ALEXA_SKILL_ID') ?? { key: 'ALEXA_SKILL_ID', set: false, masked: '' };
  return (
    <section class="card" aria-labelledby="alexa-h">
      <h2 id="alexa-h">Alexa</h2>
      <ErrorNotice error={keys.error} />
      <p class="muted">{t('channels.alexaIntro')}</p>
      <CopyField id="alexa-endpoint-2" label={t('channels.endpointUrl')} value={endpoint} />
      {keys.data && <KeyRow info={info} onSaved={keys.reload} />}
    </section>
  );
}

function Speech({ cfg }: { cfg: Loaded<ConfigResponse> }) {
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
      <h2 id="speech-h">{t('channels.speech')}</h2>
      <ErrorNotice error={cfg.error} />
      <div class="row wrap">
        <label>
          {t('channels.engine')}
          <select value={engine} onChange={(e) => setEngine((e.currentTarget as HTMLSelectElement).value)}>
            {[...new Set(['off', 'elevenlabs', engine === 'none' ? 'off' : engine].filter(Boolean))].map((x) => (
              <option key={x} value={x}>
                {x === 'none' || x === 'off' ? t('channels.noSpeech') : x}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('channels.voice')}
          <input value={voice} onInput={(e) => setVoice((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <ActionButton
          kind="primary"
          onClick={async () => {
            await api('POST', '/api/config/settings', { tts_engine: engine, tts_voice: voice });
            setSaved(t('channels.speechSaved'));
            await cfg.reload();
          }}
        >
          {t('channels.saveSpeech')}
        </ActionButton>
        {tts.data ? (
          <ActionButton
            onClick={async () => {
              const r = await api<{ url: string }>('POST', '/api/tts', { text: t('channels.sampleText'), ...(voice ? { voice } : {}) });
              if (lastUrl.current) URL.revokeObjectURL(lastUrl.current);
              lastUrl.current = await blobUrl(r.url);
              audio.current!.src = lastUrl.current;
              await audio.current!.play();
            }}
          >
            {t('channels.playSample')}
          </ActionButton>
        ) : (
          tts.data === false && <span class="muted">{t('ui.notAvailable', { what: t('channels.tts') })}</span>
        )}
      </div>
      {saved && <Notice kind="ok">{saved}</Notice>}
      <audio ref={audio} controls class={lastUrl.current ? '' : 'hidden'} aria-label={t('channels.sample')} />
    </section>
  );
}

export function ChannelsPage() {
  useLanguage();
  const cfg = useLoad(() => api<ConfigResponse>('GET', '/api/config'));
  return (
    <Page title={t('channels.title')}>
      <PublicUrl cfg={cfg} />
      <Telegram />
      <Alexa cfg={cfg.data} />
      <Speech cfg={cfg} />
    </Page>
  );
}
