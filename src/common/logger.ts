import pino, { type DestinationStream, type Logger } from 'pino';
import type { GatewayConfig } from '../config/gateway-config.js';

/** Headers that carry credentials: never written to a log, wherever a headers object appears. */
export const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key'] as const;

/** Fields and query parameters that carry tokens or passwords. */
export const SECRET_FIELDS = ['token', 'access_token', 'refresh_token', 'id_token', 'api_key', 'apikey', 'password', 'client_secret'] as const;

/**
 * Paths pino replaces with "[redacted]" in a log line. Explicit paths only: a wildcard (`*.token`)
 * makes pino's redaction walk every line's keys, which costs several times the access line itself.
 */
export const REDACTED_PATHS = [
  ...SECRET_HEADERS.flatMap((name) => [`req.headers["${name}"]`, `res.headers["${name}"]`, `headers["${name}"]`]),
  ...SECRET_FIELDS,
];

export const REDACTED = '[redacted]';

const SECRET_QUERY = new RegExp(`([?&](?:${[...SECRET_FIELDS, 'key', 'jwt', 'secret', 'signature', 'sig'].join('|')})=)[^&#]*`, 'gi');

/** A URL as it may be logged: the values of token-like query parameters replaced. */
export function redactUrl(url: string): string {
  return url.includes('?') ? url.replace(SECRET_QUERY, `$1${REDACTED}`) : url;
}

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** The one pino logger: the control plane's pino-http and the data plane's access lines share it. */
export function createRootLogger(config: Pick<GatewayConfig, 'logLevel' | 'logFormat'>, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: { name: 'api-gateway' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    formatters: { level: (label) => ({ level: label }) },
    transport: config.logFormat === 'pretty' ? { target: 'pino-pretty', options: { colorize: true, singleLine: true } } : undefined,
  };
  return destination ? pino(options, destination) : pino(options);
}
