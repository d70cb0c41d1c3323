import { unmapped } from '../edge/trusted-proxies.js';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Identity } from './request-context.js';

/** RFC 9110 §7.6.1: meaningful for one connection only, never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Identity headers only the gateway may set; a client's copies are dropped. */
export const IDENTITY_HEADERS = new Set(['x-consumer-id', 'x-user-id', 'x-scopes']);

// Replaced by the gateway's own values below; `expect` is answered by the gateway's own server.
const REWRITTEN = new Set(['host', 'x-forwarded-proto', 'x-forwarded-host', 'x-request-id', 'expect']);

const CLOSE_TOKEN: ReadonlySet<string> = new Set(['close']);

function connectionTokens(value: string | string[] | undefined): ReadonlySet<string> | undefined {
  if (!value) return undefined;
  // The usual values, without building a list: every response of a keep-alive upstream says one of them.
  if (value === 'keep-alive' || value === 'Keep-Alive') return undefined;
  if (value === 'close' || value === 'Close') return CLOSE_TOKEN;
  const tokens = (Array.isArray(value) ? value.join(',') : value).split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  return tokens.length ? new Set(tokens) : undefined;
}

/** The peer's address as a proxy header carries it (`::ffff:10.0.0.1` → `10.0.0.1`). */
export function clientAddress(req: IncomingMessage): string {
  return unmapped(req.socket.remoteAddress ?? '');
}

function forwardedNode(address: string): string {
  // RFC 7239 §6: IPv6 addresses are bracketed and the value quoted.
  return address.includes(':') ? `"[${address}]"` : address;
}

export interface ForwardingFacts {
  requestId: string;
  /** The address this hop saw: the TCP peer. */
  peerIp: string;
  /** The peer is a trusted proxy (TRUSTED_PROXIES): the chain it forwarded is kept; otherwise it is replaced. */
  trustedPeer: boolean;
  proto: 'http' | 'https';
  /** Host header sent upstream. */
  upstreamHost: string;
  /** Sent as X-Consumer-Id, X-User-Id, X-Scopes. */
  identity?: Identity;
  /** Left out (credentials the upstream must not see). */
  withheld?: ReadonlySet<string>;
}

/** The headers sent upstream: hop-by-hop, withheld and spoofed identity dropped; forwarding and identity headers set. */
export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, facts: ForwardingFacts): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const tokens = connectionTokens(incoming.connection);
  const withheld = facts.withheld;
  for (const name in incoming) {
    if (HOP_BY_HOP.has(name) || IDENTITY_HEADERS.has(name) || REWRITTEN.has(name) || tokens?.has(name) || withheld?.has(name)) continue;
    const value = incoming[name];
    if (value !== undefined) out[name] = value;
  }
  const clientHost = incoming.host;
  // From anyone but a trusted proxy, a forwarded chain is the client's own say-so: replaced, not extended.
  const priorFor = facts.trustedPeer ? incoming['x-forwarded-for'] : undefined;
  out['x-forwarded-for'] = priorFor ? `${Array.isArray(priorFor) ? priorFor.join(', ') : priorFor}, ${facts.peerIp}` : facts.peerIp;
  // A trusted proxy in front (a TLS-terminating balancer) knows the scheme and host the client used.
  const priorProto = facts.trustedPeer ? incoming['x-forwarded-proto'] : undefined;
  out['x-forwarded-proto'] = priorProto === 'https' || priorProto === 'http' ? priorProto : facts.proto;
  const priorHost = facts.trustedPeer ? incoming['x-forwarded-host'] : undefined;
  if (priorHost || clientHost) out['x-forwarded-host'] = (priorHost || clientHost)!;
  const element = `for=${forwardedNode(facts.peerIp)};proto=${facts.proto}${clientHost ? `;host="${clientHost.replaceAll('"', '')}"` : ''}`;
  const priorForwarded = facts.trustedPeer ? incoming.forwarded : undefined;
  out.forwarded = priorForwarded ? `${priorForwarded}, ${element}` : element;
  out['x-request-id'] = facts.requestId;
  out.host = facts.upstreamHost;
  const identity = facts.identity;
  if (identity) {
    if (identity.consumerId !== null) out['x-consumer-id'] = identity.consumerId;
    out['x-user-id'] = identity.headers.userId;
    out['x-scopes'] = identity.headers.scopes;
  }
  // `TE: trailers` is the one TE value a proxy passes on (RFC 9110 §10.1.4).
  if (incoming.te && /\btrailers\b/i.test(String(incoming.te))) out.te = 'trailers';
  return out;
}

/** The upstream response's headers as the client gets them: hop-by-hop dropped, request id added. */
export function downstreamResponseHeaders(upstream: Record<string, string | string[] | undefined>, requestId: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const tokens = connectionTokens(upstream.connection);
  for (const name in upstream) {
    if (HOP_BY_HOP.has(name) || tokens?.has(name)) continue;
    out[name] = upstream[name];
  }
  out['x-request-id'] = requestId;
  return out;
}

/** Whether the request carries a body (RFC 9112 §6.3: framing is Content-Length or Transfer-Encoding). */
export function hasRequestBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}
