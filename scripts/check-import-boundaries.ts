/** `npm run lint`'s layer check: prints every import that points the wrong way and exits 1 (docs/architecture.md). */
import { findBoundaryViolations } from './import-boundaries';

const violations = findBoundaryViolations(process.cwd());
for (const v of violations) console.error(`${v.file}: imports "${v.imports}" (${v.from} → ${v.to} is not allowed)`);
if (violations.length > 0) {
  console.error(`\n${violations.length} import(s) against the layers; see docs/architecture.md "The parts".`);
  process.exit(1);
}
console.log('Import boundaries: every arrow points the allowed way.');
