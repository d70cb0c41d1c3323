import { GatewayError } from '../common/gateway-error.js';
import type { CompiledRoute } from '../routing/table/compiled-route.js';
import { ClientGone } from './request-body.js';

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
// Failures that are the client's doing, not the upstream's.
const CLIENT_FAULTS = new Set(['UND_ERR_ABORTED', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH']);

export type Timeouts = Pick<CompiledRoute, 'connectTimeoutMs' | 'headersTimeoutMs' | 'bodyTimeoutMs'>;

export const codeOf = (error: unknown) => String((error as { code?: unknown })?.code ?? '');

/** Failed before a byte of the response came back, so another attempt cannot duplicate anything the client saw. */
export function isRetryableConnectError(error: unknown): boolean {
  const code = codeOf(error);
  return CONNECT_ERRORS.has(code) || code === 'UND_ERR_CONNECT_TIMEOUT';
}

/** Whether a failed upstream call counts against the target (passive checks) and the service (circuit breaker). */
export function isUpstreamFault(error: unknown): boolean {
  return !(error instanceof ClientGone) && !CLIENT_FAULTS.has(codeOf(error));
}

/** What the client is told when the upstream call failed before the response began. */
export function upstreamFailure(error: unknown, serviceName: string, timeouts: Timeouts): GatewayError | undefined {
  // The gateway's own refusal while streaming the request body (PAYLOAD_TOO_LARGE).
  if (error instanceof GatewayError) return error;
  const code = codeOf(error);
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new GatewayError('GATEWAY_TIMEOUT', `service "${serviceName}" did not answer within ${timeouts.headersTimeoutMs} ms`);
    case 'UND_ERR_BODY_TIMEOUT':
      return new GatewayError('GATEWAY_TIMEOUT', `service "${serviceName}" paused its answer for more than ${timeouts.bodyTimeoutMs} ms`);
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new GatewayError('GATEWAY_TIMEOUT', `could not connect to service "${serviceName}" within ${timeouts.connectTimeoutMs} ms`);
    case 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH':
      return new GatewayError('INVALID_REQUEST', 'the request body does not match its Content-Length');
    case 'UND_ERR_ABORTED':
      return undefined; // the client went away; nobody is left to answer
    default:
      if (error instanceof ClientGone) return undefined;
      return new GatewayError('BAD_GATEWAY', `service "${serviceName}" could not be reached${code ? ` (${code})` : ''}`);
  }
}
