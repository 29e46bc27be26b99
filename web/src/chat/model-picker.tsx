/** Provider/model choice for the next messages; admins can make it the server default (`POST /api/model`). */
import { api } from '../api.ts';
import { t } from '../i18n/index.ts';
import { ActionButton, useLoad } from '../ui/common.tsx';
import { useUser } from '../user.ts';

export interface ProviderInfo {
  id: string;
  label: string;
  models: string[];
  configured: boolean;
  status: string;
  env_keys: string[];
}
export interface ProvidersResponse {
  providers: ProviderInfo[];
  active_model: string;
  active_provider: string;
}

export interface ModelChoice {
  provider: string;
  model: string;
}

export function ModelPicker({ value, onChange }: { value: ModelChoice | undefined; onChange: (v: ModelChoice | undefined) => void }) {
  const { user } = useUser();
  const providers = useLoad(() => api<ProvidersResponse>('GET', '/api/providers'));
  const data = providers.data;
  const key = value ? `${value.provider}\u0000${value.model}` : '';
  return (
    <div class="model-picker">
      <label>
        {t('chat.model')}
        <select
          value={key}
          onChange={(e) => {
            const v = (e.currentTarget as HTMLSelectElement).value;
            if (!v) return onChange(undefined);
            const [provider, model] = v.split('\u0000');
            onChange({ provider, model });
          }}
        >
          <option value="">{data ? t('chat.modelDefaultNamed', { model: data.active_model }) : t('chat.modelDefault')}</option>
          {data?.providers.map((p) => (
            <optgroup key={p.id} label={p.configured ? p.label : t('chat.notConfigured', { label: p.label })}>
              {p.models.map((m) => (
                <option key={m} value={`${p.id}\u0000${m}`} disabled={!p.configured}>
                  {m}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </label>
      {user.isAdmin && value && data && value.model !== data.active_model && (
        <ActionButton
          onClick={async () => {
            await api('POST', '/api/model', value);
            await providers.reload();
            onChange(undefined);
          }}
        >
          {t('chat.makeDefault')}
        </ActionButton>
      )}
    </div>
  );
}
