import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { controlPlaneStorage } from '../common/control-plane-storage.js';

/** The control-plane request a change is made in, so the audit log can name who and which request. */
interface AuditScope {
  req: IncomingMessage & { adminActor?: string; id?: unknown };
  res: ServerResponse;
}

const scopes = new AsyncLocalStorage<AuditScope>();
controlPlaneStorage.register(scopes);

/** Runs `work` (a control-plane handler) with its request in scope. */
export function withAuditScope<T>(req: AuditScope['req'], res: ServerResponse, work: () => T): T {
  return scopes.run({ req, res }, work);
}

/**
 * Who is acting: `request.adminActor` when authentication named one (a consumer identity), else
 * "admin-key" for a call that passed the admin key; "system" outside any request (GATEWAY_CONFIG at start).
 */
export function currentActor(): string {
  const scope = scopes.getStore();
  if (!scope) return 'system';
  return typeof scope.req.adminActor === 'string' && scope.req.adminActor ? scope.req.adminActor : 'admin-key';
}

export function currentRequestId(): string | null {
  const scope = scopes.getStore();
  if (!scope) return null;
  const header = scope.res.getHeader('x-request-id');
  if (typeof header === 'string') return header;
  return typeof scope.req.id === 'string' ? scope.req.id : null;
}
