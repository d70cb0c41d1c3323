import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { BodyCapture } from './body-capture.js';
import type { CompiledCachePolicy } from './compiled-cache-policy.js';
import { headerValue, storableTtlMs, varyNames } from './cache-control.js';
import type { CachedResponse, ResponseCacheStore } from './response-cache-store.js';

// Per-response headers the gateway sets itself; never replayed from an entry.
const NOT_STORED = new Set(['x-request-id', 'x-cache', 'age']);

/** A MISS that may be stored: made by the cache phase, used where the forwarder writes the answer. */
export class CacheFill {
  constructor(
    private readonly store: ResponseCacheStore,
    private readonly routeId: string,
    private readonly generation: string,
    private readonly variantKey: string,
    private readonly policy: CompiledCachePolicy,
    private readonly requestHeaders: IncomingHttpHeaders,
    private readonly onSaveError: (error: unknown) => void,
  ) {}

  /** What keeps a copy of the upstream body on its way to the client; undefined when this answer cannot be stored. */
  capture(status: number, headers: OutgoingHttpHeaders): BodyCapture | undefined {
    const ttlMs = storableTtlMs(status, headers, this.policy.ttlMs);
    if (ttlMs === 0) return undefined;
    const declared = Number(headers['content-length']);
    if (declared > this.policy.maxBodyBytes) return undefined;
    return new BodyCapture(this.policy.maxBodyBytes, (body) => this.save(status, headers, body, ttlMs));
  }

  private save(status: number, headers: OutgoingHttpHeaders, body: Buffer, ttlMs: number): void {
    const stored: Record<string, string | string[]> = {};
    for (const name in headers) {
      const value = headers[name];
      if (value !== undefined && !NOT_STORED.has(name)) stored[name] = typeof value === 'number' ? String(value) : value;
    }
    const upstreamVary: Record<string, string> = {};
    for (const name of varyNames(headers.vary)) upstreamVary[name] = headerValue(this.requestHeaders, name);
    const entry: CachedResponse = { status, headers: stored, body, storedAt: Date.now(), upstreamVary };
    this.store.save(this.routeId, this.generation, this.variantKey, entry, ttlMs).catch(this.onSaveError);
  }
}
