/** Writes docs/WORKLOAD.md from lib/workload/workload-flows.ts. Run: npx tsx scripts/workload-doc.ts */
import * as fs from 'fs';
import * as path from 'path';
import { renderWorkloadDoc } from '../lib/workload/workload-doc';

fs.writeFileSync(path.join(__dirname, '..', 'docs', 'WORKLOAD.md'), renderWorkloadDoc());
console.log('docs/WORKLOAD.md written');
