import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../common/gateway-error.js';

/** The client went away while its body was being read: nobody is left to answer. */
export class ClientGone extends Error {
  constructor() {
    super('the client closed the connection while sending its body');
    this.name = 'ClientGone';
  }
}

/**
 * Reads a request body of a known, bounded length into one buffer, so that it can be sent to
 * more than one target. Node's parser never delivers more than the Content-Length; fewer bytes
 * mean the client went away or lied.
 */
export function readBody(req: IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const body = Buffer.allocUnsafe(length);
    let offset = 0;
    const onData = (chunk: Buffer) => {
      chunk.copy(body, offset);
      offset += chunk.length;
    };
    const onEnd = () => {
      cleanup();
      if (offset === length) resolve(body);
      else reject(new GatewayError('INVALID_REQUEST', 'the request body does not match its Content-Length'));
    };
    const onGone = () => {
      cleanup();
      reject(new ClientGone());
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onGone);
  });
}
