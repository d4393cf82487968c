import { createDecipheriv, createHash, createHmac } from 'node:crypto';

type Hash = 'sha256' | 'sha384';
const HASH_LENGTH: Record<Hash, number> = { sha256: 32, sha384: 48 };

function extract(hash: Hash, salt: Buffer, ikm: Buffer): Buffer {
  return createHmac(hash, salt).update(ikm).digest();
}

/** HKDF-Expand-Label of RFC 8446 section 7.1, for outputs of at most one hash block. */
function expandLabel(
  hash: Hash,
  secret: Buffer,
  label: string,
  context: Buffer,
  length: number,
): Buffer {
  const fullLabel = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = Buffer.concat([
    Buffer.of(length >> 8, length & 0xff, fullLabel.length),
    fullLabel,
    Buffer.of(context.length),
    context,
    Buffer.of(1),
  ]);
  return createHmac(hash, secret).update(info).digest().subarray(0, length);
}

// The early and "derived" secrets depend only on the hash when no PSK is used.
const derivedSecrets = new Map<Hash, Buffer>();
function derivedSecret(hash: Hash): Buffer {
  let derived = derivedSecrets.get(hash);
  if (!derived) {
    const zeros = Buffer.alloc(HASH_LENGTH[hash]);
    const early = extract(hash, zeros, zeros);
    derived = expandLabel(hash, early, 'derived', createHash(hash).digest(), HASH_LENGTH[hash]);
    derivedSecrets.set(hash, derived);
  }
  return derived;
}

/**
 * Decrypts the server's handshake flight of a TLS 1.3 handshake: the records after
 * ServerHello, protected with the server handshake traffic keys. Only what a scanner needs:
 * no client keys, no Finished, no verification.
 */
export class ServerHandshakeDecrypter {
  private readonly key: Buffer;
  private readonly iv: Buffer;
  private sequence = 0n;

  constructor(
    private readonly cipher: string,
    keyLength: number,
    hash: Hash,
    sharedSecret: Buffer,
    transcript: Buffer,
  ) {
    const handshakeSecret = extract(hash, derivedSecret(hash), sharedSecret);
    const digest = createHash(hash).update(transcript).digest();
    const traffic = expandLabel(hash, handshakeSecret, 's hs traffic', digest, HASH_LENGTH[hash]);
    this.key = expandLabel(hash, traffic, 'key', Buffer.alloc(0), keyLength);
    this.iv = expandLabel(hash, traffic, 'iv', Buffer.alloc(0), 12);
  }

  /** Opens one protected record; returns its content type and content. Throws on a bad tag. */
  open(header: Buffer, payload: Buffer): { type: number; content: Buffer } {
    const nonce = Buffer.from(this.iv);
    let sequence = this.sequence++;
    for (let i = 11; i >= 4 && sequence > 0n; i--) {
      nonce[i] = (nonce[i] as number) ^ Number(sequence & 0xffn);
      sequence >>= 8n;
    }
    const decipher = createDecipheriv(this.cipher as 'aes-128-gcm', this.key, nonce, {
      authTagLength: 16,
    });
    decipher.setAAD(header);
    decipher.setAuthTag(payload.subarray(payload.length - 16));
    const inner = Buffer.concat([
      decipher.update(payload.subarray(0, payload.length - 16)),
      decipher.final(),
    ]);
    let end = inner.length - 1;
    while (end >= 0 && inner[end] === 0) end--;
    if (end < 0) throw new Error('protected record without a content type');
    return { type: inner[end] as number, content: inner.subarray(0, end) };
  }
}
