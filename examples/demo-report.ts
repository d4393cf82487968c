// The demo's inventory table: every leaf certificate in service, where it is used, when its
// chain expires (often an intermediate first) and the problems of the targets serving it.
import { formatTarget, humanise, type Inventory, targetVerdict } from 'certsweep';

/** Prints the leaf certificates of `inventory` in service, as of `now`. */
export async function printInventory(inventory: Inventory, now: number): Promise<void> {
  const rows: string[][] = [['subject', 'where used', 'expires in', 'problems']];
  for (const cert of (await inventory.certificates({ ca: false, limit: 1000 })).items) {
    const usage = (await inventory.usage(cert.fingerprint, { limit: 1000 })).items;
    if (usage.length === 0) continue;
    const where =
      usage.length > 2
        ? `${usage.length} targets (${usage[0]?.address} …)`
        : usage
            .map((t) =>
              formatTarget({
                host: t.address,
                port: t.port,
                ...(t.servername ? { servername: t.servername } : {}),
              }),
            )
            .join(', ');
    const problems = new Set<string>();
    if (cert.revocation?.status === 'revoked') problems.add(`revoked (${cert.revocation.source})`);
    let chainExpiry = cert.notAfter;
    for (const target of usage) {
      const chain = target.chain ? await inventory.chain(target.chain) : undefined;
      // The target's own verdict: the chain's path and whether its leaf matches this name.
      const verdict = targetVerdict(target, chain);
      for (const code of verdict?.problems ?? []) problems.add(code);
      chainExpiry = Math.min(chainExpiry, verdict?.expiresAt ?? chainExpiry);
    }
    // The chain expires when its first certificate does: often an intermediate.
    const left = chainExpiry - now;
    const expires = left < 0 ? `expired ${humanise(-left)} ago` : humanise(left);
    rows.push([
      cert.subject,
      where,
      chainExpiry < cert.notAfter ? `${expires} (intermediate)` : expires,
      [...problems].join(', ') || '-',
    ]);
  }
  printTable(rows);
}

function printTable(rows: string[][]): void {
  const widths =
    rows[0]?.map((_, column) =>
      Math.min(60, Math.max(...rows.map((row) => (row[column] ?? '').length))),
    ) ?? [];
  for (const row of rows) {
    console.log(
      `  ${row.map((cell, column) => cell.slice(0, 60).padEnd(widths[column] ?? 0)).join('  ')}`,
    );
  }
}
