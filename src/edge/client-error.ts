import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '../common/error-codes.js';
import { problem } from '../common/problem.js';

/**
 * What Node's HTTP parser refuses before any request exists, and how the gateway answers it.
 * Without a 'clientError' listener Node writes a bare `400 Bad Request` / `431`; with this one the
 * client gets problem+json like every other gateway error. (A request line or header block over
 * MAX_HEADER_SIZE is one parser error, so a URL longer than that is a 431, not a 414.)
 */
const PARSER_ERRORS: Record<string, [ErrorCode, string]> = {
  HPE_HEADER_OVERFLOW: ['HEADERS_TOO_LARGE', 'the request line and headers exceed MAX_HEADER_SIZE'],
  HPE_INVALID_TRANSFER_ENCODING: ['INVALID_REQUEST', 'Transfer-Encoding is invalid or sent together with Content-Length'],
  HPE_INVALID_CONTENT_LENGTH: ['INVALID_REQUEST', 'Content-Length is not a number'],
  HPE_UNEXPECTED_CONTENT_LENGTH: ['INVALID_REQUEST', 'Content-Length is sent more than once or together with Transfer-Encoding'],
  HPE_INVALID_HEADER_TOKEN: ['INVALID_REQUEST', 'a header name or value holds a character it may not'],
  HPE_LF_EXPECTED: ['INVALID_REQUEST', 'a header value holds a bare CR'],
  HPE_CR_EXPECTED: ['INVALID_REQUEST', 'a header value holds a bare LF'],
  HPE_INVALID_URL: ['INVALID_REQUEST', 'the request target holds a character it may not'],
  ERR_HTTP_REQUEST_TIMEOUT: ['REQUEST_TIMEOUT', 'the request did not arrive in time'],
};

/** The 'clientError' listener: a problem+json answer where the socket can still take one, then close. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [code, detail] = PARSER_ERRORS[error.code ?? ''] ?? (['INVALID_REQUEST', 'the request is not valid HTTP/1.1'] as const);
  const requestId = randomUUID();
  const answer = problem(code, detail, requestId);
  const body = JSON.stringify(answer);
  const status = answer.status;
  socket.end(
    `HTTP/1.1 ${status} ${statusText(status)}\r\n` +
      'content-type: application/problem+json\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'cache-control: no-store\r\n' +
      `x-request-id: ${requestId}\r\n` +
      'connection: close\r\n\r\n' +
      body,
  );
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };
const statusText = (status: number) => STATUS_TEXT[status] ?? 'Error';
