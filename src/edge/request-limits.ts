import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../common/gateway-error.js';
import type { GatewayConfig } from '../config/gateway-config.js';

// A dot segment, doubled slash, encoded slash or backslash, or NUL could step out of the matched
// route once an upstream normalises the path differently from the route table: refused outright.
const UNSAFE_PATH = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)|\/\/|%2f|%5c|\\|%00|\0/i;

/**
 * The limits every request passes before routing, each a comparison against a number fixed at
 * start. What Node's parser refuses itself (header block over MAX_HEADER_SIZE, Content-Length with
 * Transfer-Encoding, a bad Content-Length, CR/LF in a value) is answered in client-error.ts.
 */
export class RequestLimits {
  private readonly maxUrlLength: number;
  private readonly maxRawHeaders: number;
  private readonly maxRequestSize: number;

  constructor(config: GatewayConfig) {
    this.maxUrlLength = config.maxUrlLength;
    this.maxRawHeaders = config.maxHeaderCount * 2;
    this.maxRequestSize = config.maxRequestSize;
  }

  /** Node's own cap: it keeps one header past ours, so that "too many" shows instead of being cut off silently. */
  get serverMaxHeadersCount(): number {
    return this.maxRawHeaders / 2 + 1;
  }

  get maxBodyBytes(): number {
    return this.maxRequestSize;
  }

  /** Checks every request, control plane included. */
  checkRequest(req: IncomingMessage): GatewayError | undefined {
    if (req.url!.length > this.maxUrlLength) return new GatewayError('URI_TOO_LONG', `the request target is longer than ${this.maxUrlLength} bytes`);
    if (req.rawHeaders.length > this.maxRawHeaders) return new GatewayError('HEADERS_TOO_LARGE', `the request carries more than ${this.maxRawHeaders / 2} headers`);
    return undefined;
  }

  /** Checks a proxied request before routing. */
  checkProxied(req: IncomingMessage, path: string): GatewayError | undefined {
    if (UNSAFE_PATH.test(path)) return new GatewayError('INVALID_REQUEST', 'the path holds dot segments, doubled or encoded slashes, backslashes or NUL bytes');
    const { headers } = req;
    const length = headers['content-length'];
    if (length !== undefined && Number(length) > this.maxRequestSize) {
      return new GatewayError('PAYLOAD_TOO_LARGE', `the body is larger than ${this.maxRequestSize} bytes`);
    }
    const encoding = headers['transfer-encoding'];
    // Node accepts codings it cannot undo (`gzip` alone); only `chunked` delimits a body we can pass on.
    if (encoding !== undefined && encoding.toLowerCase() !== 'chunked') return new GatewayError('INVALID_REQUEST', 'Transfer-Encoding may only be chunked');
    return undefined;
  }
}
