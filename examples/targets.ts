// Expands a target spec the way a scan job would: count first, then stream.
// Run: npm run demo
import {
  countTargets,
  expandTargets,
  formatTarget,
  type TargetSpec,
  TargetSpecError,
} from 'certsweep';

const spec: TargetSpec = {
  hosts: ['192.0.2.0/28', '2001:db8::/126', 'mail.example.com'],
  ports: '443, 8443-8444',
  exclude: ['192.0.2.0', '192.0.2.15'],
  sni: { '192.0.2.5': ['www.example.com', 'api.example.com'] },
};

console.log(`spec covers ${countTargets(spec)} targets; the first ten in sequential order:`);
let shown = 0;
for (const target of expandTargets(spec)) {
  console.log(`  ${formatTarget(target)}`);
  if (++shown === 10) break;
}

console.log('\nthe same spec in seeded random order, split across 3 scanners:');
for (let index = 0; index < 3; index++) {
  const shard = { ...spec, order: 'random', seed: 'demo', shard: { index, count: 3 } } as const;
  const first = [...expandTargets(shard)].slice(0, 4).map(formatTarget);
  console.log(`  shard ${index}: ${countTargets(shard)} targets, starting ${first.join(', ')}`);
}

console.log('\nbad input is refused with a message naming the token:');
for (const bad of [
  { hosts: '10.1', ports: 443 },
  { hosts: '10.0.0.1/8', ports: 443 },
  { hosts: '192.0.2.1', ports: '8445-8443' },
  { hosts: '2001:db8::/64', ports: 443 },
]) {
  try {
    expandTargets(bad);
  } catch (error) {
    if (!(error instanceof TargetSpecError)) throw error;
    console.log(`  ${error.code}: ${error.message}`);
  }
}
