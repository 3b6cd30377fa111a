// Writes docs/cli.md from the compiled command definitions (run `npm run build` first).
import { writeFileSync } from 'node:fs';
import { renderCliReference } from '../dist/src/cli/reference.js';

writeFileSync(new URL('../docs/cli.md', import.meta.url), await renderCliReference());
console.log('wrote docs/cli.md');
