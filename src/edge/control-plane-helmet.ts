import helmet from 'helmet';

/**
 * helmet on the control plane's own responses (admin API, probes, /docs). Its default
 * Content-Security-Policy lets Swagger UI run (scripts from 'self', inline styles). HSTS only when
 * HSTS_MAX_AGE is set: over plain HTTP, as in development, it would only mislead.
 */
export function controlPlaneHelmet(hstsMaxAge: number): ReturnType<typeof helmet> {
  return helmet({ strictTransportSecurity: hstsMaxAge > 0 ? { maxAge: hstsMaxAge, includeSubDomains: true } : false });
}
