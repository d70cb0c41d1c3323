import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';

/**
 * Passes the upstream body to the client as it comes (with the client's backpressure) and keeps a
 * copy up to `maxBytes`; past that it drops the copy and only passes bytes on. `onComplete` runs
 * only when the whole body arrived and fit.
 */
export class CacheTee extends Writable {
  private chunks: Buffer[] | undefined = [];
  private size = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly maxBytes: number,
    private readonly onComplete: (body: Buffer) => void,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.chunks) {
      this.size += chunk.length;
      if (this.size > this.maxBytes) this.chunks = undefined;
      else this.chunks.push(chunk);
    }
    if (this.res.write(chunk)) done();
    else this.res.once('drain', () => done());
  }

  override _final(done: (error?: Error | null) => void): void {
    this.res.end();
    if (this.chunks) this.onComplete(Buffer.concat(this.chunks, this.size));
    this.chunks = undefined;
    done();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.chunks = undefined;
    // A body cut short upstream must reach the client cut short too, never as a complete answer.
    if (error && !this.res.writableFinished) this.res.destroy();
    done(error);
  }
}
