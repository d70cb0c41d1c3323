import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../common/gateway-error.js';
import { grantedScopes, parseTokenRequest } from './oauth-request.js';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

function oauthErrorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof GatewayError);
    return String(error.extras.extensions?.error);
  }
  return assert.fail('expected a refusal');
}

describe('parseTokenRequest', () => {
  it('reads client credentials from the body or from HTTP Basic, and the asked scopes', () => {
    const fromBody = parseTokenRequest({ grant_type: 'client_credentials', client_id: 'gwc_a', client_secret: 's', scope: 'a b  a' }, undefined);
    assert.deepEqual(fromBody, { client: { clientId: 'gwc_a', clientSecret: 's', via: 'body' }, scopes: ['a', 'b'] });
    const fromBasic = parseTokenRequest({ grant_type: 'client_credentials' }, basic('gwc_a', 'se%3Acret'));
    assert.deepEqual(fromBasic, { client: { clientId: 'gwc_a', clientSecret: 'se:cret', via: 'basic' }, scopes: undefined });
  });

  const refusals: Array<[string, unknown, string | undefined, string]> = [
    ['no grant_type', { client_id: 'a', client_secret: 'b' }, undefined, 'invalid_request'],
    ['another grant', { grant_type: 'password', client_id: 'a', client_secret: 'b' }, undefined, 'unsupported_grant_type'],
    ['no client authentication', { grant_type: 'client_credentials' }, undefined, 'invalid_client'],
    ['a secret without an id', { grant_type: 'client_credentials', client_secret: 'b' }, undefined, 'invalid_request'],
    ['a repeated parameter', { grant_type: 'client_credentials', client_id: ['a', 'b'], client_secret: 'b' }, undefined, 'invalid_request'],
    ['credentials both ways', { grant_type: 'client_credentials', client_secret: 'b' }, basic('a', 'b'), 'invalid_request'],
    ['Basic without a colon', { grant_type: 'client_credentials' }, `Basic ${Buffer.from('nocolon').toString('base64')}`, 'invalid_client'],
    ['a scope with a quote', { grant_type: 'client_credentials', client_id: 'a', client_secret: 'b', scope: 'a"b' }, undefined, 'invalid_scope'],
  ];
  for (const [label, body, authorization, error] of refusals) {
    it(`refuses ${label} with ${error}`, () => {
      assert.equal(oauthErrorOf(() => parseTokenRequest(body, authorization)), error);
    });
  }
});

describe('grantedScopes', () => {
  it('grants what was asked and is held, in the order asked', () => {
    assert.deepEqual(grantedScopes(['c', 'a', 'x'], ['a', 'b', 'c']), ['c', 'a']);
  });
  it('grants everything held when nothing was asked', () => {
    assert.deepEqual(grantedScopes(undefined, ['a', 'b']), ['a', 'b']);
    assert.deepEqual(grantedScopes([], ['a']), ['a']);
  });
  it('grants nothing when nothing asked is held', () => {
    assert.deepEqual(grantedScopes(['x'], ['a']), []);
  });
});
