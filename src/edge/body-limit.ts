import { Transform, type TransformCallback } from 'node:stream';
import { GatewayError } from '../common/gateway-error.js';

/**
 * Counts a chunked request body on its way upstream and fails the stream at MAX_REQUEST_SIZE, which
 * aborts the upstream request. (A body with Content-Length is judged before it is read, and Node's
 * parser holds it to that length.)
 */
export class BodyLimit extends Transform {
  private seen = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.maxBytes) done(new GatewayError('PAYLOAD_TOO_LARGE', `the body is larger than ${this.maxBytes} bytes`));
    else done(null, chunk);
  }
}
