/**
 * Users (admin): every account with its plan, role, state and usage (`GET /api/admin/users`); plan, role and
 * disable / enable through `PATCH /api/admin/users/:id`. The server refuses disabling yourself or the last admin.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { formatDateTime, formatNumber, t, useLanguage } from '../i18n/index.ts';
import { ActionButton, ErrorNotice, Page, useLoad } from '../ui/common.tsx';
import { useUser, type Usage, type User } from '../user.ts';

interface UserRow extends User {
  createdAt: number;
  disabled?: boolean;
  usage?: Usage;
}

const PLANS = ['free', 'pro', 'enterprise'] as const;
const ROLES = ['user', 'admin'] as const;

function weekTokens(u?: Usage): number {
  if (!u) return 0;
  let sum = 0;
  for (let i = 0; i < 7; i++) sum += u.tokensByDay[new Date(Date.now() - i * 86_400_000).toISOString().slice(0, 10)] ?? 0;
  return sum;
}

function UserCard({ row, me, onChanged }: { row: UserRow; me: string; onChanged: () => Promise<void> }) {
  const [error, setError] = useState<Error>();
  const patch = async (body: Record<string, unknown>) => {
    setError(undefined);
    try {
      await api('PATCH', `/api/admin/users/${encodeURIComponent(row.id)}`, body);
    } catch (e) {
      setError(e as Error);
    }
    await onChanged();
  };
  const name = row.displayName || row.email;
  const u = row.usage;
  return (
    <li class={row.disabled ? 'card user-row is-disabled' : 'card user-row'} data-user={row.email}>
      <div class="user-who">
        <h2 class="h3">{name}</h2>
        <span class="muted small">{row.email}</span>
        <span class="muted small">{t('users.since', { date: formatDateTime(row.createdAt, { dateStyle: 'medium' }) })}</span>
        {row.disabled && <span class="badge badge-error">{t('users.disabled')}</span>}
        {row.id === me && <span class="badge">{t('users.you')}</span>}
      </div>
      <dl class="facts user-usage">
        <dt>{t('users.messagesHour')}</dt>
        <dd>{u ? (u.messagesLimit === null ? formatNumber(u.messagesThisHour) : `${formatNumber(u.messagesThisHour)} / ${formatNumber(u.messagesLimit)}`) : '—'}</dd>
        <dt>{t('users.tokensToday')}</dt>
        <dd>{formatNumber(u?.tokensToday ?? 0)}</dd>
        <dt>{t('users.tokensWeek')}</dt>
        <dd>{formatNumber(weekTokens(u))}</dd>
      </dl>
      <div class="row wrap user-controls">
        <label>
          {t('users.plan')}
          <select value={row.plan} aria-label={t('users.planOf', { name })} onChange={(e) => patch({ plan: (e.currentTarget as HTMLSelectElement).value })}>
            {PLANS.map((p) => (
              <option key={p} value={p}>{t(`users.plan.${p}`)}</option>
            ))}
          </select>
        </label>
        <label>
          {t('users.role')}
          <select value={row.role} aria-label={t('users.roleOf', { name })} onChange={(e) => patch({ role: (e.currentTarget as HTMLSelectElement).value })}>
            {ROLES.map((r) => (
              <option key={r} value={r}>{t(`users.role.${r}`)}</option>
            ))}
          </select>
        </label>
        <ActionButton kind={row.disabled ? 'primary' : 'danger'} disabled={row.id === me} label={t(row.disabled ? 'users.enableOf' : 'users.disableOf', { name })} onClick={() => patch({ disabled: !row.disabled })}>
          {t(row.disabled ? 'users.enable' : 'users.disable')}
        </ActionButton>
      </div>
      <ErrorNotice error={error} />
    </li>
  );
}

export function UsersPage() {
  useLanguage();
  const { user } = useUser();
  const users = useLoad(() => api<{ users: UserRow[] }>('GET', '/api/admin/users'));
  const [filter, setFilter] = useState('');
  const rows = (users.data?.users ?? []).filter((u) => !filter || `${u.email} ${u.displayName ?? ''}`.toLowerCase().includes(filter.toLowerCase()));
  return (
    <Page title={t('users.title')}>
      <p class="muted">{t('users.intro')}</p>
      <div class="row wrap filters">
        <label class="grow">
          {t('common.search')}
          <input type="search" value={filter} placeholder={t('users.searchPlaceholder')} onInput={(e) => setFilter((e.currentTarget as HTMLInputElement).value)} />
        </label>
      </div>
      <ErrorNotice error={users.error} />
      <p class="muted small" role="status">{users.data ? t('users.count', { count: rows.length, total: users.data.users.length }) : t('common.loading')}</p>
      <ul class="plain-list">
        {rows.map((row) => (
          <UserCard key={row.id} row={row} me={user.id} onChanged={users.reload} />
        ))}
      </ul>
    </Page>
  );
}
