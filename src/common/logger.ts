import pino, { type Logger } from 'pino';
import type { GatewayConfig } from '../config/gateway-config.js';
import { GATEWAY_OWNED_PATH_SET } from './gateway-owned-paths.js';

/** Paths pino replaces with "[redacted]" wherever they appear in a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
];

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * A control-plane URL as logged: the gateway's own auth endpoints lose their query string, where
 * a careless client may have put a secret (RFC 6749 wants them in the body).
 */
export function loggableUrl(url: string): string {
  const queryAt = url.indexOf('?');
  return queryAt !== -1 && GATEWAY_OWNED_PATH_SET.has(url.slice(0, queryAt)) ? url.slice(0, queryAt) : url;
}

/** The one pino logger: the control plane's pino-http and the data plane's access lines share it. */
export function createRootLogger(config: Pick<GatewayConfig, 'logLevel' | 'logFormat'> & Partial<Pick<GatewayConfig, 'apiKeyHeader'>>): Logger {
  const keyHeader = config.apiKeyHeader;
  const paths = keyHeader && keyHeader !== 'x-api-key' ? [...REDACTED_PATHS, `req.headers["${keyHeader}"]`, `headers["${keyHeader}"]`] : REDACTED_PATHS;
  return pino({
    level: config.logLevel,
    base: { name: 'api-gateway' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    transport: config.logFormat === 'pretty' ? { target: 'pino-pretty', options: { colorize: true, singleLine: true } } : undefined,
  });
}
