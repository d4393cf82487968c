import { describe, expect, it } from 'vitest';
import {
  checkExpiry,
  escapeLabel,
  formatNagios,
  formatPrometheus,
} from '../../src/monitor/index.js';
import { createIntermediate, createLeaf, createRoot } from '../helpers/pki.js';
import { DAY, inventoryOf } from './fixtures.js';

const now = Date.now();
const root = createRoot({ notAfter: new Date(now + 3000 * DAY) });
const intermediate = createIntermediate(root, { notAfter: new Date(now + 1000 * DAY) });
const HOSTILE = `evil|cert' ="x\\"\ninjected | 'quoted'=1;2;3`;
const hostileLeaf = createLeaf(intermediate, {
  subject: { CN: HOSTILE, O: 'Org, "Inc"' },
  san: { dns: ['evil.test'] },
  notBefore: new Date(now - 80 * DAY),
  notAfter: new Date(now + 10 * DAY),
});

describe('formatNagios', () => {
  it('prints the plugin line with perfdata in range form and the exit code', async () => {
    const inventory = await inventoryOf(
      [[{ host: 'evil.test', port: 443, servername: 'evil.test' }, [hostileLeaf, intermediate]]],
      [root],
    );
    const check = await checkExpiry(
      inventory,
      { host: 'evil.test' },
      { warning: '30d', critical: '7d' },
    );
    const { output, exitCode } = formatNagios(check);
    expect(check.state).toBe('WARNING');
    expect(exitCode).toBe(1);
    const [first, ...details] = output.split('\n');
    expect(first).toMatch(/^CERTSWEEP WARNING - /);
    // A hostile subject cannot open a second perfdata section or a new line.
    expect(first?.split('|').length).toBe(2);
    expect(details.length).toBe(1);
    const perfdata = first?.split('|')[1]?.trim() ?? '';
    const items = perfdata.match(/'(?:[^']|'')*'=-?\d+s;\d+:;\d+:;;/g) ?? [];
    expect(items.length).toBe(2);
    expect(items.join(' ')).toBe(perfdata);
    expect(items[0]).toMatch(/;2592000:;604800:;;$/);
  });

  it('maps states to exit codes 0-3', async () => {
    const good = createLeaf(intermediate, {
      subject: 'good.test',
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 80 * DAY),
    });
    const inventory = await inventoryOf(
      [[{ host: 'good.test', port: 443, servername: 'good.test' }, [good, intermediate]]],
      [root],
    );
    const ok = formatNagios(await checkExpiry(inventory, { host: 'good.test' }));
    expect(ok.exitCode).toBe(0);
    expect(ok.output).toMatch(/^CERTSWEEP OK - good\.test:443 chain valid, first expiry in/);
    const critical = formatNagios(
      await checkExpiry(inventory, { host: 'good.test' }, { critical: '100d' }),
    );
    expect(critical.exitCode).toBe(2);
  });
});

describe('formatPrometheus', () => {
  it('renders the text exposition format with escaped labels', async () => {
    const inventory = await inventoryOf(
      [[{ host: 'evil.test', port: 443, servername: 'evil.test' }, [hostileLeaf, intermediate]]],
      [root],
    );
    const text = await formatPrometheus(inventory, { at: now });
    const lines = text.trimEnd().split('\n');
    const sample = /^[a-z_]+\{(?:[a-z0-9_]+="(?:[^"\\\n]|\\[\\"n])*",?)*\} -?\d+$/;
    for (const line of lines) {
      if (line.startsWith('#')) expect(line).toMatch(/^# (HELP|TYPE) certsweep_[a-z_]+ /);
      else expect(line).toMatch(sample);
    }
    expect(text).toContain(`subject_cn="${escapeLabel(HOSTILE)}"`);
    expect(text).toMatch(/certsweep_cert_expires_in_seconds\{[^}]*\} 86(39|40)\d\d\n/);
    expect(text).toMatch(
      /certsweep_target_up\{zone="default",address="evil\.test",port="443",servername="evil\.test",job="test"\} 1/,
    );
    expect(text).toMatch(/certsweep_chain_valid\{[^}]*\} 1/);
  });

  it('escapes backslash, quote and line feed', () => {
    expect(escapeLabel('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });
});
