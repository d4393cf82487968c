// The demo as `npm run demo` runs it: a real process, offline, from the checkout (it imports
// the built package: `npm run build` first).
import { expect, it } from 'vitest';
import { example } from './run-example.js';

it('shows the certificate its server staples a revoked OCSP response for as CRITICAL', async () => {
  const { stdout, stderr, code } = await example('demo.ts', []);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(stdout).toMatch(
    /^CERTSWEEP CRITICAL - 127\.24\.0\.8:\d+ revoked: CN=revoked\.demo\.test on \S+ \(keyCompromise\), per the stapled OCSP response \|/m,
  );
  expect(stdout).toMatch(/CN=revoked\.demo\.test .* revoked \(staple\)/);
  // The healthy site stays OK: the staple is about one certificate only.
  expect(stdout).toMatch(/^CERTSWEEP OK - 127\.24\.0\.1:\d+ chain valid/m);
}, 90_000);
