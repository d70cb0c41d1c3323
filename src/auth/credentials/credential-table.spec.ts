import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CredentialTable } from './credential-table.js';

const consumers = [
  { id: 'c1', username: 'alice', customId: 'crm-1', scopes: ['a', 'b'] },
  { id: 'c2', username: 'bob', customId: null, scopes: [] },
];
const keyRow = (id: string, consumerId: string, keyHash: string, extra: Partial<{ secretFingerprint: string; revokedAt: Date; expiresAt: Date }> = {}) => ({
  id,
  consumerId,
  keyHash,
  secretFingerprint: 'fp',
  expiresAt: null,
  revokedAt: null,
  ...extra,
});

describe('CredentialTable', () => {
  it("compiles each consumer's API key identity once, shared by its keys", () => {
    const table = CredentialTable.compile(3, 'fp', consumers, [keyRow('k1', 'c1', 'h1'), keyRow('k2', 'c1', 'h2'), keyRow('k3', 'c2', 'h3')], []);
    const alice = table.apiKeys.get('h1')!.consumer.keyIdentity;
    assert.equal(table.apiKeys.get('h2')!.consumer.keyIdentity, alice);
    assert.deepEqual({ ...alice, scopes: [...alice.scopes] }, {
      method: 'api_key', consumerId: 'c1', subject: 'crm-1', scopes: ['a', 'b'], headers: { userId: 'crm-1', scopes: 'a b' },
    });
    assert.equal(table.apiKeys.get('h3')!.consumer.keyIdentity.subject, 'c2', 'without a custom_id the subject is the consumer id');
    assert.equal(table.version, 3);
  });

  it('keeps revoked and expiring keys with their state, drops orphans, and counts hashes of another secret', () => {
    const table = CredentialTable.compile(1, 'fp', consumers, [
      keyRow('k1', 'c1', 'h1', { revokedAt: new Date() }),
      keyRow('k2', 'c1', 'h2', { expiresAt: new Date(5_000) }),
      keyRow('k3', 'gone', 'h3'),
      keyRow('k4', 'c2', 'h4', { secretFingerprint: 'other' }),
    ], [{ id: 'o1', consumerId: 'c2', clientId: 'gwc_1', secretHash: 's', secretFingerprint: 'other' }]);
    assert.equal(table.apiKeys.get('h1')!.revoked, true);
    assert.equal(table.apiKeys.get('h2')!.expiresAtMs, 5_000);
    assert.equal(table.apiKeys.has('h3'), false);
    assert.equal(table.foreignHashes, 2);
    assert.equal(table.clients.get('gwc_1')!.consumer.username, 'bob');
  });

  it('hashes a presented key once, remembers only keys that exist, and a new table forgets', () => {
    const rows = [keyRow('k1', 'c1', 'hash:good')];
    const table = CredentialTable.compile(1, 'fp', consumers, rows, []);
    let hashed = 0;
    const hash = (key: string) => {
      hashed++;
      return `hash:${key}`;
    };
    assert.equal(table.keyFor('good', hash)?.id, 'k1');
    assert.equal(table.keyFor('good', hash)?.id, 'k1');
    assert.equal(hashed, 1, 'the second lookup did not hash');
    assert.equal(table.keyFor('made-up', hash), undefined);
    assert.equal(table.keyFor('made-up', hash), undefined);
    assert.equal(hashed, 3, 'misses are never remembered');
    const next = CredentialTable.compile(2, 'fp', consumers, [], []);
    assert.equal(next.keyFor('good', hash), undefined, 'a key deleted in the new table is not found through an old memo');
  });
});
