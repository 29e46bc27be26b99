/** The channels contract: a messaging channel (Telegram, Alexa) and how the host reaches a user through it. */
import type { User } from './common.ts';

/** A long-running connection: a bot, a poller. `status()` → `running`, `stopped` or `error: …`. */
export interface ChannelDefinition {
  id: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
  status(): string;
  /** Deliver a message to this user out of band (e.g. a late Alexa answer); true when it reached them. */
  notify?(user: User, text: string): Promise<boolean>;
}
