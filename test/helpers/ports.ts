import net from 'node:net';

// Privileged ports: nothing the tests start (always on port 0, so ephemeral) can take one of these
// between the check and the use, as could happen with a freed ephemeral port on a busy machine.
const CANDIDATES = [9, 13, 17, 19, 37, 79, 113, 119];

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** A loopback port nothing listens on (connections to it are refused). */
export async function closedPort(): Promise<number> {
  for (const port of CANDIDATES) if (await refused(port)) return port;
  throw new Error(`no closed privileged port among ${CANDIDATES.join(', ')}`);
}
