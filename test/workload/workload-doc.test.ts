import * as fs from 'fs';
import * as path from 'path';
import { renderWorkloadDoc } from '../../lib/workload/workload-doc';
import { WORKLOAD_FLOWS } from '../../lib/workload/workload-flows';

test('docs/WORKLOAD.md is up to date with the flows (run `npx tsx scripts/workload-doc.ts`)', () => {
  expect(fs.readFileSync(path.join(__dirname, '../../docs/WORKLOAD.md'), 'utf8')).toBe(renderWorkloadDoc());
});

test('flow ids are unique; every flow cites AWS documentation', () => {
  const ids = WORKLOAD_FLOWS.map((f) => f.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const f of WORKLOAD_FLOWS) {
    expect(f.source.length).toBeGreaterThan(0);
    for (const u of f.source) expect(u).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
  }
});
