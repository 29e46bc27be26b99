/** The signed-in user (from `GET /api/auth/me`), shared through context. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export interface Usage {
  messagesThisHour: number;
  messagesLimit: number | null;
  messagesRemaining: number | null;
  tokensToday: number;
  tokensByDay: Record<string, number>;
}

export interface User {
  id: string;
  email: string;
  displayName?: string;
  plan: 'free' | 'pro' | 'enterprise';
  role: 'user' | 'admin';
  isAdmin: boolean;
  usage?: Usage;
}

export interface UserState {
  user: User;
  /** Fetch `/api/auth/me` again (usage changes after each chat turn). */
  refresh: () => Promise<void>;
}

export const UserContext = createContext<UserState>(null as unknown as UserState);
export const useUser = () => useContext(UserContext);
