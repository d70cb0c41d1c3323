import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Fails with what to do when Debian's `prometheus` package is not installed (never skips). */
export function requireBinary(name: 'prometheus' | 'promtool'): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${name} is not installed: run \`apt-get install -y prometheus\` (Debian's package; .ci/run installs it when missing)`);
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A real Prometheus on a free loopback port, its storage in a temp dir, scraping `targets` every second. */
export class PrometheusServer {
  output = '';
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(options: { targets: string[]; ruleFiles?: string[] }): Promise<PrometheusServer> {
    const binary = requireBinary('prometheus');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gateway-prometheus-'));
    const config = [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      ...(options.ruleFiles?.length ? ['rule_files:', ...options.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`)] : []),
      'scrape_configs:',
      '  - job_name: api-gateway',
      '    static_configs:',
      `      - targets: ${JSON.stringify(options.targets)}`,
    ].join('\n');
    writeFileSync(path.join(dir, 'prometheus.yml'), `${config}\n`);
    const port = await freePort();
    const child = spawn(
      binary,
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-lifecycle',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const server = new PrometheusServer(child, dir, port);
    child.stdout!.on('data', (chunk: Buffer) => (server.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (server.output += chunk.toString()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${server.output}`);
      try {
        if ((await fetch(`${server.url}/-/ready`)).ok) break;
      } catch {
        // not yet
      }
      if (Date.now() > deadline) throw new Error(`prometheus not ready within 30 s:\n${server.output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return server;
  }

  /** GET /api/v1/<path>; throws unless Prometheus says success. */
  async api<T = any>(pathAndQuery: string): Promise<T> {
    const response = await fetch(`${this.url}/api/v1/${pathAndQuery}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${pathAndQuery}: ${body.error}`);
    return body.data;
  }

  query(promql: string): Promise<{ resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> }> {
    return this.api(`query?query=${encodeURIComponent(promql)}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      await once(this.child, 'exit');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
