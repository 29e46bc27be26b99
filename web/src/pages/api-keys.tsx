/**
 * Personal API keys (`/api/auth/api-keys`): create one (the key is shown once, to copy now), list them (never the
 * key, only its first characters), revoke. A key works as a bearer token wherever a sign-in token does.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { formatDateTime, formatRelative, t, useLanguage } from '../i18n/index.ts';
import { ActionButton, ConfirmButton, CopyField, ErrorNotice, Notice, Page, useLoad } from '../ui/common.tsx';

interface ApiKeyInfo {
  id: string;
  name: string;
  prefix: string;
  createdAt: number;
  lastUsedAt?: number | null;
}

export function ApiKeysPage() {
  useLanguage();
  const keys = useLoad(() => api<{ apiKeys: ApiKeyInfo[] }>('GET', '/api/auth/api-keys'));
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; key: string }>();
  return (
    <Page title={t('apiKeys.title')}>
      <p class="muted">{t('apiKeys.intro')}</p>
      <section class="card" aria-labelledby="new-key-h">
        <h2 id="new-key-h">{t('apiKeys.create')}</h2>
        <form
          class="row wrap"
          onSubmit={(e) => {
            e.preventDefault();
          }}
        >
          <label class="grow">
            {t('apiKeys.name')}
            <input value={name} maxLength={100} placeholder={t('apiKeys.namePlaceholder')} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
          </label>
          <ActionButton
            kind="primary"
            disabled={!name.trim()}
            onClick={async () => {
              const r = await api<{ key: string; apiKey: ApiKeyInfo }>('POST', '/api/auth/api-keys', { name: name.trim() });
              setCreated({ name: r.apiKey.name, key: r.key });
              setName('');
              await keys.reload();
            }}
          >
            {t('apiKeys.createButton')}
          </ActionButton>
        </form>
        {created && (
          <div class="once" data-testid="new-key">
            <Notice kind="ok">{t('apiKeys.shownOnce', { name: created.name })}</Notice>
            <CopyField id="new-key-value" label={t('apiKeys.yourKey')} value={created.key} />
            <p class="muted small">{t('apiKeys.howToUse')}</p>
            <button type="button" class="btn" onClick={() => setCreated(undefined)}>
              {t('apiKeys.copiedIt')}
            </button>
          </div>
        )}
      </section>
      <section class="card" aria-labelledby="keys-list-h">
        <h2 id="keys-list-h">{t('apiKeys.yours')}</h2>
        <ErrorNotice error={keys.error} />
        {keys.data && !keys.data.apiKeys.length && <p class="muted">{t('apiKeys.none')}</p>}
        <ul class="plain-list">
          {keys.data?.apiKeys.map((k) => (
            <li key={k.id} class="list-row" data-api-key={k.name}>
              <div class="grow">
                <strong>{k.name}</strong> <code>{k.prefix}…</code>
                <div class="muted small">
                  {t('apiKeys.created', { date: formatDateTime(k.createdAt) })} · {k.lastUsedAt ? t('apiKeys.lastUsed', { when: formatRelative(k.lastUsedAt) }) : t('apiKeys.neverUsed')}
                </div>
              </div>
              <ConfirmButton label={t('apiKeys.revokeOf', { name: k.name })} question={t('apiKeys.revokeQuestion')} onConfirm={async () => { await api('DELETE', `/api/auth/api-keys/${encodeURIComponent(k.id)}`); await keys.reload(); }}>
                {t('apiKeys.revoke')}
              </ConfirmButton>
            </li>
          ))}
        </ul>
      </section>
    </Page>
  );
}
