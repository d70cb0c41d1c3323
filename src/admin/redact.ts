const SECRET_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|CREDENTIAL|(^|_)KEY$|_KEY_(?!PREFIX$|HEADER$)/;
export const REDACTED = '[redacted]';

/** A URL with its password (and any token-like query value) replaced; anything unparsable is hidden whole. */
function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = REDACTED;
    for (const name of [...url.searchParams.keys()]) if (SECRET_NAME.test(name.toUpperCase())) url.searchParams.set(name, REDACTED);
    return decodeURIComponent(url.toString());
  } catch {
    return REDACTED;
  }
}

/**
 * An environment variable as GET /admin/configuration shows it: secrets (names with KEY, SECRET,
 * TOKEN, PASSWORD…) hidden, connection URLs without their passwords.
 */
export function redactSetting(name: string, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (SECRET_NAME.test(name)) return REDACTED;
  if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return redactUrl(value);
  return value;
}
