import pino, { type DestinationStream, type Logger } from 'pino';
import type { GatewayConfig } from '../config/gateway-config.js';
import { GATEWAY_OWNED_PATH_SET } from './gateway-owned-paths.js';

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

/** The redacted paths, plus the header API keys arrive in when API_KEY_HEADER renames it. */
export function redactedPathsFor(apiKeyHeader: string | undefined): string[] {
  const name = apiKeyHeader?.toLowerCase();
  if (!name || (SECRET_HEADERS as readonly string[]).includes(name)) return REDACTED_PATHS;
  return [...REDACTED_PATHS, `req.headers["${name}"]`, `res.headers["${name}"]`, `headers["${name}"]`];
}

const SECRET_QUERY = new RegExp(`([?&](?:${[...SECRET_FIELDS, 'key', 'jwt', 'secret', 'signature', 'sig'].join('|')})=)[^&#]*`, 'gi');

/** A URL as it may be logged: the values of token-like query parameters replaced (see also loggableUrl). */
export function redactUrl(url: string): string {
  return url.includes('?') ? url.replace(SECRET_QUERY, `$1${REDACTED}`) : url;
}

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * A control-plane URL as logged: the gateway's own auth endpoints lose their query string, where
 * a careless client may have put a secret (RFC 6749 wants them in the body); elsewhere token-like
 * query parameters are masked.
 */
export function loggableUrl(url: string): string {
  const queryAt = url.indexOf('?');
  if (queryAt === -1) return url;
  return GATEWAY_OWNED_PATH_SET.has(url.slice(0, queryAt)) ? url.slice(0, queryAt) : redactUrl(url);
}

/** The one pino logger: the control plane's pino-http and the data plane's access lines share it. */
export function createRootLogger(
  config: Pick<GatewayConfig, 'logLevel' | 'logFormat'> & Partial<Pick<GatewayConfig, 'apiKeyHeader'>>,
  destination?: DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: { name: 'api-gateway' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactedPathsFor(config.apiKeyHeader), censor: REDACTED },
    formatters: { level: (label) => ({ level: label }) },
    transport: config.logFormat === 'pretty' ? { target: 'pino-pretty', options: { colorize: true, singleLine: true } } : undefined,
  };
  return destination ? pino(options, destination) : pino(options);
}
