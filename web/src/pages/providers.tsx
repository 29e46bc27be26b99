/**
 * Providers and keys: masked keys per provider (save one → shown masked), the active model, Google OAuth connect and
 * the Claude CLI status / login. Endpoints this server lacks show "not available".
 */
import { useEffect, useState } from 'preact/hooks';
import { api, hasRoute } from '../api.ts';
import type { ProvidersResponse } from '../chat/model-picker.tsx';
import { t, useLanguage } from '../i18n/index.ts';
import { ActionButton, ErrorNotice, NotAvailable, Notice, Page, useLoad } from '../ui/common.tsx';

export interface KeyInfo {
  key: string;
  /** `path`: a file path setting (CLAUDE_CLI_PATH), shown in clear; `secret`: a key, shown masked. */
  kind?: 'secret' | 'path';
  set: boolean;
  masked: string;
  value?: string;
}
export interface KeysResponse {
  providers: Array<{ label: string; env_keys: KeyInfo[] }>;
  other_keys: KeyInfo[];
}

/** One key row: name, masked value, a password field and Save; a path setting gets a plain text field instead. */
export function KeyRow({ info, onSaved }: { info: KeyInfo; onSaved: () => Promise<void> }) {
  const [value, setValue] = useState('');
  const id = `key-${info.key}`;
  const isPath = info.kind === 'path';
  return (
    <form
      class={isPath ? 'key-row path-row' : 'key-row'}
      data-key={info.key}
      data-kind={info.kind ?? 'secret'}
      onSubmit={(e) => {
        e.preventDefault();
      }}
    >
      <label for={id}>
        <code>{info.key}</code>
        {isPath && <span class="small muted">{t('providers.pathSetting')}</span>}
      </label>
      <span class="masked" data-testid="masked">
        {info.set ? (isPath ? <code>{info.value ?? info.masked}</code> : info.masked) : <em class="muted">{isPath ? t('providers.pathDefault') : t('providers.notSet')}</em>}
      </span>
      {isPath ? (
        <input id={id} type="text" autoComplete="off" spellcheck={false} placeholder="/usr/local/bin/claude" value={value} onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)} />
      ) : (
        <input id={id} type="password" autoComplete="off" placeholder={info.set ? t('providers.replace') : t('providers.pasteKey')} value={value} onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)} />
      )}
      <ActionButton
        kind="primary"
        label={t('providers.saveOf', { key: info.key })}
        disabled={!value.trim()}
        onClick={async () => {
          await api('POST', '/api/keys', { [info.key]: value.trim() });
          setValue('');
          await onSaved();
        }}
      >
        {t('common.save')}
      </ActionButton>
    </form>
  );
}

function Keys() {
  const keys = useLoad(() => api<KeysResponse>('GET', '/api/keys'));
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  return (
    <section class="card" aria-labelledby="keys-h">
      <h2 id="keys-h">{t('providers.keys')}</h2>
      <p class="muted">{t('providers.keysIntro')}</p>
      <ErrorNotice error={keys.error} />
      {keys.data?.providers.map((p) => (
        <fieldset key={p.label}>
          <legend>{p.label}</legend>
          {p.env_keys.length ? p.env_keys.map((k) => <KeyRow key={k.key} info={k} onSaved={keys.reload} />) : <p class="muted">{t('providers.noKey')}</p>}
        </fieldset>
      ))}
      {!!keys.data?.other_keys.length && (
        <fieldset>
          <legend>{t('providers.otherKeys')}</legend>
          {keys.data.other_keys.map((k) => (
            <KeyRow key={k.key} info={k} onSaved={keys.reload} />
          ))}
        </fieldset>
      )}
      <fieldset>
        <legend>{t('providers.addKey')}</legend>
        <div class="row wrap">
          <label>
            {t('providers.keyName')}
            <input value={name} placeholder="SERVICE_API_KEY" pattern="[A-Z][A-Z0-9_]*" onInput={(e) => setName((e.currentTarget as HTMLInputElement).value.toUpperCase())} />
          </label>
          <label>
            {t('providers.keyValue')}
            <input type="password" autoComplete="off" value={value} onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)} />
          </label>
          <ActionButton
            kind="primary"
            disabled={!name || !value}
            onClick={async () => {
              await api('POST', '/api/keys', { [name]: value });
              setName('');
              setValue('');
              await keys.reload();
            }}
          >
            {t('providers.add')}
          </ActionButton>
        </div>
      </fieldset>
    </section>
  );
}

function ActiveModel() {
  const providers = useLoad(() => api<ProvidersResponse>('GET', '/api/providers'));
  const [model, setModel] = useState('');
  const d = providers.data;
  useEffect(() => {
    if (d) setModel(`${d.active_provider}\u0000${d.active_model}`);
  }, [d?.active_model, d?.active_provider]);
  return (
    <section class="card" aria-labelledby="model-h">
      <h2 id="model-h">{t('providers.activeModel')}</h2>
      <ErrorNotice error={providers.error} />
      {d && (
        <>
          <p>
            {t('providers.now')} <strong data-testid="active-model">{d.active_model}</strong> ({d.active_provider})
          </p>
          {d.active_provider === 'echo' && <p class="notice">{t('providers.echoNote')}</p>}
          <div class="row wrap">
            <label>
              {t('providers.model')}
              <select value={model} onChange={(e) => setModel((e.currentTarget as HTMLSelectElement).value)}>
                {d.providers.map((p) => (
                  <optgroup key={p.id} label={`${p.label}${p.configured ? '' : ` — ${t('providers.needsKey')}`}`}>
                    {p.models.map((m) => (
                      <option key={m} value={`${p.id}\u0000${m}`}>
                        {m}
                      </option>
                    ))}
                  </optgroup>
                ))}
              </select>
            </label>
            <ActionButton
              kind="primary"
              onClick={async () => {
                const [provider, m] = model.split('\u0000');
                await api('POST', '/api/model', { provider, model: m });
                await providers.reload();
              }}
            >
              {t('providers.useModel')}
            </ActionButton>
          </div>
          <ul class="provider-list">
            {d.providers.map((p) => (
              <li key={p.id}>
                <span class={`dot ${p.configured ? 'dot-ok' : 'dot-off'}`} aria-hidden="true" /> {p.label}: {p.configured ? t('providers.ready') : t('providers.needs', { what: p.env_keys.join(' / ') || t('providers.setup') })}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function GoogleOAuth() {
  const avail = useLoad(async () => ({ start: await hasRoute('GET', '/api/oauth/google/start'), status: await hasRoute('GET', '/api/oauth/google/status') }));
  const status = useLoad(async () => (avail.data?.status ? api<Record<string, unknown>>('GET', '/api/oauth/google/status') : undefined), [avail.data?.status]);
  const [msg, setMsg] = useState<string>();
  useEffect(() => {
    // The callback page tells its opener how it went.
    const on = (e: MessageEvent) => {
      if (e.origin !== location.origin) return;
      setMsg(typeof e.data === 'string' ? e.data : JSON.stringify(e.data));
      void status.reload();
    };
    addEventListener('message', on);
    return () => removeEventListener('message', on);
  }, []);
  if (avail.loading && !avail.data) return null;
  if (!avail.data?.start) return <NotAvailable what={t('providers.google')} />;
  const s = status.data as { connected?: boolean; email?: string } | undefined;
  return (
    <section class="card" aria-labelledby="google-h">
      <h2 id="google-h">{t('providers.googleAccount')}</h2>
      {s && <p>{s.connected ? (s.email ? t('providers.connectedAs', { email: s.email }) : t('providers.connected')) : t('providers.notConnected')}</p>}
      {msg && <Notice>{msg}</Notice>}
      <ActionButton
        kind="primary"
        onClick={async () => {
          // Open the window first (in the click) so popup blockers allow it, then point it at Google.
          const w = window.open('about:blank', 'aion-google', 'popup,width=520,height=680');
          try {
            const { url } = await api<{ url: string }>('GET', '/api/oauth/google/start');
            if (w) w.location.href = url;
            else location.href = url;
          } catch (e) {
            w?.close();
            throw e;
          }
        }}
      >
        {t('providers.connectGoogle')}
      </ActionButton>
    </section>
  );
}

function ClaudeCli() {
  const avail = useLoad(() => hasRoute('GET', '/api/claude-cli/status'));
  const status = useLoad(async () => (avail.data ? api<{ installed: boolean; authenticated: boolean; path?: string; version?: string }>('GET', '/api/claude-cli/status') : undefined), [avail.data]);
  const [login, setLogin] = useState<{ step: string; message?: string; url?: string }>();
  if (avail.loading && avail.data === undefined) return null;
  if (!avail.data) return <NotAvailable what="Claude CLI" />;
  const s = status.data;
  return (
    <section class="card" aria-labelledby="cli-h">
      <h2 id="cli-h">Claude CLI</h2>
      <ErrorNotice error={status.error} />
      {s && (
        <p>
          {s.installed ? `${t('providers.installed')}${s.version ? ` (${s.version})` : ''}` : t('providers.notInstalled')} · {s.authenticated ? t('providers.signedIn') : t('providers.notSignedIn')}
        </p>
      )}
      {login && (
        <Notice>
          {login.message ?? login.step}{' '}
          {login.url && (
            <a href={login.url} target="_blank" rel="noopener noreferrer">
              {t('providers.openSignIn')}
            </a>
          )}
        </Notice>
      )}
      <ActionButton
        disabled={!s?.installed || s.authenticated}
        onClick={async () => {
          setLogin(await api('POST', '/api/claude-cli/login'));
          await status.reload();
        }}
      >
        {t('providers.signInClaude')}
      </ActionButton>
    </section>
  );
}

export function ProvidersPage() {
  useLanguage();
  return (
    <Page title={t('providers.title')}>
      <ActiveModel />
      <Keys />
      <GoogleOAuth />
      <ClaudeCli />
    </Page>
  );
}
