import { describe, expect, it } from 'vitest';
import { checkExpiry, formatNagios, parseThreshold } from '../../src/monitor/index.js';
import { createIntermediate, createLeaf, createRoot, createSelfSigned } from '../helpers/pki.js';
import { DAY, inventoryOf } from './fixtures.js';

const now = Date.now();
const root = createRoot({
  notBefore: new Date(now - 100 * DAY),
  notAfter: new Date(now + 3000 * DAY),
});
const intermediate = createIntermediate(root, {
  notBefore: new Date(now - 100 * DAY),
  notAfter: new Date(now + 1000 * DAY),
});
/** A 90-day leaf with `daysLeft` days to go. */
const leaf = (name: string, daysLeft: number, issuer = intermediate) =>
  createLeaf(issuer, {
    subject: name,
    notBefore: new Date(now - (90 - daysLeft) * DAY),
    notAfter: new Date(now + daysLeft * DAY),
  });

describe('checkExpiry', () => {
  it('judges 90-day leaves by share of lifetime: OK, WARNING under 25%, CRITICAL under 10%', async () => {
    const inventory = await inventoryOf(
      [
        [
          { host: 'ok.test', port: 443, servername: 'ok.test' },
          [leaf('ok.test', 60), intermediate],
        ],
        [
          { host: 'warn.test', port: 443, servername: 'warn.test' },
          [leaf('warn.test', 20), intermediate],
        ],
        [
          { host: 'crit.test', port: 443, servername: 'crit.test' },
          [leaf('crit.test', 5), intermediate],
        ],
      ],
      [root],
    );
    expect((await checkExpiry(inventory, { host: 'ok.test' })).state).toBe('OK');
    expect((await checkExpiry(inventory, { host: 'warn.test' })).state).toBe('WARNING');
    const critical = await checkExpiry(inventory, { host: 'crit.test', port: 443 });
    expect(critical.state).toBe('CRITICAL');
    expect(critical.summary).toMatch(/crit\.test:443 CN=crit\.test expires in 4d|5d/);
    // Durations instead of shares.
    expect(
      (await checkExpiry(inventory, { host: 'ok.test' }, { warning: '90d', critical: '30d' }))
        .state,
    ).toBe('WARNING');
    expect(
      (await checkExpiry(inventory, { host: 'warn.test' }, { warning: '10d', critical: '2d' }))
        .state,
    ).toBe('OK');
  });

  it('counts the whole chain: an intermediate expiring first is what breaks the site', async () => {
    const shortLived = createIntermediate(root, {
      notBefore: new Date(now - 300 * DAY),
      notAfter: new Date(now + 3 * DAY),
    });
    const inventory = await inventoryOf(
      [
        [
          { host: 'mid.test', port: 443, servername: 'mid.test' },
          [leaf('mid.test', 80, shortLived), shortLived],
        ],
      ],
      [root],
    );
    const check = await checkExpiry(inventory, { host: 'mid.test' });
    expect(check.state).toBe('CRITICAL');
    expect(check.targets[0]?.chain.map((c) => c.state)).toEqual(['OK', 'CRITICAL']);
    expect(check.summary).toMatch(/Test Intermediate/);
  });

  it('maps an expired leaf, an untrusted chain and a hostname mismatch to CRITICAL', async () => {
    const stranger = createRoot();
    const inventory = await inventoryOf(
      [
        [
          { host: 'old.test', port: 443, servername: 'old.test' },
          [leaf('old.test', -2), intermediate],
        ],
        [
          { host: 'odd.test', port: 443, servername: 'odd.test' },
          [createLeaf(stranger, { subject: 'odd.test' })],
        ],
        [
          { host: 'name.test', port: 443, servername: 'name.test' },
          [leaf('other.test', 60), intermediate],
        ],
      ],
      [root],
    );
    const expired = await checkExpiry(inventory, { host: 'old.test' });
    expect(expired.state).toBe('CRITICAL');
    expect(expired.targets[0]?.reasons[0]).toMatch(/^expired: CN=old\.test/);
    const untrusted = await checkExpiry(inventory, { host: 'odd.test' });
    expect(untrusted.state).toBe('CRITICAL');
    expect(untrusted.targets[0]?.problems).toContain('incomplete-chain');
    const mismatch = await checkExpiry(inventory, { host: 'name.test' });
    expect(mismatch.state).toBe('CRITICAL');
    expect(mismatch.targets[0]?.problems).toContain('hostname-mismatch');
  });

  it('accepts a self-signed certificate only when told to', async () => {
    const self = createSelfSigned({
      subject: 'box.test',
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 300 * DAY),
    });
    const inventory = await inventoryOf(
      [[{ host: 'box.test', port: 8443, servername: 'box.test' }, [self]]],
      [root],
    );
    expect((await checkExpiry(inventory, { host: 'box.test' })).state).toBe('CRITICAL');
    expect(
      (await checkExpiry(inventory, { host: 'box.test' }, { allowSelfSigned: true })).state,
    ).toBe('OK');
  });

  it('is UNKNOWN, never OK, when nothing matches', async () => {
    const inventory = await inventoryOf([], [root]);
    const check = await checkExpiry(inventory, { host: 'ghost.test', port: 443 });
    expect(check.state).toBe('UNKNOWN');
    expect(check.summary).toMatch(/no target matching ghost\.test:443/);
    expect(formatNagios(check).exitCode).toBe(3);
    expect((await checkExpiry(inventory, { fingerprint: 'ab'.repeat(32) })).state).toBe('UNKNOWN');
  });

  it('checks a certificate by fingerprint', async () => {
    const cert = leaf('fp.test', 50);
    const inventory = await inventoryOf(
      [[{ host: 'fp.test', port: 443 }, [cert, intermediate]]],
      [root],
    );
    const check = await checkExpiry(inventory, { fingerprint: cert.x509.fingerprint256 });
    expect(check.state).toBe('OK');
    expect(check.targets[0]?.chain[0]?.subject).toBe('CN=fp.test');
  });

  it('refuses nonsense thresholds, naming them', () => {
    expect(parseThreshold('25%', 'warning')).toEqual({
      kind: 'share',
      fraction: 0.25,
      text: '25%',
    });
    expect(parseThreshold('12h', 'critical')).toEqual({
      kind: 'duration',
      ms: 43_200_000,
      text: '12h',
    });
    expect(() => parseThreshold('soon', 'warning')).toThrow(/warning: "soon" is not a threshold/);
    expect(() => parseThreshold('150%', 'critical')).toThrow(/critical: "150%"/);
  });
});
