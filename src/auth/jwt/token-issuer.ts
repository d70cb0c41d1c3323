import { randomUUID, type KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SignJWT } from 'jose';
import { GatewayConfig } from '../../config/gateway-config.js';
import type { CompiledClient } from '../credentials/credential-table.js';
import { ServerSecret } from '../server-secret.js';
import { CONSUMER_CLAIM } from './jwt-claims.js';
import { hmacKey } from './jwt-keys.js';

export const DEFAULT_ISSUER = 'api-gateway';

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  jti: string;
}

/**
 * Signs the access tokens of the client credentials grant (HS256, RFC 9068 shape): `sub` is the
 * consumer's custom_id or id, `client_id` the client, and a private claim names the consumer, so
 * that deleting the consumer ends its tokens too. They verify with the same key as any HS token.
 */
@Injectable()
export class TokenIssuer {
  private readonly key: KeyObject;
  private readonly issuer: string;
  private readonly audience: string | undefined;

  constructor(
    private readonly config: GatewayConfig,
    secret: ServerSecret,
  ) {
    this.key = hmacKey(config, secret);
    this.issuer = config.jwtIssuers[0] ?? DEFAULT_ISSUER;
    this.audience = config.jwtAudiences[0];
  }

  async issue(client: CompiledClient, scopes: readonly string[]): Promise<IssuedToken> {
    const now = Math.floor(Date.now() / 1000);
    const jti = randomUUID();
    const ttl = this.config.authTokenTtlSeconds;
    const jwt = new SignJWT({ scope: scopes.join(' '), client_id: client.clientId, [CONSUMER_CLAIM]: client.consumer.id })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .setIssuer(this.issuer)
      .setSubject(client.consumer.customId ?? client.consumer.id)
      .setJti(jti)
      .setIssuedAt(now)
      .setExpirationTime(now + ttl);
    if (this.audience) jwt.setAudience(this.audience);
    return { accessToken: await jwt.sign(this.key), expiresIn: ttl, jti };
  }
}
