// The `certsweep` bin itself: version, the command list, unknown commands.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { certsweep, root } from './run-cli.js';

describe('certsweep', () => {
  it('prints the package version with --version', async () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    for (const flag of ['--version', '-V']) {
      const run = await certsweep([flag]);
      expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('lists its commands with --help, and on stderr with exit 2 when given none', async () => {
    const help = await certsweep(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: certsweep <command> \[options\]\n/);
    for (const name of ['scan', 'verify', 'trust import', 'export', 'import', 'prune']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    }
    const none = await certsweep([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe(help.stdout);
  });

  it('prints an error naming a hostile value with its control characters escaped', async () => {
    const run = await certsweep(['prune', '--older-than', '\u001b[2Jsoon']);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain('\u001b');
    expect(run.stderr).toMatch(/^certsweep prune: .*\\x1b\[2Jsoon/);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('refuses an unknown command in one line', async () => {
    const run = await certsweep(['scna']);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: 'certsweep: unknown command "scna"; certsweep --help lists the commands\n',
    });
  });

  it('gives every command of its list a --help', async () => {
    const help = await certsweep(['--help']);
    const names = [...help.stdout.matchAll(/^ {2}(\S+(?: [a-z]+)?) {2,}/gm)].map((m) => m[1] ?? '');
    expect(names.length).toBeGreaterThanOrEqual(6);
    for (const name of names) {
      const run = await certsweep([...name.split(' '), '--help']);
      expect(run.code, name).toBe(0);
      expect(run.stdout, name).toMatch(new RegExp(`^Usage: certsweep ${name}\\b`));
    }
    // A process per command, one after the other: on a loaded machine that is seconds.
  }, 60_000);
});
