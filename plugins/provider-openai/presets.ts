/**
 * OpenAI-compatible vendors offered as providers of their own: the same Chat Completions client, their base URL and
 * key name. A base-URL variable overrides the default (another region, a proxy, a test stand-in).
 */
export interface Preset {
  id: string;
  label: string;
  prefixes: string[];
  models: string[];
  keyName: string;
  baseUrlName: string;
  defaultBaseUrl: string;
}

export const PRESETS: Preset[] = [
  {
    id: 'deepseek', label: 'DeepSeek', prefixes: ['deepseek'], models: ['deepseek-chat', 'deepseek-reasoner'],
    keyName: 'DEEPSEEK_API_KEY', baseUrlName: 'DEEPSEEK_BASE_URL', defaultBaseUrl: 'https://api.deepseek.com/v1',
  },
  {
    id: 'grok', label: 'Grok (xAI)', prefixes: ['grok'], models: ['grok-4', 'grok-4-fast', 'grok-3', 'grok-3-mini'],
    keyName: 'XAI_API_KEY', baseUrlName: 'XAI_BASE_URL', defaultBaseUrl: 'https://api.x.ai/v1',
  },
];
