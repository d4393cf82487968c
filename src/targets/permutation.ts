// A seeded bijection of [0, size) computed one element at a time, so a random scan order
// needs no list in memory. It is an unbalanced Feistel network over the smallest power-of-two
// domain that holds `size` (at most twice as large), with cycle walking to stay inside
// [0, size). Each Feistel round is invertible, so the whole network is a permutation of the
// domain, and walking a cycle until it re-enters [0, size) restricts it to a permutation of
// [0, size).

const ROUNDS = 4;
const GOLDEN = 0x9e3779b1;
const NUMBER_PATH_MAX_BITS = 52;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Reduces a seed to 64 bits: strings by FNV-1a, numbers and bigints by two's complement. */
export function seedToBigInt(seed: number | bigint | string): bigint {
  if (typeof seed === 'string') {
    let hash = 0xcbf29ce484222325n;
    for (const byte of new TextEncoder().encode(seed)) {
      hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
    }
    return hash;
  }
  return BigInt.asUintN(64, BigInt(seed));
}

/**
 * A seeded permutation of the integers [0, size): on plain numbers when the domain fits in
 * 2^52 (every realistic scan), on bigints beyond.
 */
export type Permutation =
  | { readonly kind: 'number'; at(index: number): number }
  | { readonly kind: 'bigint'; at(index: bigint): bigint };

/** Builds the permutation of [0, size) for a seed. */
export function createPermutation(size: bigint, seed: bigint): Permutation {
  let bits = 2;
  while (1n << BigInt(bits) < size) bits++;
  const keys = Array.from({ length: ROUNDS }, (_, round) =>
    fmix32(fmix32(Number(seed & 0xffffffffn) ^ Math.imul(round + 1, GOLDEN)) ^ Number(seed >> 32n)),
  );
  const highBits = Math.ceil(bits / 2);
  const lowBits = bits - highBits;
  if (bits <= NUMBER_PATH_MAX_BITS) {
    const small = new SmallFeistel(highBits, lowBits, keys);
    const limit = Number(size);
    return {
      kind: 'number',
      at(index) {
        let x = index;
        do x = small.encrypt(x);
        while (x >= limit);
        return x;
      },
    };
  }
  const big = new BigFeistel(highBits, lowBits, keys);
  return {
    kind: 'bigint',
    at(index) {
      let x = index;
      do x = big.encrypt(x);
      while (x >= size);
      return x;
    },
  };
}

/** Feistel network on numbers, for domains of at most 2^52 (halves of at most 26 bits). */
class SmallFeistel {
  private readonly lowSize: number;
  /** Output mask of each round: the halves swap sizes every round. */
  private readonly masks: number[];

  constructor(
    highBits: number,
    lowBits: number,
    private readonly keys: readonly number[],
  ) {
    this.lowSize = 2 ** lowBits;
    this.masks = keys.map((_, round) => 2 ** (round % 2 === 0 ? highBits : lowBits) - 1);
  }

  encrypt(x: number): number {
    let b = x % this.lowSize;
    let a = (x - b) / this.lowSize;
    for (let round = 0; round < ROUNDS; round++) {
      // (a, b) -> (b, a ^ F(b))
      const mixed =
        (a ^
          (fmix32(Math.imul(b, GOLDEN) ^ (this.keys[round] as number)) &
            (this.masks[round] as number))) >>>
        0;
      a = b;
      b = mixed;
    }
    return a * this.lowSize + b;
  }
}

/** The same network on bigints, for domains too large for exact number arithmetic. */
class BigFeistel {
  constructor(
    private readonly highBits: number,
    private readonly lowBits: number,
    private readonly keys: readonly number[],
  ) {}

  encrypt(x: bigint): bigint {
    let aBits = this.highBits;
    let bBits = this.lowBits;
    let b = BigInt.asUintN(bBits, x);
    let a = x >> BigInt(bBits);
    for (const key of this.keys) {
      const mixed = a ^ roundFunction(b, key, aBits);
      a = b;
      b = mixed;
      [aBits, bBits] = [bBits, aBits];
    }
    return (a << BigInt(bBits)) | b;
  }
}

/** A keyed pseudo-random function from a bigint to `outBits` bits. */
function roundFunction(value: bigint, key: number, outBits: number): bigint {
  let state = key;
  for (let rest = value; rest > 0n; rest >>= 32n) {
    state = fmix32(state ^ Math.imul(Number(rest & 0xffffffffn), GOLDEN));
  }
  let out = 0n;
  for (let word = 0; word * 32 < outBits; word++) {
    out = (out << 32n) | BigInt(fmix32(state + Math.imul(word + 1, GOLDEN)));
  }
  return BigInt.asUintN(outBits, out);
}
