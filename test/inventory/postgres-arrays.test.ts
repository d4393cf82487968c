// The array literals a batch sends for its columns, read back by the real server: every text
// PostgreSQL's array input treats specially arrives as it was sent.
import { afterAll, describe, expect, it } from 'vitest';
import { boolArray, numberArray, textArray } from '../../src/inventory/adapters/postgres/arrays.js';
import { postgresReachable, TestSchemas } from '../helpers/postgres.js';

const reachable = await postgresReachable();

describe.skipIf(!reachable)('PostgreSQL array literals', () => {
  const schemas = new TestSchemas('arrays');
  afterAll(() => schemas.drop());

  async function roundTrip(literal: string, type: string): Promise<unknown> {
    const { rows } = await schemas.pool.query(`SELECT $1::${type} AS value`, [literal]);
    return (rows[0] as { value: unknown }).value;
  }

  it('reads back text with quotes, backslashes, braces, commas, blanks and the word NULL', async () => {
    const awkward = [
      'default|10.0.0.1|443|',
      'a"b',
      'back\\slash',
      '{braced}',
      'a,b',
      ' padded ',
      'tab\there',
      'line\nbreak',
      '',
      'NULL',
      'null',
      'Null',
      'nullish',
      'über.example',
      '"',
      '\\',
    ];
    expect(await roundTrip(textArray(awkward), 'text[]')).toEqual(awkward);
    expect(await roundTrip(textArray([...awkward, null, undefined]), 'text[]')).toEqual([
      ...awkward,
      null,
      null,
    ]);
    const plain = ['default|10.0.0.1|443|', 'default|10.0.0.2|443|sni.example'];
    expect(await roundTrip(textArray(plain), 'text[]')).toEqual(plain);
    expect(await roundTrip(textArray(['REFUSED', null, 'TIMEOUT']), 'text[]')).toEqual([
      'REFUSED',
      null,
      'TIMEOUT',
    ]);
    expect(await roundTrip(textArray([]), 'text[]')).toEqual([]);
    expect(await roundTrip(textArray([null]), 'text[]')).toEqual([null]);
  });

  it('reads back JSON text as jsonb elements', async () => {
    const problems = [JSON.stringify(['EXPIRED', 'a "quoted" \\ name']), JSON.stringify([])];
    expect(await roundTrip(textArray(problems), 'jsonb[]')).toEqual([
      ['EXPIRED', 'a "quoted" \\ name'],
      [],
    ]);
  });

  it('reads back numbers, nulls among them, as int4 and int8', async () => {
    expect(await roundTrip(numberArray([443, 0, -1, 65535]), 'int4[]')).toEqual([
      443, 0, -1, 65535,
    ]);
    const times = [1_796_143_403_919, null, 0, undefined];
    expect(await roundTrip(numberArray(times), 'int8[]')).toEqual([
      '1796143403919',
      null,
      '0',
      null,
    ]);
    expect(await roundTrip(numberArray([]), 'int8[]')).toEqual([]);
  });

  it('reads back booleans and nulls', async () => {
    expect(await roundTrip(boolArray([true, false, null, undefined]), 'bool[]')).toEqual([
      true,
      false,
      null,
      null,
    ]);
    expect(await roundTrip(boolArray([]), 'bool[]')).toEqual([]);
  });
});
