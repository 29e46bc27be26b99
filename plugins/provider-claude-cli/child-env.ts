/**
 * The environment the CLI runs with: only what it needs (paths, locale, proxy, its own `CLAUDE_*` settings), never the
 * server's other secrets — the CLI runs tools (a shell) that could read them.
 */
const PASS = /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LC_[A-Z]+|TERM|TZ|TMPDIR|TEMP|TMP|XDG_[A-Z_]+|HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy|NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|CLAUDE_[A-Z0-9_]+|ANTHROPIC_BASE_URL|ANTHROPIC_MODEL|DISABLE_[A-Z_]+|SystemRoot|APPDATA|LOCALAPPDATA|USERPROFILE)$/;

export function childEnv(useApiKey: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && PASS.test(k)) env[k] = v;
  if (useApiKey && process.env.ANTHROPIC_API_KEY) env.ANTHROPIC_API_KEY = process.env.ANTHROPIC_API_KEY;
  return env;
}
