/** The secrets and settings contracts: keys from the environment, a plugin's settings, the global settings. */


/** Keys and tokens from the environment / `ENV_FILE`. Values are never logged. */
export interface SecretsApi {
  get(name: string): string | undefined;
  has(name: string): boolean;
  /** Save into `ENV_FILE` (atomic, mode 600) and `process.env`. */
  set(values: Record<string, string>): Promise<void>;
  /** `abcd…wxyz`, `●●●●`, or `""`. */
  mask(value: string | undefined): string;
}

/** This plugin's settings (parsed by its `settings` schema). */
export interface SettingsApi<S> {
  get(): S;
  /** Validate and save a partial update. */
  set(patch: Partial<S>): Promise<S>;
  onChange(fn: (settings: S) => void): void;
}

/** The runtime-wide settings (model, thinking level, …) that `/api/config/settings` edits. */
export interface GlobalSettingsApi {
  get(): Record<string, any>;
  set(patch: Record<string, unknown>): Promise<Record<string, any>>;
}
