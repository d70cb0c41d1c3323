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


export interface RawExchange {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The whole answer as received, for diagnostics. */
  raw: string;
}

/**
 * Writes bytes exactly as given on a fresh TCP connection and reads the first HTTP response: for
 * requests no HTTP client would send (both Content-Length and Transfer-Encoding, CR in a value...).
 * `then` is written after the first bytes, unless the server answered or closed first.
 */
export function rawExchange(port: number, bytes: string | Buffer, options: { then?: Buffer; timeoutMs?: number } = {}): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${options.timeoutMs ?? 10_000} ms; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1'))}`));
    }, options.timeoutMs ?? 10_000);
    const finish = () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      const parsed = parseResponse(raw);
      if (!parsed) return false;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parsed, raw });
      return true;
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      finish();
    });
    socket.on('error', () => undefined); // a reset after the answer is expected for refused bodies
    socket.on('close', () => {
      if (!finish()) {
        clearTimeout(timer);
        reject(new Error(`connection closed; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1'))}`));
      }
    });
    socket.write(bytes, () => {
      if (options.then && !socket.destroyed) socket.write(options.then, () => undefined);
    });
  });
}

function parseResponse(raw: string): Omit<RawExchange, 'raw'> | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const body = raw.slice(end + 4);
  if (Buffer.byteLength(body, 'latin1') < length) return undefined;
  return { status: Number(statusLine.split(' ')[1]), headers, body: body.slice(0, length) };
}
