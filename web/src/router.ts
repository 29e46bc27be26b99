/** Hash routing: `#/chat`, `#/plugins`, … (the server answers index.html for every path, hash keeps it simple). */
import { useEffect, useState } from 'preact/hooks';

export const ROUTES = [
  { id: 'chat', label: 'Chat' },
  { id: 'plugins', label: 'Plugins', admin: true },
  { id: 'providers', label: 'Providers & keys', admin: true },
  { id: 'memory', label: 'Memory' },
  { id: 'prompts', label: 'Prompts', admin: true },
  { id: 'channels', label: 'Channels', admin: true },
  { id: 'system', label: 'System' },
  // panel-admin pages
  { id: 'welcome', label: 'Getting started' },
  { id: 'users', label: 'Users', admin: true },
  { id: 'api-keys', label: 'API keys' },
  { id: 'mcp-servers', label: 'MCP servers', admin: true },
  { id: 'schedules', label: 'Schedules' },
  { id: 'activity', label: 'Activity' },
] as const;

export type RouteId = (typeof ROUTES)[number]['id'];

function current(): RouteId {
  const id = location.hash.replace(/^#\/?/, '').split('/')[0];
  return (ROUTES.find((r) => r.id === id)?.id ?? 'chat') as RouteId;
}

export function useRoute(): RouteId {
  const [route, setRoute] = useState<RouteId>(current);
  useEffect(() => {
    const on = () => setRoute(current());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function navigate(id: RouteId): void {
  location.hash = `#/${id}`;
}
