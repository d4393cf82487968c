import { describe, expect, it } from 'vitest';
import {
  CertificateParseError,
  CertificateTooLargeError,
  CertsweepError,
  CheckOptionsError,
  CronError,
  checkExpiry,
  countTargets,
  ERROR_CODES,
  type ErrorCode,
  FleetError,
  fileStorage,
  fingerprint,
  Inventory,
  InventoryOptionsError,
  JobError,
  JobsFileError,
  PageError,
  parseCertificate,
  RevocationOptionsError,
  repairFileStorage,
  ScanOptionsError,
  StorageCorruptError,
  StorageError,
  StorageFormatError,
  StorageLockedError,
  scan,
  sqliteStorage,
  TargetLimitError,
  TargetSpecError,
  ThresholdError,
  TrustStoreError,
  UnknownRunError,
  VerifyOptionsError,
  WebOptionsError,
} from '../src/index.js';

/** One instance of every concrete error class, built as the library builds them. */
function oneOfEach(): CertsweepError[] {
  const cause = new Error('low level');
  return [
    new TargetSpecError({ field: 'ports', token: '0', message: 'ports: "0" is out of range' }),
    new TargetLimitError({ count: 5n, limit: 4n }),
    new ScanOptionsError({ option: 'timeoutMs', message: 'timeoutMs: -1 must be > 0' }),
    new CertificateParseError({ message: 'malformed certificate', cause }),
    new CertificateTooLargeError({ size: 70_000, limit: 65_536 }),
    new TrustStoreError({ message: 'cannot read /x', path: '/x', cause }),
    new StorageError({ message: 'disk full', adapter: 'file', path: '/x', cause }),
    new StorageLockedError({ path: '/x', pid: 42 }),
    new StorageFormatError({ message: 'newer', adapter: 'sqlite', found: 9, supported: 1 }),
    new StorageCorruptError({ path: '/x', file: '/x/log-1', offset: 7, reason: 'checksum' }),
    new InventoryOptionsError({ option: 'batchSize', message: 'batchSize must be ≥ 1' }),
    new UnknownRunError({ run: 'r1' }),
    new PageError({ option: 'cursor', message: 'not a page cursor' }),
    new JobError({ job: 'dmz', field: 'targets', message: 'job "dmz": targets: bad' }),
    new CronError({ job: 'dmz', expression: '61 * * * *', message: 'bad minute' }),
    new JobsFileError({ path: 'jobs.json', field: 'jobs', message: 'not JSON', cause }),
    new VerifyOptionsError({ option: 'at', message: 'at: not a date' }),
    new RevocationOptionsError({ option: 'timeoutMs', message: 'timeoutMs: -1' }),
    new CheckOptionsError({ option: 'subject.port', message: 'subject.port: 99999' }),
    new ThresholdError({ option: 'warning', value: 'soon' }),
    new WebOptionsError({ option: 'listen', message: 'not HOST:PORT' }),
    new FleetError({ option: 'scanner', message: 'scanner: "a b" is no scanner id' }),
  ];
}

// Compiles only while every code is handled: a new code without a case breaks the build.
function describeCode(code: ErrorCode): string {
  switch (code) {
    case 'CERTSWEEP_TARGET_SPEC':
    case 'CERTSWEEP_TARGET_LIMIT':
      return 'targets';
    case 'CERTSWEEP_SCAN_OPTIONS':
      return 'scan';
    case 'CERTSWEEP_CERTIFICATE_PARSE':
    case 'CERTSWEEP_CERTIFICATE_TOO_LARGE':
      return 'x509';
    case 'CERTSWEEP_TRUST_STORE':
      return 'trust';
    case 'CERTSWEEP_STORAGE':
    case 'CERTSWEEP_STORAGE_LOCKED':
    case 'CERTSWEEP_STORAGE_FORMAT':
    case 'CERTSWEEP_STORAGE_CORRUPT':
    case 'CERTSWEEP_INVENTORY_OPTIONS':
    case 'CERTSWEEP_UNKNOWN_RUN':
    case 'CERTSWEEP_PAGE':
      return 'inventory';
    case 'CERTSWEEP_JOB':
    case 'CERTSWEEP_CRON':
    case 'CERTSWEEP_JOBS_FILE':
      return 'jobs';
    case 'CERTSWEEP_VERIFY_OPTIONS':
      return 'verify';
    case 'CERTSWEEP_REVOCATION_OPTIONS':
      return 'revocation';
    case 'CERTSWEEP_CHECK_OPTIONS':
    case 'CERTSWEEP_THRESHOLD':
      return 'monitor';
    case 'CERTSWEEP_WEB_OPTIONS':
      return 'web';
    case 'CERTSWEEP_FLEET':
      return 'fleet';
    default:
      return code satisfies never;
  }
}

describe('errors', () => {
  it('share one base class, a constant name and the code their class fixes', () => {
    const spec = new TargetSpecError({ field: 'ports', token: '0', message: 'bad port' });
    expect(spec).toBeInstanceOf(CertsweepError);
    expect(spec).toBeInstanceOf(Error);
    expect(spec.name).toBe('TargetSpecError');
    expect(spec.code).toBe('CERTSWEEP_TARGET_SPEC');
    expect(spec.field).toBe('ports');
    expect(spec.token).toBe('0');

    const limit = new TargetLimitError({ count: 5n, limit: 4n });
    expect(limit).toBeInstanceOf(TargetSpecError);
    expect(limit.name).toBe('TargetLimitError');
    expect(limit.code).toBe('CERTSWEEP_TARGET_LIMIT');
    expect(String(limit)).toMatch(/^TargetLimitError: target spec expands to 5 targets/);
  });

  it('give every code exactly one class, and every class a code of the union', () => {
    const errors = oneOfEach();
    const codes = errors.map((error) => error.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort()).toEqual([...ERROR_CODES].sort());
    for (const error of errors) {
      expect(error.name).toBe(error.constructor.name);
      expect(describeCode(error.code)).not.toBe('');
    }
  });

  it('do not let a caller pass a code in', () => {
    // @ts-expect-error: the class fixes its code
    const error = new JobError({ job: 'a', field: 'b', message: 'c', code: 'CERTSWEEP_CRON' });
    expect(error.code).toBe('CERTSWEEP_JOB');
  });

  it('keep the wrapped error as cause, and have no cause when none was given', () => {
    const cause = Object.assign(new Error('no space'), { code: 'ENOSPC' });
    const storage = new StorageError({ message: 'disk full', adapter: 'file', cause });
    expect(storage.cause).toBe(cause);
    expect(storage.systemCode).toBe('ENOSPC');
    expect('cause' in new UnknownRunError({ run: 'r1' })).toBe(false);
  });

  it('are what public functions throw for bad input, never a built-in RangeError or TypeError', async () => {
    expect(() => countTargets({ hosts: '10.1', ports: 443 })).toThrow(TargetSpecError);
    expect(() => parseCertificate(null as never)).toThrow(CertificateParseError);
    expect(() => parseCertificate({} as never)).toThrow(/got an object/);
    expect(() => fingerprint('abc' as never)).toThrow(CertificateParseError);
    expect(() => fileStorage(null as never)).toThrow(StorageError);
    expect(() => sqliteStorage({} as never)).toThrow(StorageError);
    await expect(repairFileStorage(null as never)).rejects.toBeInstanceOf(StorageError);
    await expect(repairFileStorage({ path: 42 } as never)).rejects.toBeInstanceOf(StorageError);
    expect(() => scan([], null as never)).toThrow(ScanOptionsError);
    await expect(Inventory.open({ darkAfter: 0 })).rejects.toMatchObject({
      name: 'InventoryOptionsError',
      code: 'CERTSWEEP_INVENTORY_OPTIONS',
      option: 'darkAfter',
    });
    const inventory = await Inventory.open();
    try {
      await expect(inventory.finishRun('no-such-run')).rejects.toMatchObject({
        name: 'UnknownRunError',
        code: 'CERTSWEEP_UNKNOWN_RUN',
        run: 'no-such-run',
      });
      await expect(inventory.targets({ cursor: 'not a cursor' })).rejects.toMatchObject({
        code: 'CERTSWEEP_PAGE',
        option: 'cursor',
      });
      await expect(inventory.targets({ limit: 0 })).rejects.toBeInstanceOf(PageError);
      const wrong = (option: string) => ({ name: 'InventoryOptionsError', option });
      await expect(inventory.startRun(null as never)).rejects.toMatchObject(wrong('start'));
      await expect(inventory.startRun({} as never)).rejects.toMatchObject(wrong('job'));
      await expect(inventory.startRun({ job: 'j', at: Number.NaN })).rejects.toMatchObject(
        wrong('at'),
      );
      await expect(inventory.startRun({ job: 'j', total: -1 })).rejects.toMatchObject(
        wrong('total'),
      );
      await expect(inventory.finishRun(null as never)).rejects.toMatchObject(wrong('run'));
      const run = await inventory.startRun({ job: 'j' });
      await expect(inventory.finishRun(run, { status: 'done' as never })).rejects.toMatchObject(
        wrong('status'),
      );
      await expect(inventory.finishRun(run, 'soon' as never)).rejects.toMatchObject(
        wrong('ending'),
      );
      await expect(inventory.record(null as never)).rejects.toMatchObject(wrong('result'));
      // Nothing bad was recorded: the run is still running, and the only one.
      expect((await inventory.runs()).items).toEqual([run]);
      expect((await inventory.finishRun(run, null as never)).status).toBe('completed');
      await expect(
        checkExpiry(inventory, { host: 'a.example' }, { warning: 'soon' }),
      ).rejects.toBeInstanceOf(ThresholdError);
    } finally {
      await inventory.close();
    }
  });
});
