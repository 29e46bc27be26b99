/**
 * Providers and keys: masked keys per provider (save one → shown masked), the active model, Google OAuth connect and
 * the Claude CLI status / login. Endpoints this server lacks show "not available".
 */
import { useEffect, useState } from 'preact/hooks';
import { api, hasRoute } from '../api.ts';
import type { ProvidersResponse } from '../chat/model-picker.tsx';
import { ActionButton, ErrorNotice, NotAvailable, Notice, Page, useLoad } from '../ui/common.tsx';

interface KeyInfo {
  key: string;
  set: boolean;
  masked: string;
}
interface KeysResponse {
  providers: Array<{ label: string; env_keys: KeyInfo[] }>;
  other_keys: KeyInfo[];
}

/** One key row: name, masked value, a password field and Save. */
export function KeyRow({ info, onSaved }: { info: KeyInfo; onSaved: () => Promise<void> }) {
  const [value, setValue] = useState('');
  const id = `key-${info.key}`;
  return (
    <form
      class="key-row"
      data-key={info.key}
      onSubmit={(e) => {
        e.preventDefault();
      }}
    >
      <label for={id}>
        <code>{info.key}</code>
      </label>
      <span class="masked" data-testid="masked">
        {info.set ? info.masked : <em class="muted">not set</em>}
      </span>
      <input id={id} type="password" autoComplete="off" placeholder={info.set ? 'Replace…' : 'Paste key'} value={value} onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)} />
      <ActionButton
        kind="primary"
        label={`Save ${info.key}`}
        disabled={!value.trim()}
        onClick={async () => {
          await api('POST', '/api/keys', { [info.key]: value.trim() });
          setValue('');
          await onSaved();
        }}
      >
        Save
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
      <h2 id="keys-h">API keys</h2>
      <p class="muted">Saved to the server's env file (mode 600); providers use a new key at once. Values are never shown again.</p>
      <ErrorNotice error={keys.error} />
      {keys.data?.providers.map((p) => (
        <fieldset key={p.label}>
          <legend>{p.label}</legend>
          {p.env_keys.length ? p.env_keys.map((k) => <KeyRow key={k.key} info={k} onSaved={keys.reload} />) : <p class="muted">Needs no key.</p>}
        </fieldset>
      ))}
      {!!keys.data?.other_keys.length && (
        <fieldset>
          <legend>Other keys</legend>
          {keys.data.other_keys.map((k) => (
            <KeyRow key={k.key} info={k} onSaved={keys.reload} />
          ))}
        </fieldset>
      )}
      <fieldset>
        <legend>Add a key</legend>
        <div class="row wrap">
          <label>
            Name
            <input value={name} placeholder="SERVICE_API_KEY" pattern="[A-Z][A-Z0-9_]*" onInput={(e) => setName((e.currentTarget as HTMLInputElement).value.toUpperCase())} />
          </label>
          <label>
            Value
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
            Add
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
      <h2 id="model-h">Active model</h2>
      <ErrorNotice error={providers.error} />
      {d && (
        <>
          <p>
            Now: <strong data-testid="active-model">{d.active_model}</strong> ({d.active_provider})
          </p>
          <div class="row wrap">
            <label>
              Model
              <select value={model} onChange={(e) => setModel((e.currentTarget as HTMLSelectElement).value)}>
                {d.providers.map((p) => (
                  <optgroup key={p.id} label={`${p.label}${p.configured ? '' : ' — needs a key'}`}>
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
              Use this model
            </ActionButton>
          </div>
          <ul class="provider-list">
            {d.providers.map((p) => (
              <li key={p.id}>
                <span class={`dot ${p.configured ? 'dot-ok' : 'dot-off'}`} aria-hidden="true" /> {p.label}: {p.configured ? 'ready' : `needs ${p.env_keys.join(' or ') || 'setup'}`}
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
  if (!avail.data?.start) return <NotAvailable what="Google sign-in (OAuth)" />;
  const s = status.data as { connected?: boolean; email?: string } | undefined;
  return (
    <section class="card" aria-labelledby="google-h">
      <h2 id="google-h">Google account</h2>
      {s && <p>{s.connected ? `Connected${s.email ? ` as ${s.email}` : ''}.` : 'Not connected.'}</p>}
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
        Connect Google
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
          {s.installed ? `Installed${s.version ? ` (${s.version})` : ''}` : 'Not installed'} · {s.authenticated ? 'signed in' : 'not signed in'}
        </p>
      )}
      {login && (
        <Notice>
          {login.message ?? login.step}{' '}
          {login.url && (
            <a href={login.url} target="_blank" rel="noopener noreferrer">
              Open the sign-in page
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
        Sign in to Claude
      </ActionButton>
    </section>
  );
}

export function ProvidersPage() {
  return (
    <Page title="Providers & keys">
      <ActiveModel />
      <Keys />
      <GoogleOAuth />
      <ClaudeCli />
    </Page>
  );
}
