import pino, { type Logger } from 'pino';
import type { GatewayConfig } from '../config/gateway-config.js';

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

/** The one pino logger: the control plane's pino-http and the data plane's access lines share it. */
export function createRootLogger(config: Pick<GatewayConfig, 'logLevel' | 'logFormat'>): Logger {
  return pino({
    level: config.logLevel,
    base: { name: 'api-gateway' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    transport: config.logFormat === 'pretty' ? { target: 'pino-pretty', options: { colorize: true, singleLine: true } } : undefined,
  });
}
