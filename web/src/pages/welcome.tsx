/**
 * Getting started: the first-run path. What echo is (the built-in test model that answers until a real provider has
 * a key), adding a provider key in place, and pairing Telegram (admin: bot token + `/start <pairing code>`; every
 * user: `/link <code>` to act as themselves in that chat). Each step shows whether it is done.
 */
import { useState } from 'preact/hooks';
import { api, hasRoute } from '../api.ts';
import type { ProvidersResponse } from '../chat/model-picker.tsx';
import { t, useLanguage } from '../i18n/index.ts';
import { ActionButton, CopyField, ErrorNotice, Page, useLoad } from '../ui/common.tsx';
import { useUser } from '../user.ts';
import { KeyRow, type KeysResponse } from './providers.tsx';

function Step({ n, title, done, children }: { n: number; title: string; done: boolean; children: preact.ComponentChildren }) {
  return (
    <li class={done ? 'card step done' : 'card step'} data-step={n}>
      <h2>
        <span class="step-n" aria-hidden="true">{done ? '✓' : n}</span> {title}
        <span class="sr-only"> ({done ? t('welcome.stepDone') : t('welcome.stepOpen')})</span>
      </h2>
      {children}
    </li>
  );
}

function KeyStep({ providers, onSaved }: { providers: ProvidersResponse | undefined; onSaved: () => Promise<void> }) {
  const keys = useLoad(() => api<KeysResponse>('GET', '/api/keys'));
  // The cloud providers' API keys only: a path or host setting (Claude CLI, Ollama) belongs on the providers page.
  const isApiKey = (k: { key: string; kind?: string }) => k.kind !== 'path' && /_API_KEY$/.test(k.key);
  const wanted = (keys.data?.providers ?? []).filter((p) => p.env_keys.some(isApiKey));
  const ready = providers?.providers.filter((p) => p.configured && p.id !== 'echo') ?? [];
  return (
    <>
      <p>{t('welcome.keyText')}</p>
      {ready.length > 0 && <p class="notice notice-ok">{t('welcome.keyReady', { names: ready.map((p) => p.label).join(', ') })}</p>}
      <ErrorNotice error={keys.error} />
      {wanted.map((p) => (
        <fieldset key={p.label}>
          <legend>{p.label}</legend>
          {p.env_keys.filter(isApiKey).map((k) => (
            <KeyRow key={k.key} info={k} onSaved={async () => { await keys.reload(); await onSaved(); }} />
          ))}
        </fieldset>
      ))}
      <p class="small">
        <a href="#/providers">{t('welcome.keyMore')}</a>
      </p>
    </>
  );
}

function TelegramStep({ admin }: { admin: boolean }) {
  const avail = useLoad(() => hasRoute('POST', '/api/telegram/link-code'));
  const cfg = useLoad(async () => (admin && avail.data ? api<{ token_set: boolean; allowed_ids: string[]; pairing_code?: string }>('GET', '/api/telegram/config') : undefined), [avail.data]);
  const [code, setCode] = useState<string>();
  if (avail.data === false) return <p class="muted">{t('welcome.telegramMissing')}</p>;
  const c = cfg.data;
  return (
    <>
      {admin && (
        <ol class="how">
          <li>{t('welcome.tg1')}</li>
          <li>
            {t('welcome.tg2')} <a href="#/channels">{t('welcome.tgChannels')}</a>
            {c && <span class={`badge ${c.token_set ? 'badge-ok' : ''}`}> {c.token_set ? t('welcome.tokenSet') : t('welcome.tokenMissing')}</span>}
          </li>
          <li>
            {c?.pairing_code ? t('welcome.tg3', { code: `/start ${c.pairing_code}` }) : c?.allowed_ids.length ? t('welcome.tgPaired', { count: c.allowed_ids.length }) : t('welcome.tg3later')}
          </li>
        </ol>
      )}
      <p>{t('welcome.tgLink')}</p>
      {code ? (
        <CopyField id="tg-link-code" label={t('welcome.tgLinkLabel')} value={`/link ${code}`} />
      ) : (
        <ActionButton onClick={async () => setCode((await api<{ code: string }>('POST', '/api/telegram/link-code')).code)}>{t('welcome.tgLinkButton')}</ActionButton>
      )}
    </>
  );
}

export function WelcomePage() {
  useLanguage();
  const { user } = useUser();
  const providers = useLoad(() => api<ProvidersResponse>('GET', '/api/providers'));
  const onEcho = providers.data?.active_provider === 'echo';
  const hasReal = !!providers.data?.providers.some((p) => p.configured && p.id !== 'echo');
  return (
    <Page title={t('welcome.title')}>
      <p class="lead">{t('welcome.intro')}</p>
      <ol class="plain-list steps">
        <Step n={1} title={t('welcome.echoTitle')} done={!!providers.data && !onEcho}>
          <p>{t('welcome.echoText')}</p>
          {providers.data && (
            <p class={onEcho ? 'notice' : 'notice notice-ok'} data-testid="active-provider">
              {onEcho ? t('welcome.onEcho') : t('welcome.onModel', { model: providers.data.active_model, provider: providers.data.active_provider })}
            </p>
          )}
        </Step>
        {user.isAdmin && (
          <Step n={2} title={t('welcome.keyTitle')} done={hasReal}>
            <KeyStep providers={providers.data} onSaved={providers.reload} />
          </Step>
        )}
        <Step n={user.isAdmin ? 3 : 2} title={t('welcome.tgTitle')} done={false}>
          <TelegramStep admin={user.isAdmin} />
        </Step>
        <Step n={user.isAdmin ? 4 : 3} title={t('welcome.chatTitle')} done={false}>
          <p>{t('welcome.chatText')}</p>
          <a class="btn btn-primary" href="#/chat">{t('welcome.chatButton')}</a>
        </Step>
      </ol>
    </Page>
  );
}
