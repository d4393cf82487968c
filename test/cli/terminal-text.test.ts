import { describe, expect, it } from 'vitest';
import { formatSeconds, renderProgress } from '../../src/cli/progress.js';
import { renderTable, sanitize, truncate } from '../../src/cli/table.js';

describe('sanitize', () => {
  it('writes every control character as a visible escape, so no sequence reaches the terminal', () => {
    const hostile = 'a\u001b]0;owned\u0007b\u001b[2J\r\nc\u009bd\u202egnp.exe\u0000';
    const safe = sanitize(hostile);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for them
    expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(safe).toBe('a\\x1b]0;owned\\x07b\\x1b[2J\\x0d\\x0ac\\x9bd\\u202egnp.exe\\x00');
  });

  it('leaves printable text, accents and CJK alone', () => {
    expect(sanitize('CN=Ünïcödé 証明書, O=Example')).toBe('CN=Ünïcödé 証明書, O=Example');
  });
});

describe('renderTable', () => {
  it('aligns columns, cuts long cells with an ellipsis and drops trailing blanks', () => {
    const text = renderTable(
      [{ header: 'subject', max: 8 }, { header: 'days', align: 'right' }, { header: 'note' }],
      [
        ['CN=www.example.com', '12', ''],
        ['CN=a', '345', 'x'],
      ],
    );
    expect(text).toBe('subject   days  note\nCN=www.…    12\nCN=a       345  x\n');
  });

  it('shrinks the flexible column to the width given', () => {
    const text = renderTable(
      [{ header: 'a' }, { header: 'problems', flex: true, max: 80 }],
      [['x'.repeat(10), 'p'.repeat(70)]],
      { width: 40 },
    );
    for (const line of text.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(40);
    expect(text).toContain('…');
  });

  it('sanitizes the cells it prints', () => {
    expect(renderTable([{ header: 'h' }], [['\u001b[31mred']])).toBe('h\n\\x1b[31mred\n');
  });
});

describe('truncate', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(truncate('😀😀😀', 3)).toBe('😀😀😀');
    expect(truncate('😀😀😀😀', 3)).toBe('😀😀…');
  });
});

describe('renderProgress', () => {
  it('shows count, bar, share, rate and time left within the width', () => {
    const line = renderProgress({
      label: 'scan ',
      done: 25,
      failed: 2,
      total: 100,
      rate: 5,
      width: 70,
      color: false,
    });
    expect(line).toMatch(/^scan 25\/100 █+░+ 25% 2 failed {2}5\.0\/s {2}ETA 15s$/);
    expect(line.length).toBeLessThanOrEqual(70);
  });

  it('colours the bar only when asked, and drops it when the line is narrow', () => {
    const state = { label: '', done: 1, failed: 0, total: 2, rate: 1, width: 80 };
    expect(renderProgress({ ...state, color: true })).toContain('\u001b[32m');
    expect(renderProgress({ ...state, color: false })).not.toContain('\u001b');
    expect(renderProgress({ ...state, width: 24, color: true })).toBe('1/2 50% 1.0/s  ETA 1s');
  });

  it('counts without a total', () => {
    expect(
      renderProgress({
        label: '',
        done: 7,
        failed: 0,
        total: undefined,
        rate: undefined,
        width: 80,
        color: false,
      }),
    ).toBe('7');
  });
});

describe('formatSeconds', () => {
  it('reads as the time left', () => {
    expect([0.2, 45, 185, 7440, 266_400].map(formatSeconds)).toEqual([
      '1s',
      '45s',
      '3m05s',
      '2h04m',
      '3d02h',
    ]);
  });
});
