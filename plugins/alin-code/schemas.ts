/** Body of `POST /api/code/execute` and inputs of the execution tools (bounded; the library re-checks sizes). */
import { z } from 'zod';

/** Characters of code accepted in a body (the library answers 413 above 1 MB of UTF-8). */
const MAX_CODE_CHARS = 1024 * 1024;
/** Highest timeout a caller may ask for; the service clamps further to the `code_timeout_max_ms` setting. */
const MAX_TIMEOUT = 600_000;

/** Language name or alias; unknown names get 400 UNSUPPORTED_LANGUAGE from the library (its message lists the choices). */
const Language = z.string().min(1).max(40);

export const ExecuteBody = z.object({
  code: z.string().max(MAX_CODE_CHARS),
  language: Language,
  timeout: z.number().int().positive().max(MAX_TIMEOUT).optional(),
});

export const ExecuteCodeInput = z.object({
  language: z.enum(['python', 'javascript', 'shell', 'py', 'js', 'node', 'bash', 'sh']),
  code: z.string().min(1).max(MAX_CODE_CHARS),
  timeout: z.number().int().positive().max(MAX_TIMEOUT).optional().describe('Milliseconds (default 30000)'),
});

export const RunCommandInput = z.object({
  command: z.string().min(1).max(100_000).describe('A shell (bash) command line, run in the workspace folder'),
  timeout: z.number().int().positive().max(MAX_TIMEOUT).optional().describe('Milliseconds (default 60000)'),
});
