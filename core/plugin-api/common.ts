/** Shared basics of the plugin contract: users, plans, roles, JSON Schema, and the agent event types. */
import type { Logger } from 'pino';

import type {
  AgentEvent,
  ChatMessage,
  ContentBlock,
  ProviderEvent,
  StopReason,
  Usage,
} from '../agent/events.ts';

export type { AgentEvent, ChatMessage, ContentBlock, ProviderEvent, StopReason, Usage, Logger };

/** A plain JSON Schema object (draft 2020-12 subset), as providers see tool inputs. */
export type JsonSchema = Record<string, unknown>;

/** Plans of the ALIN API. */
export type Plan = 'free' | 'pro' | 'enterprise';
/** Roles: the first account is `admin`. */
export type Role = 'user' | 'admin';

/** A signed-in user as plugins see it (never a password hash). */
export interface User {
  id: string;
  email: string;
  displayName: string;
  plan: Plan;
  role: Role;
  isAdmin: boolean;
  createdAt: number;
  /** Set by an admin: the account cannot sign in, and its tokens and API keys stop working. */
  disabled?: boolean;
}
