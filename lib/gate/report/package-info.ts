import * as fs from 'fs';
import * as path from 'path';

/** What the reports say about the tool: read once from the package's own package.json. */
export interface PackageInfo {
  readonly name: string;
  readonly version: string;
  /** The project's web home (package.json `homepage`) without its fragment. */
  readonly homepage: string;
  /** RULES.md on the project's home: what each rule proves and how to fix it. */
  readonly rulesDocUrl: string;
}

const PACKAGE_NAME = 'cdk-black-hole';
let cached: PackageInfo | undefined;

/**
 * The package.json of this package, found upwards from this module: `lib/gate/report` in the
 * repository, `dist/lib/gate/report` in the installed package. Links in reports derive from its
 * `homepage`, never from a URL written here.
 */
export function packageInfo(): PackageInfo {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (pkg.name === PACKAGE_NAME) {
        if (typeof pkg.homepage !== 'string' || !/^https:\/\//.test(pkg.homepage)) {
          throw new Error(`${file}: homepage must be an https URL`);
        }
        const homepage = pkg.homepage.replace(/#.*$/, '').replace(/\/+$/, '');
        cached = Object.freeze({ name: pkg.name, version: String(pkg.version), homepage, rulesDocUrl: `${homepage}/blob/main/RULES.md` });
        return cached;
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`the package.json of ${PACKAGE_NAME} was not found above ${__dirname}`);
  }
}
