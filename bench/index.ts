// Every benchmark, or the ones named: npm run bench [-- targets]
import { runCheckBench } from './check.js';
import { runDarkBench } from './dark.js';
import { runFleetBench } from './fleet.js';
import { runInventoryBench } from './inventory.js';
import { runInventoryScaleBench } from './inventory-scale.js';
import { runNameConstraintsBench } from './name-constraints.js';
import { runRevocationBench } from './revocation.js';
import { runScanBench } from './scan.js';
import { runScanStapleBench } from './scan-staple.js';
import { runTargetsBench } from './targets.js';
import { runVerifyBench } from './verify.js';
import { runWebBench } from './web.js';

const benches: Record<string, () => void | Promise<void>> = {
  targets: runTargetsBench,
  scan: runScanBench,
  'scan-staple': runScanStapleBench,
  verify: runVerifyBench,
  revocation: runRevocationBench,
  inventory: runInventoryBench,
  'inventory-scale': runInventoryScaleBench,
  dark: runDarkBench,
  'name-constraints': runNameConstraintsBench,
  check: runCheckBench,
  web: runWebBench,
  fleet: runFleetBench,
};

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!(name in benches)) {
    console.error(
      `unknown benchmark "${name}"; expected one of ${Object.keys(benches).join(', ')}`,
    );
    process.exit(2);
  }
}
console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
for (const [name, run] of Object.entries(benches)) {
  if (wanted.length === 0 || wanted.includes(name)) await run();
}
