import net from 'node:net';

/**
 * HTTP/1.1 exchanges on one raw TCP connection, byte for byte: what was written and what came
 * back, so a test can compare the gateway's byte counters with the truth on the wire.
 */
export class RawConnection {
  private readonly socket: net.Socket;
  private buffer = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  private closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<RawConnection> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawConnection(socket);
  }

  /** Sends `request` exactly as given and reads one response (Content-Length or chunked); returns both sizes. */
  async exchange(request: string): Promise<{ sent: number; received: number; status: number; text: string }> {
    const bytes = Buffer.from(request, 'latin1');
    this.socket.write(bytes);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const headEnd = this.buffer.indexOf('\r\n\r\n');
      if (headEnd >= 0) {
        const head = this.buffer.subarray(0, headEnd).toString('latin1');
        const total = /\r\ntransfer-encoding:\s*chunked/i.test(head)
          ? chunkedEnd(this.buffer, headEnd + 4)
          : headEnd + 4 + Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (total !== undefined && this.buffer.length >= total) {
          const response = this.buffer.subarray(0, total);
          this.buffer = this.buffer.subarray(total);
          return { sent: bytes.length, received: response.length, status: Number(head.split(' ')[1]), text: response.toString('latin1') };
        }
      }
      if (this.closed) throw new Error(`connection closed with ${this.buffer.length} bytes unread`);
      if (Date.now() > deadline) throw new Error('no complete response within 10 s');
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 100);
      });
    }
  }

  close(): void {
    this.socket.end();
  }
}

/** Where a chunked body that starts at `start` ends (after the last chunk and its empty trailer), if it is all there. */
function chunkedEnd(buffer: Buffer, start: number): number | undefined {
  let at = start;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(buffer.subarray(at, lineEnd).toString('latin1'), 16);
    if (size === 0) {
      const end = buffer.indexOf('\r\n\r\n', lineEnd);
      return end < 0 ? undefined : end + 4;
    }
    at = lineEnd + 2 + size + 2;
    if (at > buffer.length) return undefined;
  }
}
