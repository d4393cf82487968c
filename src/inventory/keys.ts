// The keys records are stored and looked up under.
import type { TargetRef } from './options.js';
import { targetKey } from './record-scan.js';
import type {
  CertificateRecord,
  ChainRecord,
  RecordKind,
  RunRecord,
  Sighting,
  StoredRecord,
  TargetRecord,
} from './types.js';

/** The key of a target given by its key or by its parts. */
export function refKey(ref: TargetRef): string {
  return typeof ref === 'string' ? ref : targetKey(ref.address, ref.port, ref.servername);
}

/** The key a record of `kind` is stored under. */
export function keyOf(kind: RecordKind, value: StoredRecord['value']): string {
  switch (kind) {
    case 'certificate':
      return (value as CertificateRecord).fingerprint;
    case 'chain':
      return (value as ChainRecord).id;
    case 'target':
      return (value as TargetRecord).key;
    case 'sighting':
      return (value as Sighting).id;
    case 'run':
      return (value as RunRecord).id;
  }
}
