import { describe, expect, it } from 'vitest';
import { CertsweepError, TargetLimitError, TargetSpecError } from '../src/index.js';

describe('errors', () => {
  it('share one base class with a stable code and a constant name', () => {
    const spec = new TargetSpecError('ports', '0', 'ports: "0" is out of range');
    expect(spec).toBeInstanceOf(CertsweepError);
    expect(spec).toBeInstanceOf(Error);
    expect(spec.name).toBe('TargetSpecError');
    expect(spec.code).toBe('CERTSWEEP_TARGET_SPEC');
    expect(spec.field).toBe('ports');
    expect(spec.token).toBe('0');

    const limit = new TargetLimitError(5n, 4n);
    expect(limit).toBeInstanceOf(TargetSpecError);
    expect(limit.name).toBe('TargetLimitError');
    expect(limit.code).toBe('CERTSWEEP_TARGET_LIMIT');
    expect(String(limit)).toMatch(/^TargetLimitError: target spec expands to 5 targets/);
  });

  it('keep the wrapped error as cause', () => {
    const cause = new Error('low level');
    const error = new CertsweepError('high level', 'CERTSWEEP_EXAMPLE', { cause });
    expect(error.cause).toBe(cause);
    expect(new CertsweepError('no cause').code).toBe('CERTSWEEP_ERROR');
    expect('cause' in new CertsweepError('no cause')).toBe(false);
  });
});
