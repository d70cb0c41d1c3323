import net from 'node:net';

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
