/** Scopes that open the control plane to consumers' credentials (the admin key opens everything). */
export const ADMIN_SCOPE = 'admin';
/** Reads only: GET and HEAD. */
export const ADMIN_READ_SCOPE = 'admin:read';
export const DISCOVERY_SCOPE = 'discovery';

/** Where @AdminAuth() leaves the scope for AdminAuthGuard. */
export const ADMIN_SCOPE_METADATA = 'gateway:admin-scope';

const READ_METHODS = new Set(['GET', 'HEAD']);

/** The scopes that would let `method` through on an endpoint guarded with `scope`, any one sufficing. */
export function scopesAdmitting(scope: string, method: string): string[] {
  const admitting = scope === ADMIN_SCOPE ? [ADMIN_SCOPE] : [scope, ADMIN_SCOPE];
  if (READ_METHODS.has(method)) admitting.push(ADMIN_READ_SCOPE);
  return admitting;
}
