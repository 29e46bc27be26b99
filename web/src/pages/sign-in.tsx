/**
 * Sign in / create an account. No public endpoint says whether an account exists, so both are offered; the tab
 * starts on "Create account" in a browser that has never signed in here (the first account becomes the admin).
 */
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { t } from '../i18n/index.ts';
import { LanguageSwitcher } from '../language-switcher.tsx';
import type { User } from '../user.ts';

const SEEN = 'aion.seen';

/** How the form signed the user in: `signedUp` when it created the account (its first sign-in). */
export type SignedIn = (token: string, user: User, how: { signedUp: boolean }) => void;

export function SignInPage({ onSignedIn }: { onSignedIn: SignedIn }) {
  const [mode, setMode] = useState<'signin' | 'signup'>(localStorage.getItem(SEEN) ? 'signin' : 'signup');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const body: Record<string, string> = { email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') };
    if (mode === 'signup' && form.get('displayName')) body.displayName = String(form.get('displayName'));
    setBusy(true);
    setError(undefined);
    try {
      const r = await api<{ token: string; user: User }>('POST', mode === 'signup' ? '/api/auth/signup' : '/api/auth/login', body);
      localStorage.setItem(SEEN, '1');
      onSignedIn(r.token, r.user, { signedUp: mode === 'signup' });
    } catch (err) {
      const e = err as ApiError;
      setError(
        e.status === 401 ? t('signIn.wrong') : e.status === 409 ? t('signIn.exists') : e.status === 429 ? t('signIn.tooMany') : e.message,
      );
    } finally {
      setBusy(false);
    }
  }

  const tab = (id: 'signin' | 'signup', label: string) => (
    <button type="button" role="tab" id={`tab-${id}`} aria-selected={mode === id} aria-controls="auth-panel" class="tab" onClick={() => (setMode(id), setError(undefined))}>
      {label}
    </button>
  );

  return (
    <main class="auth" id="main">
      <div class="auth-card card">
        <div class="auth-head">
          <h1>
            <span class="logo" aria-hidden="true">◆</span> AION
          </h1>
          <LanguageSwitcher />
        </div>
        <div role="tablist" aria-label={t('signIn.account')} class="tabs">
          {tab('signin', t('signIn.signIn'))}
          {tab('signup', t('signIn.create'))}
        </div>
        <div id="auth-panel" role="tabpanel" aria-labelledby={`tab-${mode}`}>
        <form onSubmit={submit} class="stack" aria-label={mode === 'signup' ? t('signIn.create') : t('signIn.signIn')}>
          {mode === 'signup' && <p class="muted">{t('signIn.firstAdmin')}</p>}
          {mode === 'signup' && (
            <label>
              {t('signIn.displayName')}
              <input name="displayName" autoComplete="name" maxLength={100} />
            </label>
          )}
          <label>
            {t('signIn.email')}
            <input name="email" type="email" required autoComplete="email" />
          </label>
          <label>
            {t('signIn.password')}
            <input name="password" type="password" required minLength={mode === 'signup' ? 8 : undefined} autoComplete={mode === 'signup' ? 'new-password' : 'current-password'} />
          </label>
          {error && (
            <p class="notice notice-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {mode === 'signup' ? t('signIn.create') : t('signIn.signIn')}
          </button>
        </form>
        </div>
      </div>
    </main>
  );
}
