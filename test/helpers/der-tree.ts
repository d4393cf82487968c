// Raw DER surgery for parser tests: a certificate decoded into a tree of elements (descending
// into constructed ones only), re-encoded with chosen length forms or tags.
export type LengthForm = 'minimal' | 'long' | 'padded' | 'indefinite';

/** One element: its tag, and its children (constructed) or contents (primitive). */
export interface DerNode {
  tag: number;
  children?: DerNode[];
  content?: Uint8Array;
  /** How to write the length on re-encoding. Default: minimal (DER). */
  length?: LengthForm;
}

/** Decodes DER (assumed well formed) into a tree. */
export function decodeTree(der: Uint8Array, offset = 0): { node: DerNode; end: number } {
  const tag = der[offset] as number;
  let length = der[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[start + i] as number);
    start += count;
  }
  const end = start + length;
  if (!(tag & 0x20)) return { node: { tag, content: der.subarray(start, end) }, end };
  const children: DerNode[] = [];
  for (let at = start; at < end; ) {
    const child = decodeTree(der, at);
    children.push(child.node);
    at = child.end;
  }
  return { node: { tag, children }, end };
}

function lengthBytes(n: number, form: LengthForm): number[] {
  const big: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) big.unshift(v & 0xff);
  if (form === 'minimal') return n < 0x80 ? [n] : [0x80 | big.length, ...big];
  // 'long': a short length written in long form; a long one gets a leading zero byte.
  if (form === 'long' && n < 0x80) return [0x81, n];
  if (form === 'long' || form === 'padded') return [0x80 | (big.length + 1), 0, ...big];
  return [0x80];
}

/** Encodes a tree back to bytes, honouring each node's `length` form. */
export function encodeTree(node: DerNode): Uint8Array {
  const body = node.children
    ? Buffer.concat(node.children.map(encodeTree))
    : Buffer.from(node.content ?? []);
  const form = node.length ?? 'minimal';
  const trailer = form === 'indefinite' ? [0, 0] : [];
  return Buffer.concat([
    Buffer.from([node.tag, ...lengthBytes(body.length, form)]),
    body,
    Buffer.from(trailer),
  ]);
}

/** Every node of the tree, depth first, the root first. */
export function allNodes(node: DerNode): DerNode[] {
  return [node, ...(node.children ?? []).flatMap(allNodes)];
}

/** A deep copy, so one mutation does not leak into the next. */
export function cloneTree(node: DerNode): DerNode {
  return node.children ? { ...node, children: node.children.map(cloneTree) } : { ...node };
}
