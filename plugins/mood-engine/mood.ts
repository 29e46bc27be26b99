/**
 * The mood, computed as the original does: three weighted signals — time of day (0.40), the user's last message
 * (0.35), the last tool result (0.25) — the heaviest mood wins. A manual `mood_set` holds for a while.
 */
export const MOODS = ['curious', 'focused', 'playful', 'calm', 'reflective'] as const;
export type Mood = (typeof MOODS)[number];

export const HINTS: Record<Mood, string> = {
  curious: "There's a restless pull right now — to dig deeper, ask more, understand the why behind things.",
  focused: 'In the zone. Clear head, no noise — just the problem and the solution.',
  playful: 'Something feels light. Enjoying the texture of words and ideas.',
  calm: 'Settled. No urgency; things can unfold at their own pace.',
  reflective: 'Wanting to sit with things rather than move through them quickly. Slower thoughts, deeper ones.',
};

/** The hour in `timezone` → mood. */
export function moodFromTime(now: Date, timezone: string): Mood {
  const hour = Number(new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hour12: false, timeZone: timezone }).format(now)) % 24;
  if (hour >= 6 && hour <= 9) return 'curious';
  if (hour >= 10 && hour <= 17) return 'focused';
  if (hour >= 18 && hour <= 21) return 'calm';
  return 'reflective';
}

/** Language-agnostic signals of a message (errors, code, questions, emoji). */
export function moodFromMessage(text: string): Mood | undefined {
  const msg = text.trim();
  if (/error|exception|traceback|crash|stack ?trace|fehler/i.test(msg) || msg.includes('```')) return 'focused';
  if (msg.endsWith('?') || (msg.match(/\?/g)?.length ?? 0) >= 2) return 'curious';
  if (/[🤔💭🌙😔🧠🫠]/u.test(msg)) return 'reflective';
  if (/[😊🎉😄✨🚀😂😁🥳]/u.test(msg)) return 'playful';
  return undefined;
}

export function computeMood(signals: { now: Date; timezone: string; lastMessage?: string; lastToolError?: boolean }): { mood: Mood; signals: Record<string, Mood | undefined> } {
  const weights = Object.fromEntries(MOODS.map((m) => [m, 0])) as Record<Mood, number>;
  const time = moodFromTime(signals.now, signals.timezone);
  const message = signals.lastMessage ? moodFromMessage(signals.lastMessage) : undefined;
  const tool = signals.lastToolError === undefined ? undefined : signals.lastToolError ? 'focused' : 'curious';
  weights[time] += 0.4;
  if (message) weights[message] += 0.35;
  if (tool) weights[tool] += 0.25;
  const mood = MOODS.reduce((best, m) => (weights[m] > weights[best] ? m : best), time);
  return { mood, signals: { time, message, tool } };
}
