import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Injectable } from '@nestjs/common';
import { GatewayConfig } from '../config/gateway-config.js';
import type { Identity } from '../proxy/request-context.js';
import { AuthErrors, type CredentialKind } from './auth-errors.js';
import { bearerTokenOf, headerOf } from './credentials-of-request.js';
import type { CompiledApiKey, CompiledClient } from './credentials/credential-table.js';
import { CredentialTableService } from './credentials/credential-table.service.js';
import { JwtVerifier, type VerifiedToken } from './jwt/jwt-verifier.js';
import { Denylist } from './revocation/denylist.service.js';
import { ServerSecret } from './server-secret.js';

/** A credential a control-plane request carries, with what it stands for. */
export interface PresentedCredential {
  kind: CredentialKind;
  identity: Identity;
  token?: VerifiedToken;
  apiKey?: CompiledApiKey;
}

// Generated keys are 47 characters; anything far off that is not worth a hash.
const MAX_API_KEY_LENGTH = 256;

/**
 * Turns a presented credential into what it stands for, from memory only: a Bearer JWT into its
 * verified token (revocations and deleted consumers honoured), an API key into its key record,
 * client credentials into the client. Shared by the data plane's auth phase, the admin guard and
 * the token endpoints; every refusal is an AuthError with its reason.
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly jwt: JwtVerifier,
    private readonly credentials: CredentialTableService,
    private readonly denylist: Denylist,
    private readonly secret: ServerSecret,
    private readonly errors: AuthErrors,
    private readonly config: GatewayConfig,
  ) {}

  /**
   * The credential of a control-plane request: a Bearer token first, else the API key header;
   * undefined when it carries neither. `attempt` learns which kind is being checked (for events).
   */
  async fromHeaders(headers: IncomingHttpHeaders, attempt?: (kind: CredentialKind) => void): Promise<PresentedCredential | undefined> {
    const bearer = bearerTokenOf(headers.authorization);
    if (bearer !== undefined) {
      attempt?.('jwt');
      const token = await this.token(bearer);
      return { kind: 'jwt', identity: token.identity, token };
    }
    const key = headerOf(headers, this.config.apiKeyHeader);
    if (key !== undefined) {
      attempt?.('api_key');
      const apiKey = this.apiKey(key);
      return { kind: 'api_key', identity: apiKey.consumer.keyIdentity, apiKey };
    }
    return undefined;
  }

  /** Synchronous when the token was verified before (the usual case). */
  token(token: string): VerifiedToken | Promise<VerifiedToken> {
    const verified = this.jwt.verify(token);
    return verified instanceof Promise ? verified.then(this.admitToken) : this.admitToken(verified);
  }

  apiKey(presented: string): CompiledApiKey {
    if (presented.length === 0 || presented.length > MAX_API_KEY_LENGTH) throw this.errors.invalid('api_key', 'unknown_api_key');
    const key = this.credentials.current.keyFor(presented, this.hashKey);
    if (key === undefined) throw this.errors.invalid('api_key', 'unknown_api_key');
    if (key.revoked) throw this.errors.invalid('api_key', 'revoked');
    if (key.expiresAtMs !== null && key.expiresAtMs <= Date.now()) throw this.errors.invalid('api_key', 'expired');
    return key;
  }

  /** The client these credentials belong to, or undefined. */
  client(clientId: string, clientSecret: string): CompiledClient | undefined {
    const client = this.credentials.current.clients.get(clientId);
    // Hashed either way, so that an unknown client_id takes as long as a wrong secret.
    const presented = Buffer.from(this.secret.hash(clientSecret), 'hex');
    const stored = Buffer.from(client?.secretHash ?? '0'.repeat(64), 'hex');
    return client !== undefined && presented.length === stored.length && timingSafeEqual(presented, stored) ? client : undefined;
  }

  private readonly hashKey = (presented: string): string => this.secret.hash(presented);

  private readonly admitToken = (verified: VerifiedToken): VerifiedToken => {
    if (this.denylist.has(verified.revocationId)) throw this.errors.invalid('jwt', 'revoked');
    if (verified.consumerId !== null) {
      // A token the gateway issued lives only as long as its consumer and client do.
      const client = verified.clientId === null ? undefined : this.credentials.current.clients.get(verified.clientId);
      if (client?.consumer.id !== verified.consumerId) throw this.errors.invalid('jwt', 'unknown_consumer');
    }
    return verified;
  };
}
