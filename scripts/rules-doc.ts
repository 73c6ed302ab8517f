import * as fs from 'fs';
import * as path from 'path';
import { renderRulesDoc } from '../lib/gate/rules-doc';

fs.writeFileSync(path.join(__dirname, '..', 'RULES.md'), renderRulesDoc());
console.log('RULES.md written');
