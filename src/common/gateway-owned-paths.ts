/**
 * Endpoints the gateway itself answers although they lie under the proxied prefix `/api/v1`:
 * the traffic dispatcher hands exactly these paths to the control plane, and no route may claim them.
 */
export const GATEWAY_OWNED_PATHS = {
  token: '/api/v1/auth/token',
  revoke: '/api/v1/auth/revoke',
  me: '/api/v1/users/me',
} as const;

export const GATEWAY_OWNED_PATH_SET: ReadonlySet<string> = new Set(Object.values(GATEWAY_OWNED_PATHS));
