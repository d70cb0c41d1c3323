import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCidr } from '../config/cidr.js';
import { TrustedProxies } from './trusted-proxies.js';

describe('parseCidr', () => {
  const valid: Array<[string, number]> = [['10.0.0.0/8', 8], ['10.1.2.3', 32], ['2001:db8::/32', 32], ['::1', 128], [' 192.168.0.0/16 ', 16]];
  for (const [entry, prefix] of valid) it(`reads ${entry}`, () => assert.equal(parseCidr(entry)?.prefix, prefix));
  for (const entry of ['10.0.0.0/33', '10.0.0/8', 'example.com', '10.0.0.0/8/1', '::1/129', '10.0.0.0/-1', '10.0.0.0/']) {
    it(`refuses ${entry}`, () => assert.equal(parseCidr(entry), undefined));
  }
});

describe('TrustedProxies', () => {
  const proxies = new TrustedProxies('10.0.0.0/8, 192.168.1.5, 2001:db8::/32');

  it('trusts addresses inside its ranges only', () => {
    assert.ok(proxies.trusts('10.200.1.1'));
    assert.ok(proxies.trusts('192.168.1.5'));
    assert.ok(proxies.trusts('2001:db8::7'));
    assert.ok(!proxies.trusts('192.168.1.6'));
    assert.ok(!proxies.trusts('203.0.113.1'));
    assert.ok(!proxies.trusts(''));
  });

  const cases: Array<[label: string, peer: string, xff: string | undefined, client: string]> = [
    ['an untrusted peer is the client, whatever it forwards', '203.0.113.1', '198.51.100.1', '203.0.113.1'],
    ['a trusted peer without a chain is the client', '10.0.0.1', undefined, '10.0.0.1'],
    ['a trusted peer names the client', '10.0.0.1', '198.51.100.1', '198.51.100.1'],
    ['trusted hops are skipped from the right', '10.0.0.1', '198.51.100.1, 10.0.0.2, 192.168.1.5', '198.51.100.1'],
    ['entries left of the first untrusted one are ignored (forgeable)', '10.0.0.1', '1.1.1.1, 198.51.100.1', '198.51.100.1'],
    ['an all-trusted chain gives its left-most entry', '10.0.0.1', '10.0.0.3, 10.0.0.2', '10.0.0.3'],
    ['garbage stops the walk at the last good hop', '10.0.0.1', 'not-an-ip, 10.0.0.2', '10.0.0.2'],
    ['IPv4-mapped entries are unwrapped', '10.0.0.1', '::ffff:198.51.100.1', '198.51.100.1'],
  ];
  for (const [label, peer, xff, client] of cases) it(label, () => assert.equal(proxies.clientOf(peer, xff), client));

  it('trusts nobody when empty', () => {
    const none = new TrustedProxies('');
    assert.ok(none.isEmpty);
    assert.equal(none.clientOf('10.0.0.1', '198.51.100.1'), '10.0.0.1');
  });
});
